package api_test

import (
	"fmt"
	"testing"
	"time"

	"yaoju/app/apptest"
	"yaoju/config"
	"yaoju/model"
)

func shortPeriods(c *config.Config) {
	c.CheckinPeriod = 2 * time.Second
	c.CheckinGrace = 2 * time.Second
	c.SweepInterval = 100 * time.Millisecond
}

func countRows(e *apptest.Env, m any, where string, args ...any) int64 {
	var n int64
	e.App.DB.Model(m).Where(where, args...).Count(&n)
	return n
}

func TestCheckin_EndToEndReminderSMSFallbackEscalationAndCheckin(t *testing.T) {
	e := apptest.New(t, apptest.WithConfig(shortPeriods))
	f := approvedHouse(t, e, "e2e", "舜水社区", 2, 2)
	template := e.App.Config.ReminderTemplate

	alice := e.WxLogin("alice")
	credits := e.Must(200, "POST", "/api/v1/me/subscriptions", map[string]any{"template_ids": []string{template}}, alice).Map(t)
	if credits["credits"].(map[string]any)[template] != 1.0 {
		t.Fatalf("credits: %v", credits)
	}
	a := declare(t, e, alice, declaration(f.units[0].Scene, aliceID), 201)
	bob := e.WxLogin("bob") // no subscription credit: SMS instead
	bobBody := declaration(f.units[1].Scene, bobID)
	bobBody["phone"] = "13900001234"
	b := declare(t, e, bob, bobBody, 201)
	e.StartWorkers()

	e.Eventually(10*time.Second, "one WeChat reminder", func() bool { return len(e.Sim.Messages()) >= 1 })
	msg := e.Sim.Messages()[0]
	if msg.ToUser != "o_alice" || msg.TemplateID != template || msg.Page != fmt.Sprintf("pages/checkin/index?residence_id=%d", a.ID) {
		t.Fatalf("message: %+v", msg)
	}
	e.Eventually(10*time.Second, "Bob's SMS sent", func() bool {
		return countRows(e, &model.Notification{}, "residence_id = ? AND channel = ? AND status = ?", b.ID, "sms", "sent") == 1
	})

	// The grace passes: exactly one overdue task each.
	e.Eventually(10*time.Second, "overdue tasks", func() bool {
		return countRows(e, &model.Task{}, "type = ?", model.TaskOverdueCheckin) == 2
	})
	time.Sleep(500 * time.Millisecond) // more sweeps: still one each
	if n := countRows(e, &model.Task{}, "type = ? AND residence_id = ?", model.TaskOverdueCheckin, a.ID); n != 1 {
		t.Fatalf("%d overdue tasks for one period", n)
	}
	if n := countRows(e, &model.Notification{}, "residence_id = ? AND template = ?", a.ID, "checkin_reminder"); n != 1 {
		t.Fatalf("%d reminders for one period", n)
	}

	// Alice checks in at her door: the next due moves, and after it the
	// next period's reminder comes (once) — and no more for the old one.
	var res struct {
		CheckedInAt    string `json:"checked_in_at"`
		NextCheckinDue string `json:"next_checkin_due"`
	}
	e.Must(200, "POST", fmt.Sprintf("/api/v1/me/residences/%d/checkin", a.ID), map[string]string{"scene": f.units[0].Scene}, alice).Data(t, &res)
	next, err := time.Parse(time.RFC3339, res.NextCheckinDue)
	if err != nil || next.Before(time.Now()) {
		t.Fatalf("next due %q", res.NextCheckinDue)
	}
	sentBefore := len(e.Sim.Messages())
	time.Sleep(700 * time.Millisecond) // less than the period
	if len(e.Sim.Messages()) != sentBefore {
		t.Fatal("a reminder was sent although Alice had checked in")
	}
}

func TestCheckin_WrongSceneIsRefused(t *testing.T) {
	e := apptest.New(t)
	f := approvedHouse(t, e, "scene", "舜水社区", 2, 2)
	alice := e.WxLogin("alice")
	a := declare(t, e, alice, declaration(f.units[0].Scene, aliceID), 201)
	for _, scene := range []string{f.units[1].Scene, "", "not-a-scene"} {
		r := e.Do("POST", fmt.Sprintf("/api/v1/me/residences/%d/checkin", a.ID), map[string]string{"scene": scene}, alice)
		if r.Status != 422 || r.Reason != "scene_mismatch" {
			t.Fatalf("scene %q: %d %s", scene, r.Status, r.Body)
		}
	}
	if n := countRows(e, &model.Checkin{}, "residence_id = ?", a.ID); n != 0 {
		t.Fatalf("%d check-ins recorded", n)
	}
}

