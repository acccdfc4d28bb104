package app

import (
	"context"
	"errors"
	"fmt"

	"gorm.io/gorm"
	"gorm.io/gorm/clause"

	"yaoju/model"
	"yaoju/service/area"
	"yaoju/service/audit"
	"yaoju/service/auth"
	"yaoju/service/house"
	"yaoju/service/pii"
	"yaoju/service/residence"
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
func seedDemo(ctx context.Context, a *App, tenants bool) error {
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
	if tenants {
		if err := seedDemoResidents(ctx, a); err != nil {
			return err
		}
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

var demoResidents = []struct {
	openID, name, id17, phone, hometown, workplace string
	daysAgo                                        int
}{
	{"o_demo_1", "刘建华", "34122119880312101", "13805740001", "安徽省阜阳市", "余姚某电器有限公司", 40},
	{"o_demo_2", "陈秀英", "51132219920807202", "13805740002", "四川省南充市", "阳明街道某餐馆", 20},
	{"o_demo_3", "杨伟", "41152619950115303", "13805740003", "河南省信阳市", "余姚某模具厂", 10},
	{"o_demo_4", "黄丽", "36072519900621404", "13805740004", "江西省赣州市", "凤山街道某超市", 2},
}

// seedDemoResidents declares a few tenants through the real declaration
// rule (which returns the existing residence on a restart).
func seedDemoResidents(ctx context.Context, a *App) error {
	var units []model.Unit
	if err := a.DB.WithContext(ctx).Joins("JOIN houses ON houses.id = units.house_id").
		Where("houses.landlord_phone = ?", demoLandlordPhone).Order("units.id").Find(&units).Error; err != nil {
		return err
	}
	for i, d := range demoResidents {
		if i >= len(units) {
			break
		}
		user := model.User{OpenID: d.openID}
		if err := a.DB.WithContext(ctx).Where(user).FirstOrCreate(&user).Error; err != nil {
			return err
		}
		moveIn := a.Now().AddDate(0, 0, -d.daysAgo).In(model.Shanghai).Format("2006-01-02")
		_, _, err := a.Residences.Declare(ctx, user.ID, residence.Declaration{
			Scene: units[i].Scene, Name: d.name, IDNumber: pii.CompleteIDNumber(d.id17), Phone: d.phone,
			Hometown: d.hometown, Workplace: d.workplace, MoveInDate: moveIn, Relation: "本人", Reason: "务工",
			HousingType: "租赁",
		}, audit.Actor{Kind: model.ActorSystem, Name: "demo"})
		if err != nil {
			return fmt.Errorf("demo resident %s: %w", d.openID, err)
		}
	}
	return nil
}
