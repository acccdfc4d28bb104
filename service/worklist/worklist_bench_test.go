package worklist_test

import (
	"context"
	"fmt"
	"testing"
	"time"

	"yaoju/app/apptest"
	"yaoju/model"
	"yaoju/service/area"
	"yaoju/service/tier"
	"yaoju/service/worklist"
)

// benchTasks is the open tasks of one community. The 100,000-task figure on
// MariaDB comes from `go run ./scripts/load -scenario=worklist`; see
// scripts/README.md.
const benchTasks = 20_000

// seedTasks writes benchTasks open tasks of mixed tiers into the first demo
// community, plus 1,000 in progress, about 200 residences of the demo units
// (the page shows their address and the resident's name).
func seedTasks(b *testing.B, e *apptest.Env) model.Area {
	b.Helper()
	db := e.App.DB
	var community model.Area
	if err := db.Where("level = ?", model.LevelCommunity).Order("id").First(&community).Error; err != nil {
		b.Fatal(err)
	}
	var units []model.Unit
	if err := db.Find(&units).Error; err != nil || len(units) == 0 {
		b.Fatalf("demo units: %d, %v", len(units), err)
	}
	now := e.Clock.Now().UTC()
	persons := make([]model.Person, 200)
	for i := range persons {
		persons[i] = model.Person{IDCipher: []byte{1}, IDIndex: fmt.Sprintf("bench-%d", i), IDMasked: "x", Name: "测试"}
	}
	if err := db.Create(&persons).Error; err != nil {
		b.Fatal(err)
	}
	residences := make([]model.Residence, len(persons))
	for i := range residences {
		residences[i] = model.Residence{PersonID: persons[i].ID, ActivePersonID: &persons[i].ID, UserID: persons[i].ID,
			UnitID: units[i%len(units)].ID, AreaID: community.ID, Status: model.ResidenceActive, Tier: model.TierGreen,
			Phone: "13800000000", PhoneTail: "0000", Source: model.SourceScan, MoveInDate: now, DeclaredAt: now, RenewedAt: now}
	}
	if err := db.Create(&residences).Error; err != nil {
		b.Fatal(err)
	}
	tiers := []string{model.TierGreen, model.TierYellow, model.TierGreen, model.TierRed, model.TierGreen}
	const chunk = 500
	for lo := 0; lo < benchTasks+1000; lo += chunk {
		var tasks []model.Task
		for i := lo; i < min(lo+chunk, benchTasks+1000); i++ {
			t := tiers[i%len(tiers)]
			key := fmt.Sprintf("bench:%d", i)
			task := model.Task{Type: model.TaskOverdueCheckin, Status: model.TaskOpen, AreaID: community.ID, Tier: t,
				TierRank: tier.Rank(t), OpenedAt: now.Add(-time.Duration(i) * time.Minute),
				ResidenceID: &residences[i%len(residences)].ID, DedupeKey: &key}
			if i >= benchTasks {
				task.Status = model.TaskInProgress
			}
			tasks = append(tasks, task)
		}
		if err := db.Create(&tasks).Error; err != nil {
			b.Fatal(err)
		}
	}
	return community
}

// BenchmarkWorklistFirstPage lists the first page (20) of a community's
// worklist, worst tier first, as GET /api/v1/console/tasks does for a
// worker: the default view (open and in progress, which the index cannot
// return in order, so the rows are sorted) and status=open alone (served
// in index order).
func BenchmarkWorklistFirstPage(b *testing.B) {
	e := apptest.New(b)
	community := seedTasks(b, e)
	ctx := context.Background()
	scope, err := area.NewService(e.App.DB, e.Clock.Now).Subtree(ctx, community.ID)
	if err != nil {
		b.Fatal(err)
	}
	svc := worklist.NewService(worklist.Deps{DB: e.App.DB, Now: e.Clock.Now})
	for _, status := range []string{"", model.TaskOpen} {
		name := "status=" + status
		if status == "" {
			name = "default"
		}
		b.Run(name, func(b *testing.B) {
			for b.Loop() {
				items, total, err := svc.List(ctx, worklist.Filter{Scope: scope, Status: status, Limit: 20})
				if err != nil {
					b.Fatal(err)
				}
				if len(items) != 20 || total < benchTasks {
					b.Fatalf("%d items of %d", len(items), total)
				}
			}
		})
	}
}
