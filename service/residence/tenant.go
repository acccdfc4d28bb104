package residence

import (
	"context"
	"strings"

	"gorm.io/gorm"

	"yaoju/model"
	"yaoju/service/audit"
	"yaoju/service/errs"
	"yaoju/service/pii"
	"yaoju/service/task"
)

// Changes are the details a tenant may update; nil leaves one as it is.
type Changes struct {
	Phone     *string
	Workplace *string
}

// Update changes a tenant's phone or workplace. A real change opens an
// info_changed case so the worker can confirm it.
func (s *Service) Update(ctx context.Context, userID, residenceID uint64, c Changes, who audit.Actor) (View, error) {
	updates := map[string]any{}
	var changed []string
	var r model.Residence
	err := s.db.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		var err error
		if r, err = s.own(ctx, tx, userID, residenceID); err != nil {
			return err
		}
		if r.Status != model.ResidenceActive {
			return errs.ErrNotActive
		}
		if c.Phone != nil {
			phone, err := pii.ValidatePhone(*c.Phone)
			if err != nil {
				return err
			}
			if phone != r.Phone {
				updates["phone"], updates["phone_tail"] = phone, phone[7:]
				r.Phone, r.PhoneTail = phone, phone[7:]
				changed = append(changed, "手机号")
			}
		}
		if c.Workplace != nil {
			workplace, err := text("workplace", *c.Workplace, 100)
			if err != nil {
				return err
			}
			if workplace != r.Workplace {
				updates["workplace"], r.Workplace = workplace, workplace
				changed = append(changed, "工作单位")
			}
		}
		if len(updates) == 0 {
			return nil
		}
		if err := tx.Model(&model.Residence{}).Where("id = ?", r.ID).Updates(updates).Error; err != nil {
			return err
		}
		if _, err := s.tasks.Open(ctx, tx, task.InfoChanged(r, strings.Join(changed, "、"))); err != nil {
			return err
		}
		return s.audit.Record(ctx, tx, who, "residence.update", "residence", r.ID, strings.Join(changed, ","))
	})
	if err != nil {
		return View{}, err
	}
	return s.view(ctx, r)
}

// Leave is the tenant's own declaration that they have left.
func (s *Service) Leave(ctx context.Context, userID, residenceID uint64, who audit.Actor) (View, error) {
	var r model.Residence
	err := s.db.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		var err error
		if r, err = s.own(ctx, tx, userID, residenceID); err != nil {
			return err
		}
		if err := s.end(ctx, tx, &r, model.EndLeft, "tenant", "租客自行申报离开"); err != nil {
			return err
		}
		return s.audit.Record(ctx, tx, who, "residence.leave", "residence", r.ID, "")
	})
	if err != nil {
		return View{}, err
	}
	s.schedule.Forget(ctx, r.ID)
	return s.view(ctx, r)
}
