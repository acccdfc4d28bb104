package main

import (
	"context"
	"encoding/json"
	"fmt"
	"math/rand/v2"
	"time"

	"yaoju/model"
	"yaoju/service/area"
	"yaoju/service/audit"
	"yaoju/service/checkin"
	"yaoju/service/house"
	"yaoju/service/residence"
	"yaoju/service/task"
	"yaoju/service/tier"
)

func or(n, def int) int {
	if n > 0 {
		return n
	}
	return def
}

const period = 30 * 24 * time.Hour

// seedTenants writes n active residences, four to a unit of capacity 4,
// with history past monthly check-ins each: the last a period ago, so that
// the next one is due around now (between 3 days ago and 3 days ahead).
func (e *env) seedTenants(ctx context.Context, n, history int) (unitFixture, []seededResidence, error) {
	units, err := e.seedUnits(ctx, (n+3)/4, 8, 4, nil)
	if err != nil {
		return units, nil, err
	}
	now := time.Now().UTC()
	res, err := e.seedResidences(ctx, residenceSeed{n: n, people: true, units: units, fill: func(i int, r *model.Residence) {
		due := now.Add(-3*24*time.Hour + time.Duration((i*7919)%(6*24*60))*time.Minute)
		last := due.Add(-period)
		r.NextCheckinDue, r.LastCheckinAt, r.RenewedAt = &due, &last, last
		r.DeclaredAt = last.Add(-time.Duration(history) * period)
		r.MoveInDate = r.DeclaredAt.Add(-24 * time.Hour)
	}})
	if err != nil {
		return units, nil, err
	}
	err = e.seedCheckins(ctx, res, history, func(i, k int) (time.Time, bool) {
		due := now.Add(-3*24*time.Hour + time.Duration((i*7919)%(6*24*60))*time.Minute)
		return due.Add(-time.Duration(k+1) * period), true
	})
	return units, res, err
}

// seedCheckins writes history check-ins for each residence; at(i, k) gives
// the time of residence i's k-th check-in back and whether it exists.
func (e *env) seedCheckins(ctx context.Context, res []seededResidence, history int, at func(i, k int) (time.Time, bool)) error {
	type slot struct{ i, k int }
	var slots []slot
	for i := range res {
		for k := range history {
			if _, ok := at(i, k); ok {
				slots = append(slots, slot{i, k})
			}
		}
	}
	return stream(ctx, e, "check-ins (history)", len(slots), func(j int, c *model.Checkin) {
		s := slots[j]
		t, _ := at(s.i, s.k)
		due := t.Add(time.Duration(s.i%72) * time.Hour)
		// In step with the seeded tiers (tierOf): green residents were on
		// time, yellow ones late once, red ones always late.
		onTime := true
		switch s.i % 10 {
		case 7, 8:
			onTime = s.k != 1
		case 9:
			onTime = false
		}
		if !onTime {
			due = t.Add(-time.Duration(1+s.i%5) * 24 * time.Hour)
		}
		source := model.SourceScan
		if s.i%20 == 0 {
			source = model.SourceWorker
		}
		*c = model.Checkin{ResidenceID: res[s.i].id, AreaID: res[s.i].area, At: t, DueAt: &due, OnTime: onTime, Source: source}
	})
}

func userIDs(res []seededResidence) []uint64 {
	out := make([]uint64, len(res))
	for i, r := range res {
		out[i] = r.userID
	}
	return out
}

// runCheckin: POST /api/v1/me/residences/:id/checkin, each residence once,
// in random order, so that every request is a real check-in (a residence
// checked in within 10 minutes would answer from the repeated-scan path).
func runCheckin(ctx context.Context, e *env) error {
	n := or(e.opt.n, 200_000)
	units, res, err := e.seedTenants(ctx, n, e.opt.history)
	if err != nil {
		return err
	}
	if _, err := e.rebuildSchedule(ctx); err != nil {
		return err
	}
	tokens, err := e.issueTokens(ctx, userIDs(res))
	if err != nil {
		return err
	}
	order := rand.Perm(n)
	pool := &counter{n: int64(n)}
	start := time.Now().UTC()
	e.printf("# each request checks in a residence not checked in for about a period; pool of %d\n", n)
	okAll := e.phases(ctx, func(clients int) phase {
		return phase{name: fmt.Sprintf("checkin c=%d", clients), clients: clients, want: 200, next: func() (request, bool) {
			i, ok := pool.take()
			if !ok {
				return request{}, false
			}
			r := res[order[i]]
			body, _ := json.Marshal(map[string]string{"scene": units.units[r.unit].Scene})
			return request{method: "POST", path: fmt.Sprintf("/api/v1/me/residences/%d/checkin", r.id),
				token: tokens[order[i]], body: body}, true
		}}
	})
	// Every 200 must have written a check-in row: none took the short path.
	var rows int64
	if err := e.app.DB.WithContext(ctx).Model(&model.Checkin{}).Where("at >= ?", start).Count(&rows).Error; err != nil {
		return err
	}
	verdict := "every 200 wrote a check-in"
	if rows != int64(okAll) {
		verdict = "MISMATCH: some 200s did not write a check-in"
	}
	e.printf("# check: %d answers 200 (warm-up included), %d check-in rows written: %s\n", okAll, rows, verdict)
	if !e.opt.explain {
		return nil
	}
	// One check-in statement by statement, on residences not yet checked in.
	db, tr := traceDB(e.app.DB)
	svc := checkin.NewService(db, e.app.Keeper, tier.NewService(db, tier.DefaultThresholds(), time.Now),
		checkin.Rules{Period: e.cfg.CheckinPeriod, GreenPeriod: e.cfg.GreenCheckinPeriod}, time.Now)
	return e.profile(ctx, "checkin.Service.Checkin", 50, tr, func(int) error {
		i, ok := pool.take()
		if !ok {
			return errExhausted
		}
		r := res[order[i]]
		_, err := svc.Checkin(ctx, r.userID, r.id, units.units[r.unit].Scene)
		return err
	})
}

