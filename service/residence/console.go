package residence

import (
	"context"
	"strings"
	"unicode/utf8"

	"gorm.io/gorm"

	"yaoju/model"
	"yaoju/service/area"
	"yaoju/service/audit"
	"yaoju/service/errs"
	"yaoju/service/pii"
)

// Filter is the console's residence search.
type Filter struct {
	Scope  area.Scope
	Q      string
	Status string
	Tier   string
	Offset int
	Limit  int
}

// Search finds residences in a console scope. q is matched as an ID number
// (through the blind index), a phone number or its last four digits, a name
// prefix, or part of an address.
func (s *Service) Search(ctx context.Context, f Filter) ([]View, int64, error) {
	q := s.db.WithContext(ctx).Model(&model.Residence{})
	if !f.Scope.All {
		q = q.Where("residences.area_id IN ?", f.Scope.IDs())
	}
	switch f.Status {
	case "", model.ResidenceActive, model.ResidenceEnded:
		if f.Status != "" {
			q = q.Where("residences.status = ?", f.Status)
		}
	default:
		return nil, 0, errs.Invalid("status", "")
	}
	switch f.Tier {
	case "", model.TierGreen, model.TierYellow, model.TierRed:
		if f.Tier != "" {
			q = q.Where("residences.tier = ?", f.Tier)
		}
	default:
		return nil, 0, errs.Invalid("tier", "")
	}
	text := strings.TrimSpace(f.Q)
	if utf8.RuneCountInString(text) > 50 {
		return nil, 0, errs.Invalid("q", "length")
	}
	if text != "" {
		q = s.match(q, text)
	}
	var total int64
	if err := q.Count(&total).Error; err != nil {
		return nil, 0, err
	}
	var list []model.Residence
	err := q.Select("residences.*").Order("residences.id DESC").Offset(f.Offset).Limit(f.Limit).Find(&list).Error
	if err != nil {
		return nil, 0, err
	}
	views, err := s.views(ctx, list)
	return views, total, err
}

func (s *Service) match(q *gorm.DB, text string) *gorm.DB {
	if id, err := pii.ValidateIDNumber(text, s.now().In(model.Shanghai)); err == nil {
		return q.Joins("JOIN persons ON persons.id = residences.person_id").
			Where("persons.id_index = ?", s.sealer.BlindIndex(id))
	}
	if phone, err := pii.ValidatePhone(text); err == nil {
		return q.Where("residences.phone = ?", phone)
	}
	if len(text) == 4 && strings.Trim(text, "0123456789") == "" {
		return q.Where("residences.phone_tail = ?", text)
	}
	// "!" escapes LIKE's wildcards the same way in MySQL and SQLite.
	like := strings.NewReplacer("!", "!!", "%", "!%", "_", "!_").Replace(text)
	return q.Joins("JOIN persons ON persons.id = residences.person_id").
		Joins("JOIN units ON units.id = residences.unit_id").
		Joins("JOIN houses ON houses.id = units.house_id").
		Where("persons.name LIKE ? ESCAPE '!' OR houses.address LIKE ? ESCAPE '!'", like+"%", "%"+like+"%")
}

// Detail is a residence with its history.
type Detail struct {
	View
	Checkins      []model.Checkin
	Notifications []model.Notification
	Tasks         []model.Task
}

// InScope loads a residence inside a console scope; others are not found.
func (s *Service) InScope(ctx context.Context, scope area.Scope, id uint64) (model.Residence, error) {
	return area.Find(ctx, s.db, scope, id, func(r *model.Residence) uint64 { return r.AreaID })
}

// Detail shows a residence with its check-ins, notifications and tasks.
func (s *Service) Detail(ctx context.Context, scope area.Scope, id uint64) (Detail, error) {
	r, err := s.InScope(ctx, scope, id)
	if err != nil {
		return Detail{}, err
	}
	v, err := s.view(ctx, r)
	if err != nil {
		return Detail{}, err
	}
	d := Detail{View: v}
	db := s.db.WithContext(ctx)
	if err := db.Where("residence_id = ?", id).Order("id DESC").Limit(50).Find(&d.Checkins).Error; err != nil {
		return d, err
	}
	if err := db.Where("residence_id = ?", id).Order("id DESC").Limit(50).Find(&d.Notifications).Error; err != nil {
		return d, err
	}
	return d, db.Where("residence_id = ?", id).Order("id DESC").Limit(50).Find(&d.Tasks).Error
}

// IDNumber reveals the full ID number of a residence's person to police or
// admin. The read is audited first: no audit row, no number.
func (s *Service) IDNumber(ctx context.Context, scope area.Scope, id uint64, who audit.Actor) (string, error) {
	r, err := s.InScope(ctx, scope, id)
	if err != nil {
		return "", err
	}
	var p model.Person
	if err := s.db.WithContext(ctx).Select("id, id_cipher").First(&p, r.PersonID).Error; err != nil {
		return "", err
	}
	if err := s.audit.Record(ctx, nil, who, "residence.read_id_number", "residence", r.ID, ""); err != nil {
		return "", err
	}
	return s.sealer.Open(p.IDCipher)
}

// EndByWorker ends a residence after a worker's visit found the tenant
// gone, inside the worker's transaction. The caller removes the schedule
// after the commit.
func (s *Service) EndByWorker(ctx context.Context, tx *gorm.DB, r *model.Residence, note string) error {
	return s.end(ctx, tx, r, model.EndLeft, "worker", note)
}

// Correct applies details a worker corrected on the spot.
func (s *Service) Correct(ctx context.Context, tx *gorm.DB, r *model.Residence, c Changes) error {
	updates := map[string]any{}
	if c.Phone != nil {
		phone, err := pii.ValidatePhone(*c.Phone)
		if err != nil {
			return err
		}
		updates["phone"], updates["phone_tail"] = phone, phone[7:]
	}
	if c.Workplace != nil {
		w, err := text("workplace", *c.Workplace, 100)
		if err != nil {
			return err
		}
		updates["workplace"] = w
	}
	if len(updates) == 0 {
		return nil
	}
	return tx.WithContext(ctx).Model(&model.Residence{}).Where("id = ?", r.ID).Updates(updates).Error
}

// Each walks the residences of a scope in id order, a page at a time, for
// exports that must not hold a city in memory.
func (s *Service) Each(ctx context.Context, scope area.Scope, status string, f func([]View) error) error {
	var lastID uint64
	for {
		q := s.db.WithContext(ctx).Where("id > ?", lastID)
		if !scope.All {
			q = q.Where("area_id IN ?", scope.IDs())
		}
		if status != "" {
			q = q.Where("status = ?", status)
		}
		var page []model.Residence
		if err := q.Order("id").Limit(1000).Find(&page).Error; err != nil {
			return err
		}
		if len(page) == 0 {
			return nil
		}
		views, err := s.views(ctx, page)
		if err != nil {
			return err
		}
		if err := f(views); err != nil {
			return err
		}
		lastID = page[len(page)-1].ID
	}
}
