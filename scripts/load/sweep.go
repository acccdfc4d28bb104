package main

import (
	"context"
	"fmt"
	"time"

	"yaoju/model"
	"yaoju/service/notify"
	"yaoju/service/schedule"
)

// runSweep: the reminder sweep end to end at the app level. It seeds n
// residences due now (default 100,000; their due times spread over the last
// day) among -scheduled residences on the schedule in all (the rest due over
// the next 30 days), rebuilds the Redis schedule from the database, and
// times one a.Sweeper.Sweep: claims from Redis, loads the residences, writes
// one reminder each to the outbox (WeChat for the 30% holding a subscription
// credit, SMS for the rest), and moves each entry to the escalation stage.
func runSweep(ctx context.Context, e *env) error {
	due := or(e.opt.n, 100_000)
	total := max(e.opt.scheduled, due)
	now := time.Now().UTC()
	units, err := e.seedUnits(ctx, max(1, due/4), 8, 4, nil)
	if err != nil {
		return err
	}
	res, err := e.seedResidences(ctx, residenceSeed{n: due, people: true, units: units, fill: func(i int, r *model.Residence) {
		at := now.Add(-time.Minute - time.Duration(i%86_400)*time.Second)
		last := at.Add(-period)
		r.NextCheckinDue, r.LastCheckinAt, r.RenewedAt = &at, &last, last
	}})
	if err != nil {
		return err
	}
	if total > due {
		// Not due: only the residences table and the schedule hold them, and
		// the sweep reads neither row (user and person rows are left out).
		_, err := e.seedResidences(ctx, residenceSeed{n: total - due, people: false, units: units, fill: func(i int, r *model.Residence) {
			at := now.Add(time.Hour + time.Duration(i%(30*86_400))*time.Second)
			last := at.Add(-period)
			r.NextCheckinDue, r.LastCheckinAt, r.RenewedAt = &at, &last, last
		}})
		if err != nil {
			return err
		}
	}
	credits := 0
	err = stream(ctx, e, "subscription credits", (due+2)/3, func(i int, c *model.SubscriptionCredit) {
		*c = model.SubscriptionCredit{UserID: res[i*3].userID, TemplateID: e.cfg.ReminderTemplate, Credits: 1}
		credits++
	})
	if err != nil {
		return err
	}
	if _, err := e.rebuildSchedule(ctx); err != nil {
		return err
	}
	sched := schedule.New(e.app.Redis, e.cfg.RedisPrefix)
	scheduled, _ := sched.Len(ctx, schedule.Due)
	e.printf("# load average before the sweep: %s\n", loadAvg())

	before := takeCPU()
	start := time.Now()
	swept, err := e.app.Sweeper.Sweep(ctx)
	elapsed := time.Since(start)
	cpu := cpuUse(before, takeCPU())
	if err != nil {
		return fmt.Errorf("sweep: %w", err)
	}
	e.printf("sweep scheduled=%d due=%d  reminded=%d in %.2fs = %.0f reminders/s  (load %s)\n",
		scheduled, due, swept.Reminded, elapsed.Seconds(), float64(swept.Reminded)/elapsed.Seconds(), loadAvg())
	e.printf("    %s\n", cpu)

	var byChannel []struct {
		Channel string
		N       int64
	}
	e.app.DB.WithContext(ctx).Model(&model.Notification{}).Select("channel, COUNT(*) AS n").
		Where("template = ?", "checkin_reminder").Group("channel").Scan(&byChannel)
	left, _ := sched.Len(ctx, schedule.Due)
	escalating, _ := sched.Len(ctx, schedule.Escalate)
	e.printf("# check: outbox by channel %v (credits given to %d users); schedule now due=%d escalate=%d\n",
		byChannel, credits, left, escalating)

	start = time.Now()
	again, err := e.app.Sweeper.Sweep(ctx)
	if err != nil {
		return err
	}
	e.printf("sweep again (nothing due): reminded=%d in %s\n", again.Reminded, fmtDur(time.Since(start)))
	if w := warnings.summary(); w != "" {
		e.printf("    server warnings: %s\n", w)
	}
	if !e.opt.explain {
		return nil
	}
	// Where a batch's time goes: the reminders of 500 residences, queued
	// statement by statement (for due times a period later, so that they are
	// new reminders, not dedupe clashes).
	db, tr := traceDB(e.app.DB)
	reminders := notify.NewReminders(db, e.cfg.SubscribeMode, e.cfg.ReminderTemplate, time.Now)
	const batch = 500
	return e.profile(ctx, "notify.Reminders.Queue of a 500-residence batch", 4, tr, func(k int) error {
		ids := make([]uint64, batch)
		for j := range ids {
			ids[j] = res[k*batch+j].id
		}
		var list []model.Residence
		if err := e.app.DB.WithContext(ctx).Where("id IN ?", ids).Find(&list).Error; err != nil {
			return err
		}
		tr.take() // the load above is the sweep's one query per batch, not Queue's
		for j := range list {
			later := list[j].NextCheckinDue.Add(period)
			list[j].NextCheckinDue = &later
		}
		n, err := reminders.Queue(ctx, list)
		if err == nil && n != len(list) {
			err = fmt.Errorf("queued %d of %d", n, len(list))
		}
		return err
	})
}
