// Package checkin holds the monthly check-in (每月扫码签到) and the reminder
// engine: the schedule in Redis, the sweeper that claims what fell due, the
// reminders and the escalation to the worklist.
package checkin

import (
	"context"
	"errors"
	"log/slog"
	"sync/atomic"
	"time"

	"github.com/redis/go-redis/v9"
	"gorm.io/gorm"

	"yaoju/model"
	"yaoju/service/schedule"
)

// Keeper keeps the Redis schedule in step with the database. Writes never
// fail a request: when one cannot reach Redis, the keeper remembers, and the
// sweeper rebuilds the whole schedule from the database once Redis is back.
// A marker key tells the sweeper that Redis lost the schedule (a flush or a
// restart without persistence).
type Keeper struct {
	db     *gorm.DB
	rdb    redis.UniversalClient
	sched  *schedule.Schedule
	marker string
	log    *slog.Logger
	dirty  atomic.Bool
}

// NewKeeper builds the keeper.
func NewKeeper(db *gorm.DB, rdb redis.UniversalClient, sched *schedule.Schedule, prefix string, log *slog.Logger) *Keeper {
	return &Keeper{db: db, rdb: rdb, sched: sched, marker: prefix + "sched:built", log: log}
}

// Due schedules the residence's next check-in reminder.
func (k *Keeper) Due(ctx context.Context, residenceID uint64, at time.Time) {
	if err := k.sched.Set(ctx, schedule.Due, residenceID, at); err != nil {
		k.missed(residenceID, err)
	}
}

// Forget removes an ended residence from the schedule.
func (k *Keeper) Forget(ctx context.Context, residenceID uint64) {
	if err := k.sched.Remove(ctx, residenceID); err != nil {
		k.missed(residenceID, err)
	}
}

func (k *Keeper) missed(residenceID uint64, err error) {
	k.dirty.Store(true)
	k.log.Warn("schedule write missed; it will be rebuilt from the database", "residence_id", residenceID, "err", err.Error())
}

// EnsureFresh rebuilds the schedule if a write was missed or Redis lost it.
func (k *Keeper) EnsureFresh(ctx context.Context) error {
	if !k.dirty.Load() {
		n, err := k.rdb.Exists(ctx, k.marker).Result()
		if err != nil {
			return err
		}
		if n == 1 {
			return nil
		}
	}
	_, err := k.Rebuild(ctx)
	return err
}

// Rebuild replaces the schedule with the database's truth: every active
// residence is due at its next check-in. Entries whose reminder was already
// sent are found out by the reminder's dedupe key and move on to escalation,
// so nothing is sent twice.
func (k *Keeper) Rebuild(ctx context.Context) (int, error) {
	k.dirty.Store(false)
	var lastID uint64
	var page []model.Residence
	i := 0
	next := func() (uint64, schedule.Stage, time.Time, bool, error) {
		if i == len(page) {
			page = page[:0]
			err := k.db.WithContext(ctx).Select("id, next_checkin_due").
				Where("status = ? AND next_checkin_due IS NOT NULL AND id > ?", model.ResidenceActive, lastID).
				Order("id").Limit(5000).Find(&page).Error
			if err != nil {
				return 0, "", time.Time{}, false, err
			}
			i = 0
			if len(page) == 0 {
				return 0, "", time.Time{}, false, nil
			}
			lastID = page[len(page)-1].ID
		}
		r := page[i]
		i++
		return r.ID, schedule.Due, *r.NextCheckinDue, true, nil
	}
	n, err := k.sched.Rebuild(ctx, next)
	if err != nil {
		k.dirty.Store(true)
		return n, err
	}
	if err := k.rdb.Set(ctx, k.marker, time.Now().Unix(), 0).Err(); err != nil {
		k.dirty.Store(true)
		return n, errors.Join(errors.New("schedule rebuilt but marker not set"), err)
	}
	k.log.Info("check-in schedule rebuilt from the database", "entries", n)
	return n, nil
}
