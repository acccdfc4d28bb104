// Package house registers landlords' houses and units, approves them, and
// serves each unit's door code ("one unit, one code").
package house

import (
	"context"
	"errors"
	"strings"
	"time"
	"unicode/utf8"

	"gorm.io/gorm"

	"yaoju/model"
	"yaoju/service/area"
	"yaoju/service/errs"
	"yaoju/service/pii"
)

// Service holds the house and unit rules.
type Service struct {
	db    *gorm.DB
	areas *area.Service
	now   func() time.Time
}

// NewService builds the house service.
func NewService(db *gorm.DB, areas *area.Service, now func() time.Time) *Service {
	return &Service{db: db, areas: areas, now: now}
}

// NewHouse is what a landlord or police officer registers.
type NewHouse struct {
	Address       string
	AreaID        uint64
	LandlordName  string
	LandlordPhone string
}

func (n *NewHouse) validate(ctx context.Context, areas *area.Service) error {
	n.Address = strings.TrimSpace(n.Address)
	n.LandlordName = strings.TrimSpace(n.LandlordName)
	if l := utf8.RuneCountInString(n.Address); l < 5 || l > 200 {
		return errs.Invalid("address", "length")
	}
	if utf8.RuneCountInString(n.LandlordName) > 32 {
		return errs.Invalid("landlord_name", "length")
	}
	if _, err := areas.Community(ctx, n.AreaID); err != nil {
		return err
	}
	return nil
}

// Create registers a house for a landlord; it waits for approval.
func (s *Service) Create(ctx context.Context, userID uint64, n NewHouse) (model.House, error) {
	if err := n.validate(ctx, s.areas); err != nil {
		return model.House{}, err
	}
	var user model.User
	if err := s.db.WithContext(ctx).First(&user, userID).Error; err != nil {
		return model.House{}, err
	}
	h := model.House{LandlordUserID: &userID, LandlordPhone: user.Phone, LandlordName: n.LandlordName,
		Address: n.Address, AreaID: n.AreaID, Status: model.HousePending}
	return h, s.db.WithContext(ctx).Create(&h).Error
}

// CreateApproved registers a house for a landlord known by phone, approved
// at once because the officer has seen it. The landlord finds it after
// binding that phone in the mini-program.
func (s *Service) CreateApproved(ctx context.Context, scope area.Scope, accountID uint64, n NewHouse) (model.House, error) {
	phone, err := pii.ValidatePhone(n.LandlordPhone)
	if err != nil {
		return model.House{}, errs.Invalid("landlord_phone", "")
	}
	n.LandlordPhone = phone
	if err := n.validate(ctx, s.areas); err != nil {
		return model.House{}, err
	}
	if strings.TrimSpace(n.LandlordName) == "" {
		return model.House{}, errs.Invalid("landlord_name", "required")
	}
	if !scope.Contains(n.AreaID) {
		return model.House{}, errs.Invalid("area_id", "scope")
	}
	now := s.now()
	h := model.House{LandlordPhone: phone, LandlordName: n.LandlordName, Address: n.Address,
		AreaID: n.AreaID, Status: model.HouseApproved, ApprovedBy: &accountID, ApprovedAt: &now}
	var owner model.User
	err = s.db.WithContext(ctx).Where("phone = ?", phone).Order("id").First(&owner).Error
	if err == nil {
		h.LandlordUserID = &owner.ID
	} else if !errors.Is(err, gorm.ErrRecordNotFound) {
		return h, err
	}
	return h, s.db.WithContext(ctx).Create(&h).Error
}

// Approve marks a pending house approved after a visit.
func (s *Service) Approve(ctx context.Context, scope area.Scope, accountID, houseID uint64) (model.House, error) {
	h, err := s.inScope(ctx, scope, houseID)
	if err != nil {
		return h, err
	}
	if h.Status == model.HouseApproved {
		return h, nil
	}
	now := s.now()
	res := s.db.WithContext(ctx).Model(&model.House{}).Where("id = ? AND status = ?", h.ID, model.HousePending).
		Updates(map[string]any{"status": model.HouseApproved, "approved_by": accountID, "approved_at": now})
	if res.Error != nil {
		return h, res.Error
	}
	h.Status, h.ApprovedBy, h.ApprovedAt = model.HouseApproved, &accountID, &now
	return h, nil
}

// ConsoleFilter narrows the console's house list.
type ConsoleFilter struct {
	Scope  area.Scope
	Status string
	Offset int
	Limit  int
}

