package app

import (
	"context"
	"errors"

	"gorm.io/gorm"
	"gorm.io/gorm/clause"

	"yaoju/model"
	"yaoju/service/area"
	"yaoju/service/auth"
	"yaoju/service/house"
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
	if err := seedDemoHouses(ctx, a, ids); err != nil {
		return err
	}
	a.Log.Info("demo data ready", "accounts", "admin, police1, worker1", "password", DemoPassword)
	return nil
}

var demoHouses = []struct {
	area, address string
	rooms         []string
}{
	{"demo-comm-1", "余姚市阳明街道舜水南路18号", []string{"101", "102", "201", "202"}},
	{"demo-comm-1", "余姚市阳明街道舜水南路20号", []string{"101", "102"}},
	{"demo-comm-3", "余姚市凤山街道城西路8号", []string{"A01", "A02", "A03"}},
}

// The demo landlord binds this phone in the simulator with the code
// "phone_13900000001" and then sees the demo houses.
const demoLandlordPhone = "13900000001"

func seedDemoHouses(ctx context.Context, a *App, areaIDs map[string]uint64) error {
	var admin model.Account
	if err := a.DB.WithContext(ctx).Where("username = ?", "admin").First(&admin).Error; err != nil {
		return err
	}
	for _, d := range demoHouses {
		var n int64
		if err := a.DB.WithContext(ctx).Model(&model.House{}).Where("address = ?", d.address).Count(&n).Error; err != nil {
			return err
		}
		if n > 0 {
			continue
		}
		h, err := a.Houses.CreateApproved(ctx, area.Everywhere(), admin.ID, house.NewHouse{
			Address: d.address, AreaID: areaIDs[d.area], LandlordName: "王建国", LandlordPhone: demoLandlordPhone,
		})
		if err != nil {
			return err
		}
		for _, room := range d.rooms {
			if _, err := a.Houses.AddUnitAsConsole(ctx, area.Everywhere(), h.ID, room, 4); err != nil {
				return err
			}
		}
	}
	return nil
}
