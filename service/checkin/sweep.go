package checkin

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"gorm.io/gorm"

	"yaoju/model"
	"yaoju/service/notify"
	"yaoju/service/schedule"
	"yaoju/service/task"
	"yaoju/service/tier"
)

// SweepConfig is the sweeper's settings.
type SweepConfig struct {
	Interval time.Duration
	Grace    time.Duration
	// Batch is how many entries one claim takes; Lease how long they stay
	// hidden from other sweepers before coming back (a crashed sweeper).
	Batch int
	Lease time.Duration
}

// Sweeper claims due check-ins from the schedule: at the due time it queues
// the reminder, and after the grace period it opens the overdue task. Every
// instance runs one; they share the work through the schedule's leases and
// never duplicate an effect, because each carries a unique key in the
// database.
type Sweeper struct {
	db       *gorm.DB
	sched    *schedule.Schedule
	keeper   *Keeper
	reminder *notify.Reminders
	tasks    *task.Opener
	tiers    *tier.Service
	cfg      SweepConfig
	now      func() time.Time
	log      *slog.Logger
	metrics  sweepMetrics
}

type sweepMetrics struct {
	claimed  *prometheus.CounterVec
	duration prometheus.Histogram
}

// NewSweeper builds a sweeper.
func NewSweeper(db *gorm.DB, sched *schedule.Schedule, keeper *Keeper, reminders *notify.Reminders, tasks *task.Opener,
	tiers *tier.Service, cfg SweepConfig, now func() time.Time, log *slog.Logger, reg prometheus.Registerer) *Sweeper {
	if cfg.Batch == 0 {
		cfg.Batch = 500
	}
	if cfg.Lease == 0 {
		cfg.Lease = 2 * time.Minute
	}
	m := sweepMetrics{
		claimed: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "yaoju_schedule_claimed_total", Help: "Schedule entries claimed by stage.",
		}, []string{"stage"}),
		duration: prometheus.NewHistogram(prometheus.HistogramOpts{
			Name: "yaoju_sweep_duration_seconds", Help: "Time a sweep takes.",
			Buckets: prometheus.ExponentialBuckets(0.001, 4, 10),
		}),
	}
	reg.MustRegister(m.claimed, m.duration)
	return &Sweeper{db: db, sched: sched, keeper: keeper, reminder: reminders, tasks: tasks, tiers: tiers,
		cfg: cfg, now: now, log: log, metrics: m}
}

// Run sweeps every interval until ctx ends.
func (s *Sweeper) Run(ctx context.Context) {
	t := time.NewTicker(s.cfg.Interval)
	defer t.Stop()
	for {
		if _, err := s.Sweep(ctx); err != nil && ctx.Err() == nil {
			s.log.Warn("sweep failed; retrying next interval", "err", err.Error())
		}
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
	}
}

// Swept counts what one sweep did.
type Swept struct {
	Reminded  int
	Escalated int
}

// Sweep takes everything due now, batch by batch.
func (s *Sweeper) Sweep(ctx context.Context) (Swept, error) {
	start := time.Now()
	defer func() { s.metrics.duration.Observe(time.Since(start).Seconds()) }()
	var out Swept
	if err := s.keeper.EnsureFresh(ctx); err != nil {
		return out, fmt.Errorf("schedule: %w", err)
	}
	for _, stage := range []schedule.Stage{schedule.Due, schedule.Escalate} {
		for ctx.Err() == nil {
			claimed, err := s.sched.Claim(ctx, stage, s.now(), s.cfg.Lease, s.cfg.Batch)
			if err != nil {
				return out, err
			}
			if len(claimed) == 0 {
				break
			}
			s.metrics.claimed.WithLabelValues(string(stage)).Add(float64(len(claimed)))
			n, err := s.process(ctx, stage, claimed)
			if stage == schedule.Due {
				out.Reminded += n
			} else {
				out.Escalated += n
			}
			if err != nil {
				return out, err
			}
		}
	}
	return out, ctx.Err()
}

// process handles one claimed batch and reports how many effects it had.
func (s *Sweeper) process(ctx context.Context, stage schedule.Stage, claimed []schedule.Claimed) (int, error) {
	ids := make([]uint64, len(claimed))
	for i, c := range claimed {
		ids[i] = c.ResidenceID
	}
	var list []model.Residence
	if err := s.db.WithContext(ctx).Where("id IN ?", ids).Find(&list).Error; err != nil {
		return 0, err
	}
	byID := make(map[uint64]*model.Residence, len(list))
	for i := range list {
		byID[list[i].ID] = &list[i]
	}
	now := s.now()
	var finished []schedule.Claimed
	var remind []model.Residence
	var reminded []schedule.Claimed
	effects := 0
	for _, c := range claimed {
		r := byID[c.ResidenceID]
		switch {
		case r == nil || r.Status != model.ResidenceActive || r.NextCheckinDue == nil:
			finished = append(finished, c) // ended: nothing more to do
		case stage == schedule.Due && r.NextCheckinDue.After(now):
			s.keeper.Due(ctx, r.ID, *r.NextCheckinDue) // checked in meanwhile
		case stage == schedule.Escalate && r.NextCheckinDue.Add(s.cfg.Grace).After(now):
			if r.NextCheckinDue.After(now) {
				s.keeper.Due(ctx, r.ID, *r.NextCheckinDue)
			} else {
				s.advance(ctx, stage, c, schedule.Escalate, r.NextCheckinDue.Add(s.cfg.Grace))
			}
		case stage == schedule.Due:
			remind = append(remind, *r)
			reminded = append(reminded, c)
		default:
			opened, err := s.escalate(ctx, r)
			if err != nil {
				return effects, err
			}
			if opened {
				effects++
			}
			// Off the schedule until a check-in or the worker's visit.
			finished = append(finished, c)
		}
	}
	if len(remind) > 0 {
		n, err := s.reminder.Queue(ctx, remind)
		if err != nil {
			return effects, err
		}
		effects += n
		moves := make([]schedule.Move, len(reminded))
		for i, c := range reminded {
			moves[i] = schedule.Move{Claimed: c, At: remind[i].NextCheckinDue.Add(s.cfg.Grace)}
		}
		// Entries not moved were scheduled again meanwhile (a check-in); a
		// failed move lets the lease run out, and the dedupe key stops the
		// reminder twice.
		if _, err := s.sched.AdvanceAll(ctx, stage, schedule.Escalate, moves); err != nil {
			s.log.Warn("schedule advance failed", "err", err.Error())
		}
	}
	if len(finished) > 0 {
		if _, err := s.sched.DoneAll(ctx, stage, finished); err != nil {
			return effects, err
		}
	}
	return effects, nil
}

func (s *Sweeper) advance(ctx context.Context, from schedule.Stage, c schedule.Claimed, to schedule.Stage, at time.Time) {
	err := s.sched.Advance(ctx, from, c, to, at)
	if err != nil && !errors.Is(err, schedule.ErrLeaseLost) {
		// The lease runs out and the entry comes back: the effect's key
		// stops it happening twice.
		s.log.Warn("schedule advance failed", "residence_id", c.ResidenceID, "err", err.Error())
	}
}

// escalate opens the overdue_checkin task for the residence's period.
func (s *Sweeper) escalate(ctx context.Context, r *model.Residence) (bool, error) {
	var opened bool
	err := s.db.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		var err error
		if opened, err = s.tasks.Open(ctx, tx, task.OverdueCheckin(*r, *r.NextCheckinDue)); err != nil || !opened {
			return err
		}
		return s.tiers.Refresh(ctx, tx, r)
	})
	return opened, err
}