// List returns the houses in a console scope, with their units.
func (s *Service) List(ctx context.Context, f ConsoleFilter) ([]HouseWithUnits, int64, error) {
	q := s.db.WithContext(ctx).Model(&model.House{})
	if !f.Scope.All {
		q = q.Where("area_id IN ?", f.Scope.IDs())
	}
	switch f.Status {
	case "":
	case model.HousePending, model.HouseApproved:
		q = q.Where("status = ?", f.Status)
	default:
		return nil, 0, errs.Invalid("status", "")
	}
	var total int64
	if err := q.Count(&total).Error; err != nil {
		return nil, 0, err
	}
	var houses []model.House
	if err := q.Order("id DESC").Offset(f.Offset).Limit(f.Limit).Find(&houses).Error; err != nil {
		return nil, 0, err
	}
	list, err := s.WithUnits(ctx, houses)
	return list, total, err
}

func (s *Service) inScope(ctx context.Context, scope area.Scope, houseID uint64) (model.House, error) {
	return area.Find(ctx, s.db, scope, houseID, func(h *model.House) uint64 { return h.AreaID })
}

// owned loads a house of this landlord; anyone else's is not found.
func (s *Service) owned(ctx context.Context, userID, houseID uint64) (model.House, error) {
	var h model.House
	err := s.db.WithContext(ctx).Where("id = ? AND landlord_user_id = ?", houseID, userID).First(&h).Error
	if errors.Is(err, gorm.ErrRecordNotFound) {
		return h, errs.ErrNotFound
	}
	return h, err
}

// AddUnit adds a room to a landlord's house, with a fresh scene code.
func (s *Service) AddUnit(ctx context.Context, userID, houseID uint64, roomNo string, capacity int) (model.Unit, error) {
	if _, err := s.owned(ctx, userID, houseID); err != nil {
		return model.Unit{}, err
	}
	return s.addUnit(ctx, s.db, houseID, roomNo, capacity)
}

// AddUnitAsConsole adds a room to a house in the caller's scope.
func (s *Service) AddUnitAsConsole(ctx context.Context, scope area.Scope, houseID uint64, roomNo string, capacity int) (model.Unit, error) {
	if _, err := s.inScope(ctx, scope, houseID); err != nil {
		return model.Unit{}, err
	}
	return s.addUnit(ctx, s.db, houseID, roomNo, capacity)
}

func (s *Service) addUnit(ctx context.Context, db *gorm.DB, houseID uint64, roomNo string, capacity int) (model.Unit, error) {
	roomNo = strings.TrimSpace(roomNo)
	if l := utf8.RuneCountInString(roomNo); l < 1 || l > 32 {
		return model.Unit{}, errs.Invalid("room_no", "length")
	}
	if capacity < 1 || capacity > 50 {
		return model.Unit{}, errs.Invalid("capacity", "range")
	}
	var clash int64
	if err := db.WithContext(ctx).Model(&model.Unit{}).Where("house_id = ? AND room_no = ?", houseID, roomNo).Count(&clash).Error; err != nil {
		return model.Unit{}, err
	}
	if clash > 0 {
		return model.Unit{}, errs.ErrConflict
	}
	// The unique index on scene decides; a clash (about 1 in 2^95) draws again.
	for attempt := 0; ; attempt++ {
		u := model.Unit{HouseID: houseID, RoomNo: roomNo, Capacity: capacity, Scene: NewScene()}
		err := db.WithContext(ctx).Create(&u).Error
		if err == nil {
			return u, nil
		}
		if !errors.Is(err, gorm.ErrDuplicatedKey) || attempt == 3 {
			if errors.Is(err, gorm.ErrDuplicatedKey) {
				return u, errs.ErrConflict
			}
			return u, err
		}
	}
}

// UnitSummary is a unit as its landlord sees it.
type UnitSummary struct {
	model.Unit
	ActiveResidents int
}

// HouseWithUnits is one of a landlord's houses.
type HouseWithUnits struct {
	model.House
	Units []UnitSummary
}

// Mine lists a landlord's houses with their units and how many people
// live in each.
func (s *Service) Mine(ctx context.Context, userID uint64) ([]HouseWithUnits, error) {
	var houses []model.House
	if err := s.db.WithContext(ctx).Where("landlord_user_id = ?", userID).Order("id").Find(&houses).Error; err != nil {
		return nil, err
	}
	return s.WithUnits(ctx, houses)
}

