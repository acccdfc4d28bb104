// Package worklist is the community worker's list of cases (流管通): list,
// start, and close with an outcome whose effect on the records is applied in
// the same transaction.
package worklist

import (
	"context"
	"slices"
	"strings"
	"time"
	"unicode/utf8"

	"gorm.io/gorm"

	"yaoju/model"
	"yaoju/service/area"
	"yaoju/service/audit"
	"yaoju/service/checkin"
	"yaoju/service/errs"
	"yaoju/service/house"
	"yaoju/service/residence"
	"yaoju/service/task"
	"yaoju/service/tier"
)

// Service holds the worklist.
type Service struct {
	db         *gorm.DB
	residences *residence.Service
	checkins   *checkin.Service
	houses     *house.Service
	tasks      *task.Opener
	tiers      *tier.Service
	audit      *audit.Service
	schedule   residence.Scheduler
	closed     func(taskType, outcome string)
	now        func() time.Time
}

// Deps are the worklist's collaborators.
type Deps struct {
	DB         *gorm.DB
	Residences *residence.Service
	Checkins   *checkin.Service
	Houses     *house.Service
	Tasks      *task.Opener
	Tiers      *tier.Service
	Audit      *audit.Service
	Schedule   residence.Scheduler
	// Closed is told of every task closed (metrics).
	Closed func(taskType, outcome string)
	Now    func() time.Time
}

// NewService builds the worklist.
func NewService(d Deps) *Service {
	if d.Closed == nil {
		d.Closed = func(string, string) {}
	}
	return &Service{db: d.DB, residences: d.Residences, checkins: d.Checkins, houses: d.Houses, tasks: d.Tasks,
		tiers: d.Tiers, audit: d.Audit, schedule: d.Schedule, closed: d.Closed, now: d.Now}
}

var (
	taskTypes = []string{model.TaskOverdueCheckin, model.TaskExpired, model.TaskInfoChanged,
		model.TaskUnregistered, model.TaskOvercrowded, model.TaskLateDeclaration}
	statuses = []string{model.TaskOpen, model.TaskInProgress, model.TaskClosed}
	outcomes = []string{model.OutcomeStillLiving, model.OutcomeLeft, model.OutcomeCorrected, model.OutcomeNotFound}
)

// Filter narrows the worklist.
type Filter struct {
	Scope  area.Scope
	Status string
	Type   string
	Offset int
	Limit  int
}

// List is the worklist: worst tier first, then oldest. It is served by the
// index (status, area_id, tier_rank, opened_at).
func (s *Service) List(ctx context.Context, f Filter) ([]Item, int64, error) {
	q := s.db.WithContext(ctx).Model(&model.Task{})
	if f.Status != "" {
		if !slices.Contains(statuses, f.Status) {
			return nil, 0, errs.Invalid("status", "")
		}
		q = q.Where("status = ?", f.Status)
	} else {
		q = q.Where("status IN ?", []string{model.TaskOpen, model.TaskInProgress})
	}
	if f.Type != "" {
		if !slices.Contains(taskTypes, f.Type) {
			return nil, 0, errs.Invalid("type", "")
		}
		q = q.Where("type = ?", f.Type)
	}
	if !f.Scope.All {
		q = q.Where("area_id IN ?", f.Scope.IDs())
	}
	var total int64
	if err := q.Count(&total).Error; err != nil {
		return nil, 0, err
	}
	var list []model.Task
	if err := q.Order("tier_rank, opened_at, id").Offset(f.Offset).Limit(f.Limit).Find(&list).Error; err != nil {
		return nil, 0, err
	}
	items, err := s.subjects(ctx, list)
	return items, total, err
}

func (s *Service) inScope(ctx context.Context, db *gorm.DB, scope area.Scope, id uint64) (model.Task, error) {
	return area.Find(ctx, db, scope, id, func(t *model.Task) uint64 { return t.AreaID })
}

// Start marks a task in progress: a worker is on it.
func (s *Service) Start(ctx context.Context, scope area.Scope, id, accountID uint64) (model.Task, error) {
	t, err := s.inScope(ctx, s.db, scope, id)
	if err != nil {
		return t, err
	}
	if t.Status == model.TaskInProgress {
		return t, nil
	}
	now := s.now()
	res := s.db.WithContext(ctx).Model(&model.Task{}).Where("id = ? AND status = ?", id, model.TaskOpen).
		Updates(map[string]any{"status": model.TaskInProgress, "started_at": now, "started_by": accountID})
	if res.Error != nil {
		return t, res.Error
	}
	if res.RowsAffected == 0 {
		return t, errs.ErrConflict // closed meanwhile
	}
	t.Status, t.StartedAt, t.StartedBy = model.TaskInProgress, &now, &accountID
	return t, nil
}