// runScan: GET /api/v1/scan/:scene by tenants: 80% scan their own unit
// (the answer carries their residence), 20% another unit.
func runScan(ctx context.Context, e *env) error {
	n := or(e.opt.n, 50_000)
	units, res, err := e.seedTenants(ctx, n, 0)
	if err != nil {
		return err
	}
	tokens, err := e.issueTokens(ctx, userIDs(res))
	if err != nil {
		return err
	}
	e.printf("# scan rate limit set to %d a minute per user and per address (default 30): one load generator is one address\n", e.cfg.ScanRateLimit)
	e.phases(ctx, func(clients int) phase {
		return phase{name: fmt.Sprintf("scan c=%d", clients), clients: clients, want: 200, next: func() (request, bool) {
			i := rand.IntN(len(res))
			u := int(res[i].unit)
			if rand.IntN(5) == 0 {
				u = rand.IntN(len(units.units))
			}
			return request{method: "GET", path: "/api/v1/scan/" + units.units[u].Scene, token: tokens[i]}, true
		}}
	})
	return nil
}

// runDeclare: POST /api/v1/declarations, each a new person (a distinct valid
// ID number) declaring into a unit of an approved house; units of capacity
// 4 filled round-robin, so that no unit is overcrowded. One in ten moved in
// five days ago and is declared late (a late_declaration task opens).
func runDeclare(ctx context.Context, e *env) error {
	n := or(e.opt.n, 50_000)
	unitCount := max(1, n/2)
	units, err := e.seedUnits(ctx, unitCount, 8, 4, nil)
	if err != nil {
		return err
	}
	start := time.Now()
	users := make([]model.User, n)
	for i := range users {
		users[i] = model.User{OpenID: fmt.Sprintf("o_decl%d", i)}
	}
	if err := insert(ctx, e, users); err != nil {
		return err
	}
	e.seeded("users", n, time.Since(start))
	ids := make([]uint64, n)
	for i, u := range users {
		ids[i] = u.ID
	}
	tokens, err := e.issueTokens(ctx, ids)
	if err != nil {
		return err
	}
	today := time.Now().In(model.Shanghai)
	pool := &counter{n: int64(unitCount * 4)}
	e.printf("# %d units of capacity 4: at most %d declarations before units fill up\n", unitCount, unitCount*4)
	okAll := e.phases(ctx, func(clients int) phase {
		return phase{name: fmt.Sprintf("declare c=%d", clients), clients: clients, want: 201, next: func() (request, bool) {
			i, ok := pool.take()
			if !ok {
				return request{}, false
			}
			moveIn := today
			if i%10 == 9 {
				moveIn = today.AddDate(0, 0, -5)
			}
			body, _ := json.Marshal(map[string]string{
				"scene": units.units[i%unitCount].Scene, "name": "压测" + string(rune('甲'+i%10)) + string(rune('子'+i%12)),
				"id_number": idNumber(i), "phone": fmt.Sprintf("13%09d", i), "hometown": "安徽省阜阳市",
				"workplace": "余姚市压测工厂", "move_in_date": moveIn.Format(time.DateOnly), "relation": "本人",
			})
			return request{method: "POST", path: "/api/v1/declarations", token: tokens[i%n], body: body}, true
		}}
	})
	var residences, late int64
	e.app.DB.WithContext(ctx).Model(&model.Residence{}).Count(&residences)
	e.app.DB.WithContext(ctx).Model(&model.Task{}).Where("type = ?", model.TaskLateDeclaration).Count(&late)
	e.printf("# check: %d answers 201 (warm-up included), %d residences written, %d late_declaration tasks\n", okAll, residences, late)
	if !e.opt.explain {
		return nil
	}
	// One declaration statement by statement.
	db, tr := traceDB(e.app.DB)
	tiers := tier.NewService(db, tier.DefaultThresholds(), time.Now)
	svc := residence.NewService(residence.Deps{
		DB: db, Sealer: e.app.Sealer, Houses: house.NewService(db, area.NewService(e.app.DB, time.Now), time.Now),
		Schedule: e.app.Keeper, Tasks: task.NewOpener(time.Now, nil), Tiers: tiers, Audit: audit.NewService(db, time.Now),
		Log: e.app.Log, Now: time.Now,
		Rules: residence.Rules{DeclareDeadline: e.cfg.DeclareDeadline, CheckinPeriod: e.cfg.CheckinPeriod},
	})
	return e.profile(ctx, "residence.Service.Declare", 50, tr, func(int) error {
		i, ok := pool.take()
		if !ok {
			return errExhausted
		}
		_, _, err := svc.Declare(ctx, ids[i%n], residence.Declaration{
			Scene: units.units[i%unitCount].Scene, Name: "压测甲子", IDNumber: idNumber(i), Phone: fmt.Sprintf("13%09d", i),
			Hometown: "安徽省阜阳市", Workplace: "余姚市压测工厂", MoveInDate: today.Format(time.DateOnly), Relation: "本人",
		}, audit.Actor{Kind: model.ActorUser, ID: ids[i%n], IP: "127.0.0.1"})
		return err
	})
}
