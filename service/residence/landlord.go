package residence

import (
	"context"
	"errors"
	"fmt"

	"gorm.io/gorm"

	"yaoju/model"
	"yaoju/service/audit"
	"yaoju/service/errs"
	"yaoju/service/task"
)

// Residents lists the active residents of a landlord's unit.
func (s *Service) Residents(ctx context.Context, landlordID, unitID uint64) ([]View, error) {
	if _, err := s.houses.OwnedUnit(ctx, landlordID, unitID); err != nil {
		return nil, err
	}
	var list []model.Residence
	err := s.db.WithContext(ctx).Where("unit_id = ? AND status = ?", unitID, model.ResidenceActive).
		Order("id").Find(&list).Error
	if err != nil {
		return nil, err
	}
	return s.views(ctx, list)
}

// Deregister is the landlord's report that a tenant has left (注销).
func (s *Service) Deregister(ctx context.Context, landlordID, residenceID uint64, reason string, who audit.Actor) (View, error) {
	reason, err := text("reason", reason, 200)
	if err != nil {
		return View{}, err
	}
	if reason == "" {
		reason = "房东注销"
	}
	var r model.Residence
	err = s.db.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		err := tx.Table("residences").Select("residences.*").
			Joins("JOIN units ON units.id = residences.unit_id").
			Joins("JOIN houses ON houses.id = units.house_id").
			Where("residences.id = ? AND houses.landlord_user_id = ?", residenceID, landlordID).
			Take(&r).Error
		if errors.Is(err, gorm.ErrRecordNotFound) {
			return errs.ErrNotFound
		}
		if err != nil {
			return err
		}
		if err := s.end(ctx, tx, &r, model.EndLeft, "landlord", reason); err != nil {
			return err
		}
		return s.audit.Record(ctx, tx, who, "residence.deregister", "residence", r.ID, reason)
	})
	if err != nil {
		return View{}, err
	}
	s.schedule.Forget(ctx, r.ID)
	return s.view(ctx, r)
}

// ReportOccupancy records how many people the landlord says live in a unit.
// More than have declared opens an unregistered case.
func (s *Service) ReportOccupancy(ctx context.Context, landlordID, unitID uint64, occupants int) error {
	if occupants < 0 || occupants > 100 {
		return errs.Invalid("occupants", "range")
	}
	unit, err := s.houses.OwnedUnit(ctx, landlordID, unitID)
	if err != nil {
		return err
	}
	return s.db.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		if err := tx.Model(&model.Unit{}).Where("id = ?", unitID).Update("reported_occupants", occupants).Error; err != nil {
			return err
		}
		var active int64
		if err := tx.Model(&model.Residence{}).Where("unit_id = ? AND status = ?", unitID, model.ResidenceActive).
			Count(&active).Error; err != nil {
			return err
		}
		if int64(occupants) <= active {
			return nil
		}
		detail := fmt.Sprintf("房东报告实住 %d 人，已申报 %d 人", occupants, active)
		_, err := s.tasks.Open(ctx, tx, task.Unregistered(unitID, unit.House.AreaID, detail))
		return err
	})
}