// Closing is a worker's report from a visit.
type Closing struct {
	Outcome string
	Note    string
	// Corrections are the details fixed on the spot (outcome corrected).
	Corrections residence.Changes
}

// Close closes a task with an outcome and applies the outcome to the
// residence in the same transaction:
//   - still_living: a check-in by the worker; the clock restarts;
//   - left: the residence ends (left);
//   - corrected: the corrected details are written;
//   - not_found: recorded, for the statistics.
func (s *Service) Close(ctx context.Context, scope area.Scope, id uint64, who audit.Actor, c Closing) (model.Task, error) {
	if !slices.Contains(outcomes, c.Outcome) {
		return model.Task{}, errs.Invalid("outcome", "")
	}
	c.Note = strings.TrimSpace(c.Note)
	if utf8.RuneCountInString(c.Note) > 500 {
		return model.Task{}, errs.Invalid("note", "length")
	}
	var t model.Task
	var r *model.Residence
	var next time.Time
	err := s.db.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		var err error
		if t, err = s.inScope(ctx, tx, scope, id); err != nil {
			return err
		}
		if t.Status == model.TaskClosed {
			return errs.ErrConflict
		}
		now := s.now()
		updates := map[string]any{"status": model.TaskClosed, "closed_at": now, "closed_by": who.ID,
			"outcome": c.Outcome, "note": c.Note}
		if t.Recurring {
			updates["dedupe_key"] = nil // the next occurrence is a new case
		}
		res := tx.Model(&model.Task{}).Where("id = ? AND status <> ?", id, model.TaskClosed).Updates(updates)
		if res.Error != nil {
			return res.Error
		}
		if res.RowsAffected == 0 {
			return errs.ErrConflict
		}
		t.Status, t.ClosedAt, t.ClosedBy, t.Outcome, t.Note = model.TaskClosed, &now, &who.ID, c.Outcome, c.Note
		if t.ResidenceID == nil {
			return s.audit.Record(ctx, tx, who, "task.close", "task", t.ID, c.Outcome)
		}
		var res2 model.Residence
		if err := tx.First(&res2, *t.ResidenceID).Error; err != nil {
			return err
		}
		r = &res2
		if err := s.apply(ctx, tx, r, c, &next); err != nil {
			return err
		}
		if r.Status == model.ResidenceActive {
			if err := s.tiers.Refresh(ctx, tx, r); err != nil {
				return err
			}
		}
		return s.audit.Record(ctx, tx, who, "task.close", "task", t.ID, c.Outcome)
	})
	if err != nil {
		return t, err
	}
	s.closed(t.Type, c.Outcome)
	switch {
	case r == nil:
	case r.Status == model.ResidenceEnded:
		s.schedule.Forget(ctx, r.ID)
	case !next.IsZero():
		s.schedule.Due(ctx, r.ID, next)
	}
	return t, nil
}

// apply is the outcome's effect on the residence.
func (s *Service) apply(ctx context.Context, tx *gorm.DB, r *model.Residence, c Closing, next *time.Time) error {
	if r.Status != model.ResidenceActive {
		return nil // ended meanwhile: the visit's finding stands on the task alone
	}
	var err error
	switch c.Outcome {
	case model.OutcomeStillLiving:
		*next, err = s.checkins.Confirm(ctx, tx, r)
	case model.OutcomeLeft:
		err = s.residences.EndByWorker(ctx, tx, r, "社区走访核实已离开 "+c.Note)
	case model.OutcomeCorrected:
		err = s.residences.Correct(ctx, tx, r, c.Corrections)
	}
	return err
}

// ReportUnregistered is a worker's report of someone living in a unit
// without a declaration.
func (s *Service) ReportUnregistered(ctx context.Context, scope area.Scope, unitID uint64, note string, who audit.Actor) (model.Task, error) {
	note = strings.TrimSpace(note)
	if utf8.RuneCountInString(note) > 500 {
		return model.Task{}, errs.Invalid("note", "length")
	}
	unit, err := s.houses.ScopedUnit(ctx, scope, unitID)
	if err != nil {
		return model.Task{}, err
	}
	detail := "社区上报未登记人员"
	if note != "" {
		detail += "：" + note
	}
	spec := task.Unregistered(unit.Unit.ID, unit.House.AreaID, detail)
	var t model.Task
	err = s.db.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		if _, err := s.tasks.Open(ctx, tx, spec); err != nil {
			return err
		}
		// Opened now, or already open: either way the case is this one.
		if err := tx.Where("dedupe_key = ?", spec.DedupeKey).First(&t).Error; err != nil {
			return err
		}
		return s.audit.Record(ctx, tx, who, "task.report_unregistered", "unit", unitID, "")
	})
	return t, err
}