// WithUnits adds each house's units and their active resident counts.
func (s *Service) WithUnits(ctx context.Context, houses []model.House) ([]HouseWithUnits, error) {
	out := make([]HouseWithUnits, len(houses))
	if len(houses) == 0 {
		return out, nil
	}
	ids := make([]uint64, len(houses))
	byHouse := map[uint64]int{}
	for i, h := range houses {
		ids[i] = h.ID
		byHouse[h.ID] = i
		out[i] = HouseWithUnits{House: h, Units: []UnitSummary{}}
	}
	var units []model.Unit
	if err := s.db.WithContext(ctx).Where("house_id IN ?", ids).Order("id").Find(&units).Error; err != nil {
		return nil, err
	}
	counts, err := s.activeCounts(ctx, units)
	if err != nil {
		return nil, err
	}
	for _, u := range units {
		i := byHouse[u.HouseID]
		out[i].Units = append(out[i].Units, UnitSummary{Unit: u, ActiveResidents: counts[u.ID]})
	}
	return out, nil
}

func (s *Service) activeCounts(ctx context.Context, units []model.Unit) (map[uint64]int, error) {
	counts := map[uint64]int{}
	if len(units) == 0 {
		return counts, nil
	}
	ids := make([]uint64, len(units))
	for i, u := range units {
		ids[i] = u.ID
	}
	var rows []struct {
		UnitID uint64
		N      int
	}
	err := s.db.WithContext(ctx).Model(&model.Residence{}).Select("unit_id, COUNT(*) AS n").
		Where("unit_id IN ? AND status = ?", ids, model.ResidenceActive).Group("unit_id").Scan(&rows).Error
	for _, r := range rows {
		counts[r.UnitID] = r.N
	}
	return counts, err
}

// UnitView is a unit with its house and community, as a scan shows it.
type UnitView struct {
	Unit     model.Unit
	House    model.House
	AreaName string
}

// ByScene finds the unit behind a scanned code.
func (s *Service) ByScene(ctx context.Context, scene string) (UnitView, error) {
	if !ValidScene(scene) {
		return UnitView{}, errs.ErrNotFound
	}
	var u model.Unit
	err := s.db.WithContext(ctx).Where("scene = ?", scene).First(&u).Error
	if errors.Is(err, gorm.ErrRecordNotFound) {
		return UnitView{}, errs.ErrNotFound
	}
	if err != nil {
		return UnitView{}, err
	}
	return s.view(ctx, u)
}

// Unit loads a unit with its house.
func (s *Service) Unit(ctx context.Context, unitID uint64) (UnitView, error) {
	var u model.Unit
	err := s.db.WithContext(ctx).First(&u, unitID).Error
	if errors.Is(err, gorm.ErrRecordNotFound) {
		return UnitView{}, errs.ErrNotFound
	}
	if err != nil {
		return UnitView{}, err
	}
	return s.view(ctx, u)
}

func (s *Service) view(ctx context.Context, u model.Unit) (UnitView, error) {
	v := UnitView{Unit: u}
	if err := s.db.WithContext(ctx).First(&v.House, u.HouseID).Error; err != nil {
		return v, err
	}
	if a, err := s.areas.Get(ctx, v.House.AreaID); err == nil {
		v.AreaName = a.Name
	}
	return v, nil
}

// OwnedUnit loads a unit of this landlord; anyone else's is not found.
func (s *Service) OwnedUnit(ctx context.Context, userID, unitID uint64) (UnitView, error) {
	v, err := s.Unit(ctx, unitID)
	if err != nil {
		return v, err
	}
	if v.House.LandlordUserID == nil || *v.House.LandlordUserID != userID {
		return v, errs.ErrNotFound
	}
	return v, nil
}

// ScopedUnit loads a unit inside a console scope.
func (s *Service) ScopedUnit(ctx context.Context, scope area.Scope, unitID uint64) (UnitView, error) {
	v, err := s.Unit(ctx, unitID)
	if err != nil {
		return v, err
	}
	if !scope.Contains(v.House.AreaID) {
		return v, errs.ErrNotFound
	}
	return v, nil
}

// Place is where a unit is, as lists show it.
type Place struct {
	Address string
	RoomNo  string
}

// Places looks up the address and room of many units in one query.
func (s *Service) Places(ctx context.Context, unitIDs []uint64) (map[uint64]Place, error) {
	out := make(map[uint64]Place, len(unitIDs))
	if len(unitIDs) == 0 {
		return out, nil
	}
	var rows []struct {
		ID      uint64
		RoomNo  string
		Address string
	}
	err := s.db.WithContext(ctx).Table("units").Select("units.id, units.room_no, houses.address").
		Joins("JOIN houses ON houses.id = units.house_id").Where("units.id IN ?", unitIDs).Scan(&rows).Error
	for _, r := range rows {
		out[r.ID] = Place{Address: r.Address, RoomNo: r.RoomNo}
	}
	return out, err
}
