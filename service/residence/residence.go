// Package residence holds the rules of declaring residence (居住信息云申报),
// leaving and de-registering (注销), and the landlord's and console's views
// of residents.
package residence

import (
	"context"
	"errors"
	"log/slog"
	"time"

	"gorm.io/gorm"

	"yaoju/model"
	"yaoju/service/audit"
	"yaoju/service/errs"
	"yaoju/service/house"
	"yaoju/service/pii"
	"yaoju/service/task"
	"yaoju/service/tier"
)

// Scheduler keeps the check-in schedule in step with the database. Its
// calls never fail a request: the database is the truth, and a schedule
// that missed a write is rebuilt from it.
type Scheduler interface {
	Due(ctx context.Context, residenceID uint64, at time.Time)
	Forget(ctx context.Context, residenceID uint64)
}

// Rules are the time limits from config.
type Rules struct {
	DeclareDeadline time.Duration
	CheckinPeriod   time.Duration
}

// Service holds the residence rules.
type Service struct {
	db       *gorm.DB
	sealer   *pii.Sealer
	houses   *house.Service
	schedule Scheduler
	tasks    *task.Opener
	tiers    *tier.Service
	audit    *audit.Service
	log      *slog.Logger
	rules    Rules
	now      func() time.Time
}

// Deps are the residence service's collaborators.
type Deps struct {
	DB       *gorm.DB
	Sealer   *pii.Sealer
	Houses   *house.Service
	Schedule Scheduler
	Tasks    *task.Opener
	Tiers    *tier.Service
	Audit    *audit.Service
	Log      *slog.Logger
	Rules    Rules
	Now      func() time.Time
}

// NewService builds the residence service.
func NewService(d Deps) *Service {
	return &Service{db: d.DB, sealer: d.Sealer, houses: d.Houses, schedule: d.Schedule, tasks: d.Tasks,
		tiers: d.Tiers, audit: d.Audit, log: d.Log, rules: d.Rules, now: d.Now}
}

// View is a residence with what its reader needs beside it.
type View struct {
	model.Residence
	Address  string
	RoomNo   string
	Name     string
	IDMasked string
}

// views loads units, houses and persons for a list of residences.
func (s *Service) views(ctx context.Context, list []model.Residence) ([]View, error) {
	out := make([]View, len(list))
	if len(list) == 0 {
		return out, nil
	}
	unitIDs, personIDs := make([]uint64, 0, len(list)), make([]uint64, 0, len(list))
	for _, r := range list {
		unitIDs = append(unitIDs, r.UnitID)
		personIDs = append(personIDs, r.PersonID)
	}
	places, err := s.houses.Places(ctx, unitIDs)
	if err != nil {
		return nil, err
	}
	var persons []model.Person
	if err := s.db.WithContext(ctx).Select("id, name, id_masked").Where("id IN ?", personIDs).Find(&persons).Error; err != nil {
		return nil, err
	}
	personByID := map[uint64]model.Person{}
	for _, p := range persons {
		personByID[p.ID] = p
	}
	for i, r := range list {
		place, p := places[r.UnitID], personByID[r.PersonID]
		v := View{Residence: r, Address: place.Address, RoomNo: place.RoomNo}
		v.Name, v.IDMasked = p.Name, p.IDMasked
		out[i] = v
	}
	return out, nil
}

func (s *Service) view(ctx context.Context, r model.Residence) (View, error) {
	vs, err := s.views(ctx, []model.Residence{r})
	if err != nil {
		return View{}, err
	}
	return vs[0], nil
}

// Mine lists a tenant's residences, newest first.
func (s *Service) Mine(ctx context.Context, userID uint64) ([]View, error) {
	var list []model.Residence
	if err := s.db.WithContext(ctx).Where("user_id = ?", userID).Order("id DESC").Limit(100).Find(&list).Error; err != nil {
		return nil, err
	}
	return s.views(ctx, list)
}

// own loads a tenant's residence; anyone else's is not found.
func (s *Service) own(ctx context.Context, db *gorm.DB, userID, residenceID uint64) (model.Residence, error) {
	var r model.Residence
	err := db.WithContext(ctx).Where("id = ? AND user_id = ?", residenceID, userID).First(&r).Error
	if errors.Is(err, gorm.ErrRecordNotFound) {
		return r, errs.ErrNotFound
	}
	return r, err
}

// Scan is what a tenant sees after scanning a plate: the unit, and their own
// residence there if they have one.
type Scan struct {
	Unit house.UnitView
	Mine *View
}

// Scan looks up a scanned code.
func (s *Service) Scan(ctx context.Context, userID uint64, scene string) (Scan, error) {
	unit, err := s.houses.ByScene(ctx, scene)
	if err != nil {
		return Scan{}, err
	}
	out := Scan{Unit: unit}
	var r model.Residence
	err = s.db.WithContext(ctx).Where("user_id = ? AND unit_id = ? AND status = ?", userID, unit.Unit.ID, model.ResidenceActive).
		First(&r).Error
	if errors.Is(err, gorm.ErrRecordNotFound) {
		return out, nil
	}
	if err != nil {
		return out, err
	}
	v, err := s.view(ctx, r)
	out.Mine = &v
	return out, err
}
