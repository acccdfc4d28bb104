package checkin

import (
	"context"
	"errors"
	"time"

	"gorm.io/gorm"

	"yaoju/model"
	"yaoju/service/errs"
	"yaoju/service/house"
	"yaoju/service/tier"
)

// Rules are the check-in periods from config.
type Rules struct {
	Period time.Duration
	// GreenPeriod, when set, is the longer period of green residents.
	GreenPeriod time.Duration
	// Repeat is how soon a second scan counts as the same check-in.
	Repeat time.Duration
}

// NextDue is when a residence checked in at now must check in again.
func (r Rules) NextDue(now time.Time, residentTier string) time.Time {
	if r.GreenPeriod > 0 && residentTier == model.TierGreen {
		return now.Add(r.GreenPeriod)
	}
	return now.Add(r.Period)
}

// Service records check-ins.
type Service struct {
	db     *gorm.DB
	keeper *Keeper
	tiers  *tier.Service
	rules  Rules
	now    func() time.Time
}

// NewService builds the check-in service.
func NewService(db *gorm.DB, keeper *Keeper, tiers *tier.Service, rules Rules, now func() time.Time) *Service {
	if rules.Repeat == 0 {
		rules.Repeat = 10 * time.Minute
	}
	return &Service{db: db, keeper: keeper, tiers: tiers, rules: rules, now: now}
}

// Result is a recorded check-in.
type Result struct {
	CheckedInAt    time.Time
	NextCheckinDue time.Time
}

// Checkin records a tenant's scan at their door. The scanned scene must be
// the residence's own unit: it proves the tenant stood at the door. A scan
// repeated within a few minutes is the same check-in.
func (s *Service) Checkin(ctx context.Context, userID, residenceID uint64, scene string) (Result, error) {
	now := s.now()
	var out Result
	err := s.db.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		var r model.Residence
		err := tx.Where("id = ? AND user_id = ?", residenceID, userID).First(&r).Error
		if errors.Is(err, gorm.ErrRecordNotFound) {
			return errs.ErrNotFound
		}
		if err != nil {
			return err
		}
		if r.Status != model.ResidenceActive {
			return errs.ErrNotActive
		}
		if !house.ValidScene(scene) {
			return errs.ErrSceneMismatch
		}
		var unitScene string
		if err := tx.Model(&model.Unit{}).Where("id = ?", r.UnitID).Pluck("scene", &unitScene).Error; err != nil {
			return err
		}
		if unitScene != scene {
			return errs.ErrSceneMismatch
		}
		if r.LastCheckinAt != nil && now.Sub(*r.LastCheckinAt) < s.rules.Repeat {
			out = Result{CheckedInAt: *r.LastCheckinAt, NextCheckinDue: *r.NextCheckinDue}
			return nil
		}
		c := model.Checkin{ResidenceID: r.ID, AreaID: r.AreaID, At: now, DueAt: r.NextCheckinDue, Source: model.SourceScan,
			OnTime: r.NextCheckinDue == nil || !now.After(*r.NextCheckinDue)}
		if err := tx.Create(&c).Error; err != nil {
			return err
		}
		if err := s.tiers.Refresh(ctx, tx, &r); err != nil {
			return err
		}
		next := s.rules.NextDue(now, r.Tier)
		err = tx.Model(&model.Residence{}).Where("id = ?", r.ID).
			Updates(map[string]any{"last_checkin_at": now, "next_checkin_due": next, "renewed_at": now}).Error
		out = Result{CheckedInAt: now, NextCheckinDue: next}
		return err
	})
	if err != nil {
		return out, err
	}
	// Also cancels a pending escalation: a residence has one next step.
	s.keeper.Due(ctx, residenceID, out.NextCheckinDue)
	return out, nil
}

// Confirm records a worker's visit that found the tenant still living
// there: a check-in by the worker, and the clock restarts. It runs in the
// worker's transaction; the caller reschedules after the commit.
func (s *Service) Confirm(ctx context.Context, tx *gorm.DB, r *model.Residence) (time.Time, error) {
	now := s.now()
	c := model.Checkin{ResidenceID: r.ID, AreaID: r.AreaID, At: now, DueAt: r.NextCheckinDue, Source: model.SourceWorker}
	if err := tx.WithContext(ctx).Create(&c).Error; err != nil {
		return now, err
	}
	next := s.rules.NextDue(now, r.Tier)
	err := tx.WithContext(ctx).Model(&model.Residence{}).Where("id = ?", r.ID).
		Updates(map[string]any{"last_checkin_at": now, "next_checkin_due": next, "renewed_at": now}).Error
	return next, err
}