func TestCheckin_EndedResidenceIsNotActive(t *testing.T) {
	e := apptest.New(t)
	f := approvedHouse(t, e, "ended", "舜水社区", 1, 2)
	alice := e.WxLogin("alice")
	a := declare(t, e, alice, declaration(f.units[0].Scene, aliceID), 201)
	e.Must(200, "POST", fmt.Sprintf("/api/v1/me/residences/%d/leave", a.ID), nil, alice)
	r := e.Do("POST", fmt.Sprintf("/api/v1/me/residences/%d/checkin", a.ID), map[string]string{"scene": f.units[0].Scene}, alice)
	if r.Status != 409 || r.Reason != "not_active" {
		t.Fatalf("%d %s", r.Status, r.Body)
	}
}

func TestCheckin_RepeatedScansAreOneCheckin(t *testing.T) {
	e := apptest.New(t)
	f := approvedHouse(t, e, "repeat", "舜水社区", 1, 2)
	alice := e.WxLogin("alice")
	a := declare(t, e, alice, declaration(f.units[0].Scene, aliceID), 201)
	path := fmt.Sprintf("/api/v1/me/residences/%d/checkin", a.ID)
	first := e.Must(200, "POST", path, map[string]string{"scene": f.units[0].Scene}, alice).Map(t)
	second := e.Must(200, "POST", path, map[string]string{"scene": f.units[0].Scene}, alice).Map(t)
	if first["next_checkin_due"] != second["next_checkin_due"] {
		t.Fatalf("second scan moved the due date: %v vs %v", first, second)
	}
	if n := countRows(e, &model.Checkin{}, "residence_id = ?", a.ID); n != 1 {
		t.Fatalf("%d check-ins for two quick scans", n)
	}
}

func TestCheckin_RecordedWhileRedisIsDownAndScheduleCatchesUp(t *testing.T) {
	e := apptest.New(t)
	mr := e.App.EmbeddedRedis()
	if mr == nil {
		t.Skip("real Redis is shared; its outage is simulated on the embedded one")
	}
	f := approvedHouse(t, e, "down", "舜水社区", 1, 2)
	alice := e.WxLogin("alice")
	r := declare(t, e, alice, declaration(f.units[0].Scene, aliceID), 201)
	e.Must(200, "GET", "/api/v1/me/residences", nil, alice) // the instance has seen the token

	mr.Close()
	var res struct {
		NextCheckinDue string `json:"next_checkin_due"`
	}
	e.Must(200, "POST", fmt.Sprintf("/api/v1/me/residences/%d/checkin", r.ID), map[string]string{"scene": f.units[0].Scene}, alice).Data(t, &res)
	if n := countRows(e, &model.Checkin{}, "residence_id = ?", r.ID); n != 1 {
		t.Fatalf("check-in not recorded while Redis was down: %d", n)
	}
	// Redis comes back empty, as after a crash without persistence.
	if err := mr.Restart(); err != nil {
		t.Fatal(err)
	}
	mr.FlushAll()
	if _, err := e.App.Sweeper.Sweep(t.Context()); err != nil {
		t.Fatal(err)
	}
	score, err := e.App.Redis.ZScore(t.Context(), e.App.Config.RedisPrefix+"{sched}:due", fmt.Sprint(r.ID)).Result()
	next, _ := time.Parse(time.RFC3339, res.NextCheckinDue)
	if err != nil || int64(score) != next.Unix() {
		t.Fatalf("schedule after Redis returned: %v %v, want %d", score, err, next.Unix())
	}
}

func TestCheckin_GreenResidentsMayGetALongerPeriod(t *testing.T) {
	e := apptest.New(t, apptest.WithConfig(func(c *config.Config) { c.GreenCheckinPeriod = 60 * 24 * time.Hour }))
	f := approvedHouse(t, e, "green", "舜水社区", 1, 2)
	alice := e.WxLogin("alice")
	r := declare(t, e, alice, declaration(f.units[0].Scene, aliceID), 201)
	checkin := func() time.Time {
		var res struct {
			NextCheckinDue string `json:"next_checkin_due"`
		}
		e.Must(200, "POST", fmt.Sprintf("/api/v1/me/residences/%d/checkin", r.ID), map[string]string{"scene": f.units[0].Scene}, alice).Data(t, &res)
		next, _ := time.Parse(time.RFC3339, res.NextCheckinDue)
		return next
	}
	// The first on-time check-in earns green; from then the period is 60 days.
	next := checkin()
	if got := next.Sub(e.Clock.Now()); got < 59*24*time.Hour {
		t.Fatalf("a green resident's next check-in is in %v", got)
	}
	var row model.Residence
	e.App.DB.First(&row, r.ID)
	if row.Tier != "green" {
		t.Fatalf("tier %s", row.Tier)
	}
}
