package stats_test

import (
	"context"
	"fmt"
	"testing"
	"time"

	"yaoju/app/apptest"
	"yaoju/model"
	"yaoju/service/area"
	"yaoju/service/stats"
)

// Benchmark sizes: small enough to seed embedded SQLite in seconds. The
// figures at city scale (600,000 residents on MariaDB) come from
// `go run ./scripts/load -scenario=stats`; see scripts/README.md.
const (
	benchResidences = 10_000
	benchHistory    = 3 // past monthly check-ins per residence
	benchChunk      = 500
)

// seedCity writes benchResidences active residences across the demo
// communities (tiers 70/20/10% green/yellow/red, declared over the last
// year), benchHistory check-ins each, and tasks for 1 resident in 10: open,
// closed this month and closed before.
func seedCity(b *testing.B, e *apptest.Env) {
	b.Helper()
	db := e.App.DB
	var communities []model.Area
	if err := db.Where("level = ?", model.LevelCommunity).Order("id").Find(&communities).Error; err != nil || len(communities) == 0 {
		b.Fatalf("communities: %v", err)
	}
	var unit model.Unit
	if err := db.First(&unit).Error; err != nil {
		b.Fatal(err)
	}
	now := e.Clock.Now().UTC()
	tiers := []string{model.TierGreen, model.TierGreen, model.TierGreen, model.TierGreen, model.TierGreen,
		model.TierGreen, model.TierGreen, model.TierYellow, model.TierYellow, model.TierRed}
	for lo := 0; lo < benchResidences; lo += benchChunk {
		var rows []model.Residence
		for i := lo; i < min(lo+benchChunk, benchResidences); i++ {
			person := uint64(1_000_000 + i) // the statistics read no person row
			last := now.Add(-time.Duration(i%30) * 24 * time.Hour)
			due := last.Add(30 * 24 * time.Hour)
			source := model.SourceScan
			if i%5 == 0 {
				source = model.SourceWorker
			}
			rows = append(rows, model.Residence{
				PersonID: person, ActivePersonID: &person, UserID: person, UnitID: unit.ID,
				AreaID: communities[i%len(communities)].ID, Status: model.ResidenceActive, Tier: tiers[i%len(tiers)],
				Phone: "13800000000", PhoneTail: "0000", Source: source, Late: i%5 == 4,
				MoveInDate: now.AddDate(0, 0, -i%365), DeclaredAt: now.AddDate(0, 0, -i%365),
				RenewedAt: last, LastCheckinAt: &last, NextCheckinDue: &due,
			})
		}
		if err := db.Create(&rows).Error; err != nil {
			b.Fatal(err)
		}
		var checkins []model.Checkin
		var tasks []model.Task
		for k, r := range rows {
			i := lo + k
			for h := range benchHistory {
				at := r.LastCheckinAt.Add(-time.Duration(h) * 30 * 24 * time.Hour)
				due := at.Add(time.Duration(i%72) * time.Hour)
				checkins = append(checkins, model.Checkin{ResidenceID: r.ID, At: at, DueAt: &due, OnTime: i%10 != 9, Source: model.SourceScan})
			}
			if i%10 != 0 {
				continue
			}
			key := fmt.Sprintf("bench:%d", r.ID)
			t := model.Task{Type: model.TaskOverdueCheckin, Status: model.TaskOpen, AreaID: r.AreaID, Tier: r.Tier,
				OpenedAt: now.Add(-time.Duration(1+i%20) * 24 * time.Hour), ResidenceID: &rows[k].ID, DedupeKey: &key}
			switch i % 30 {
			case 10:
				closed := now.Add(-time.Duration(i%48) * time.Hour)
				t.Status, t.ClosedAt, t.DedupeKey = model.TaskClosed, &closed, nil
			case 20:
				closed := now.AddDate(0, -1, -i%20)
				t.Status, t.ClosedAt, t.DedupeKey = model.TaskClosed, &closed, nil
			}
			tasks = append(tasks, t)
		}
		if err := db.CreateInBatches(&checkins, benchChunk).Error; err != nil {
			b.Fatal(err)
		}
		if err := db.Create(&tasks).Error; err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkStatsSummary computes the console's statistics (GET
// /api/v1/console/stats without HTTP) over benchResidences residents, for
// the whole city (admin) and for one community (worker1's scope).
func BenchmarkStatsSummary(b *testing.B) {
	e := apptest.New(b)
	seedCity(b, e)
	areas := area.NewService(e.App.DB, e.Clock.Now)
	svc := stats.NewService(e.App.DB, areas, e.Clock.Now)
	ctx := context.Background()
	var community model.Area
	if err := e.App.DB.Where("level = ?", model.LevelCommunity).Order("id").First(&community).Error; err != nil {
		b.Fatal(err)
	}
	one, err := areas.Subtree(ctx, community.ID)
	if err != nil {
		b.Fatal(err)
	}
	for _, s := range []struct {
		name  string
		scope area.Scope
	}{{"city", area.Everywhere()}, {"community", one}} {
		b.Run(s.name, func(b *testing.B) {
			for b.Loop() {
				sum, err := svc.Compute(ctx, s.scope)
				if err != nil {
					b.Fatal(err)
				}
				if sum.ActiveResidents == 0 {
					b.Fatal("no active residents counted")
				}
			}
		})
	}
}
