package checkin_test

import (
	"context"
	"fmt"
	"sync"
	"testing"
	"time"

	"yaoju/app/apptest"
	"yaoju/model"
	"yaoju/service/schedule"
)

// seedDue writes n active residences whose check-in fell due a minute ago,
// straight into the database, and rebuilds the schedule from it.
func seedDue(t *testing.T, e *apptest.Env, n int) {
	t.Helper()
	now := e.Clock.Now()
	due := now.Add(-time.Minute)
	var unit model.Unit
	if err := e.App.DB.First(&unit).Error; err != nil {
		t.Fatal(err)
	}
	const chunk = 500
	for start := 0; start < n; start += chunk {
		var users []model.User
		var persons []model.Person
		for i := start; i < min(start+chunk, n); i++ {
			users = append(users, model.User{OpenID: fmt.Sprintf("o_load%d", i)})
			persons = append(persons, model.Person{IDCipher: []byte{1}, IDIndex: fmt.Sprintf("load-%d", i), IDMasked: "x", Name: "测试"})
		}
		if err := e.App.DB.Create(&users).Error; err != nil {
			t.Fatal(err)
		}
		if err := e.App.DB.Create(&persons).Error; err != nil {
			t.Fatal(err)
		}
		var residences []model.Residence
		for i := range users {
			residences = append(residences, model.Residence{
				PersonID: persons[i].ID, ActivePersonID: &persons[i].ID, UserID: users[i].ID, UnitID: unit.ID, AreaID: 1,
				Status: model.ResidenceActive, Tier: model.TierYellow, Phone: "13800000000", PhoneTail: "0000",
				Source: model.SourceScan, MoveInDate: now, DeclaredAt: now, RenewedAt: now, NextCheckinDue: &due,
			})
		}
		if err := e.App.DB.Create(&residences).Error; err != nil {
			t.Fatal(err)
		}
	}
	if _, err := e.App.Keeper.Rebuild(context.Background()); err != nil {
		t.Fatal(err)
	}
}

// reminders counts queued reminders and distinct residences reminded.
func reminders(t *testing.T, e *apptest.Env) (rows, residences int64) {
	t.Helper()
	e.App.DB.Model(&model.Notification{}).Where("template = ?", "checkin_reminder").Count(&rows)
	e.App.DB.Model(&model.Notification{}).Where("template = ?", "checkin_reminder").
		Distinct("residence_id").Count(&residences)
	return rows, residences
}

func TestSweep_TwoSweepersRemindTenThousandExactlyOnce(t *testing.T) {
	e := apptest.New(t)
	twin := e.Twin()
	const n = 10_000
	seedDue(t, e, n)

	var wg sync.WaitGroup
	counts := make([]int, 2)
	for i, env := range []*apptest.Env{e, twin} {
		wg.Add(1)
		go func() {
			defer wg.Done()
			swept, err := env.App.Sweeper.Sweep(context.Background())
			if err != nil {
				t.Error(err)
			}
			counts[i] = swept.Reminded
		}()
	}
	wg.Wait()
	rows, distinct := reminders(t, e)
	if rows != n || distinct != n || counts[0]+counts[1] != n {
		t.Fatalf("reminders: %d rows for %d residences; sweepers queued %v", rows, distinct, counts)
	}
	t.Logf("sweepers shared the work: %v", counts)
	// A further sweep finds nothing new to remind.
	if swept, _ := e.App.Sweeper.Sweep(context.Background()); swept.Reminded != 0 {
		t.Fatalf("second sweep queued %d", swept.Reminded)
	}
}

func TestSweep_KilledSweepersClaimsComeBackAfterTheLease(t *testing.T) {
	e := apptest.New(t)
	const n = 2_000
	seedDue(t, e, n)
	// A sweeper claims a batch and dies before doing anything with it.
	sched := schedule.New(e.App.Redis, e.App.Config.RedisPrefix)
	lost, err := sched.Claim(context.Background(), schedule.Due, e.Clock.Now(), 2*time.Minute, 500)
	if err != nil || len(lost) != 500 {
		t.Fatalf("claim: %d, %v", len(lost), err)
	}
	swept, err := e.App.Sweeper.Sweep(context.Background())
	if err != nil || swept.Reminded != n-500 {
		t.Fatalf("first sweep: %+v %v", swept, err)
	}
	e.Clock.Advance(3 * time.Minute) // the dead sweeper's lease runs out
	swept, err = e.App.Sweeper.Sweep(context.Background())
	if err != nil || swept.Reminded != 500 {
		t.Fatalf("after the lease: %+v %v", swept, err)
	}
	if rows, distinct := reminders(t, e); rows != n || distinct != n {
		t.Fatalf("reminders: %d rows, %d residences", rows, distinct)
	}
}

func TestSweep_RedisLosesTheScheduleNothingMissedOrDoubled(t *testing.T) {
	e := apptest.New(t)
	const n = 1_000
	seedDue(t, e, n)
	sched := schedule.New(e.App.Redis, e.App.Config.RedisPrefix)
	// Half are reminded, then Redis loses everything.
	claimed, _ := sched.Claim(context.Background(), schedule.Due, e.Clock.Now(), time.Minute, 1)
	if len(claimed) != 1 {
		t.Fatal("nothing due")
	}
	sched.Set(context.Background(), schedule.Due, claimed[0].ResidenceID, claimed[0].DueAt)
	partial, err := e.App.Sweeper.Sweep(context.Background())
	if err != nil || partial.Reminded != n {
		t.Fatalf("first sweep: %+v %v", partial, err)
	}
	flushPrefix(t, e)
	if l, _ := sched.Len(context.Background(), schedule.Due); l != 0 {
		t.Fatalf("schedule not flushed: %d", l)
	}
	// The next sweep notices, rebuilds from the database, and its effects
	// are already there.
	swept, err := e.App.Sweeper.Sweep(context.Background())
	if err != nil || swept.Reminded != 0 {
		t.Fatalf("sweep after the flush: %+v %v", swept, err)
	}
	if rows, distinct := reminders(t, e); rows != n || distinct != n {
		t.Fatalf("reminders: %d rows, %d residences", rows, distinct)
	}
	if l, _ := sched.Len(context.Background(), schedule.Escalate); l != n {
		t.Fatalf("escalations scheduled after the rebuild: %d, want %d", l, n)
	}
	// A restart also rebuilds: a new instance on the same stores.
	flushPrefix(t, e)
	e.Twin()
	if l, _ := sched.Len(context.Background(), schedule.Due); l != n {
		t.Fatalf("a restart rebuilt %d entries, want %d", l, n)
	}
}

// flushPrefix deletes this test's Redis keys: a FLUSHALL for it alone.
func flushPrefix(t *testing.T, e *apptest.Env) {
	t.Helper()
	ctx := context.Background()
	iter := e.App.Redis.Scan(ctx, 0, e.App.Config.RedisPrefix+"*", 1000).Iterator()
	for iter.Next(ctx) {
		e.App.Redis.Del(ctx, iter.Val())
	}
}
