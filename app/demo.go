package app

import (
	"context"
	"errors"

	"gorm.io/gorm"
	"gorm.io/gorm/clause"

	"yaoju/model"
	"yaoju/service/auth"
)

// DemoPassword is the password of every demo account.
const DemoPassword = "demo123456"

type demoArea struct {
	code, name, level, parent string
}

var demoAreas = []demoArea{
	{"demo-city", "余姚市", model.LevelCity, ""},
	{"demo-town-1", "阳明街道", model.LevelTown, "demo-city"},
	{"demo-town-2", "凤山街道", model.LevelTown, "demo-city"},
	{"demo-comm-1", "舜水社区", model.LevelCommunity, "demo-town-1"},
	{"demo-comm-2", "新建社区", model.LevelCommunity, "demo-town-1"},
	{"demo-comm-3", "城西社区", model.LevelCommunity, "demo-town-2"},
	{"demo-comm-4", "凤山社区", model.LevelCommunity, "demo-town-2"},
}

var demoAccounts = []struct{ username, role, area string }{
	{"admin", model.RoleAdmin, "demo-city"},
	{"police1", model.RolePolice, "demo-town-1"},
	{"worker1", model.RoleWorker, "demo-comm-1"},
}

// seedDemo writes the demo city, accounts and houses. It is idempotent:
// everything is keyed by area code, username or address.
func seedDemo(ctx context.Context, a *App) error {
	db := a.DB.WithContext(ctx)
	ids := map[string]uint64{}
	for _, d := range demoAreas {
		var row model.Area
		err := db.Where("code = ?", d.code).First(&row).Error
		if errors.Is(err, gorm.ErrRecordNotFound) {
			row = model.Area{Code: d.code, Name: d.name, Level: d.level, EstimatedPopulation: 2000}
			if d.parent != "" {
				parent := ids[d.parent]
				row.ParentID = &parent
			}
			err = db.Create(&row).Error
		}
		if err != nil {
			return err
		}
		ids[d.code] = row.ID
	}
	hash, err := auth.HashPassword(DemoPassword)
	if err != nil {
		return err
	}
	for _, d := range demoAccounts {
		acct := model.Account{Username: d.username, PasswordHash: hash, Role: d.role, AreaID: ids[d.area]}
		if err := db.Clauses(clause.OnConflict{DoNothing: true}).Create(&acct).Error; err != nil {
			return err
		}
	}
	a.Log.Info("demo data ready", "accounts", "admin, police1, worker1", "password", DemoPassword)
	return nil
}
