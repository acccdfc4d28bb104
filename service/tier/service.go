package tier

import (
	"context"
	"time"

	"gorm.io/gorm"

	"yaoju/model"
)

// Service loads a person's history and stores their tier.
type Service struct {
	db         *gorm.DB
	thresholds Thresholds
	now        func() time.Time
}

// NewService builds the tier service.
func NewService(db *gorm.DB, t Thresholds, now func() time.Time) *Service {
	return &Service{db: db, thresholds: t, now: now}
}

// Of computes the tier of a person from their history in db (pass the
// transaction when the history just changed).
func (s *Service) Of(ctx context.Context, db *gorm.DB, personID uint64) (string, error) {
	h, err := s.history(ctx, db, personID)
	if err != nil {
		return "", err
	}
	return Compute(h, s.thresholds), nil
}

func (s *Service) history(ctx context.Context, db *gorm.DB, personID uint64) (History, error) {
	now := s.now()
	halfYear, year := now.AddDate(0, -6, 0), now.AddDate(-1, 0, 0)
	var h History
	residences := db.WithContext(ctx).Model(&model.Residence{}).Select("id").Where("person_id = ?", personID)
	var checkins []struct{ OnTime bool }
	err := db.WithContext(ctx).Model(&model.Checkin{}).Select("on_time").
		Where("residence_id IN (?) AND due_at IS NOT NULL AND due_at >= ?", residences, halfYear).Scan(&checkins).Error
	if err != nil {
		return h, err
	}
	for _, c := range checkins {
		h.CheckinsDue++
		if c.OnTime {
			h.CheckinsOnTime++
		}
	}
	var overdue struct{ Year, Half int64 }
	err = db.WithContext(ctx).Model(&model.Task{}).
		Select("COUNT(*) AS year, COALESCE(SUM(CASE WHEN opened_at >= ? THEN 1 ELSE 0 END), 0) AS half", halfYear).
		Where("residence_id IN (?) AND type = ? AND opened_at >= ?", residences, model.TaskOverdueCheckin, year).
		Scan(&overdue).Error
	if err != nil {
		return h, err
	}
	// A period that ended on the worklist fell due and was missed.
	h.CheckinsDue += int(overdue.Half)
	var moves int64
	err = db.WithContext(ctx).Model(&model.Residence{}).
		Where("person_id = ? AND end_reason = ? AND ended_at >= ?", personID, model.EndMoved, year).Count(&moves).Error
	h.OverdueTasks, h.Moves = int(overdue.Year), int(moves)
	return h, err
}

// Refresh recomputes the tier of a residence's person and writes it to the
// residence and its open tasks.
func (s *Service) Refresh(ctx context.Context, db *gorm.DB, r *model.Residence) error {
	t, err := s.Of(ctx, db, r.PersonID)
	if err != nil || t == r.Tier {
		return err
	}
	r.Tier = t
	if err := db.WithContext(ctx).Model(&model.Residence{}).Where("id = ?", r.ID).Update("tier", t).Error; err != nil {
		return err
	}
	return db.WithContext(ctx).Model(&model.Task{}).Where("residence_id = ? AND status <> ?", r.ID, model.TaskClosed).
		Updates(map[string]any{"tier": t, "tier_rank": Rank(t)}).Error
}
