package residence

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"gorm.io/gorm"
	"gorm.io/gorm/clause"

	"yaoju/model"
	"yaoju/service/audit"
	"yaoju/service/errs"
	"yaoju/service/notify"
	"yaoju/service/pii"
	"yaoju/service/task"
)

// Declare records a tenant's declaration of residence in the unit behind the
// scanned code. A person holds one active residence: declaring in a new unit
// ends the old one (moved) and tells its landlord; declaring again in the
// same unit returns the existing residence. Everything commits together or
// not at all. created is false when the residence already existed.
func (s *Service) Declare(ctx context.Context, userID uint64, d Declaration, who audit.Actor) (v View, created bool, err error) {
	now := s.now()
	in, err := d.validate(now)
	if err != nil {
		return View{}, false, err
	}
	unit, err := s.houses.ByScene(ctx, in.Scene)
	if err != nil {
		return View{}, false, err
	}
	if unit.House.Status != model.HouseApproved {
		return View{}, false, errs.ErrNotApproved
	}
	sealed, err := s.sealer.Seal(in.IDNumber)
	if err != nil {
		return View{}, false, err
	}
	person := model.Person{
		IDCipher: sealed, IDIndex: s.sealer.BlindIndex(in.IDNumber), IDMasked: pii.MaskIDNumber(in.IDNumber),
		Name: in.Name, Gender: pii.Gender(in.IDNumber), BirthDate: pii.BirthDate(in.IDNumber),
	}
	var r, moved model.Residence
	err = s.db.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		if err := upsertPerson(ctx, tx, &person); err != nil {
			return err
		}
		var current model.Residence
		err := tx.Where("active_person_id = ?", person.ID).First(&current).Error
		switch {
		case err == nil && current.UserID != userID:
			// Another WeChat user holds this person's residence: declaring
			// over it, here or elsewhere, would let anyone who knows an ID
			// number move its owner out. The tenant declares themself, or a
			// worker ends the old residence after a visit.
			return errs.ErrConflict
		case err == nil && current.UnitID == unit.Unit.ID:
			r = current
			return nil
		case err == nil:
			if err := s.end(ctx, tx, &current, model.EndMoved, "system", "申报了新住址"); err != nil {
				return err
			}
			if err := s.tellLandlordOfMove(ctx, tx, current); err != nil {
				return err
			}
			moved = current
		case !errors.Is(err, gorm.ErrRecordNotFound):
			return err
		}

		due := now.Add(s.rules.CheckinPeriod)
		r = model.Residence{
			PersonID: person.ID, ActivePersonID: &person.ID, UserID: userID, UnitID: unit.Unit.ID,
			AreaID: unit.House.AreaID, Status: model.ResidenceActive, Phone: in.Phone, PhoneTail: in.Phone[7:],
			Hometown: in.Hometown, Workplace: in.Workplace, Relation: in.Relation, Reason: in.Reason,
			HousingType: in.HousingType, Source: model.SourceScan, MoveInDate: in.moveIn.UTC(), DeclaredAt: now,
			Late: now.After(in.moveIn.Add(s.rules.DeclareDeadline)), NextCheckinDue: &due, RenewedAt: now,
		}
		if r.Tier, err = s.tiers.Of(ctx, tx, person.ID); err != nil {
			return err
		}
		if err := tx.Create(&r).Error; err != nil {
			if errors.Is(err, gorm.ErrDuplicatedKey) {
				return errs.ErrConflict // the same person declared at the same moment elsewhere
			}
			return err
		}
		created = true
		if r.Late {
			if _, err := s.tasks.Open(ctx, tx, task.LateDeclaration(r)); err != nil {
				return err
			}
		}
		if err := s.checkCrowding(ctx, tx, unit.Unit, r.AreaID); err != nil {
			return err
		}
		return s.audit.Record(ctx, tx, who, "residence.declare", "residence", r.ID, "")
	})
	if err != nil {
		return View{}, false, err
	}
	if moved.ID != 0 {
		s.schedule.Forget(ctx, moved.ID)
	}
	if created {
		s.schedule.Due(ctx, r.ID, *r.NextCheckinDue)
	}
	v, err = s.view(ctx, r)
	return v, created, err
}

// upsertPerson finds the person by the blind index of their ID number, or
// creates them. The name is refreshed from the latest declaration.
func upsertPerson(ctx context.Context, tx *gorm.DB, p *model.Person) error {
	err := tx.WithContext(ctx).Clauses(clause.OnConflict{
		Columns:   []clause.Column{{Name: "id_index"}},
		DoUpdates: clause.AssignmentColumns([]string{"name", "updated_at"}),
	}).Create(p).Error
	if err != nil {
		return err
	}
	// On MySQL an upsert does not report the existing row's id.
	return tx.WithContext(ctx).Select("id").Where("id_index = ?", p.IDIndex).First(p).Error
}

// checkCrowding opens an overcrowded task when a unit holds more active
// residents than its capacity.
func (s *Service) checkCrowding(ctx context.Context, tx *gorm.DB, u model.Unit, areaID uint64) error {
	var active int64
	if err := tx.WithContext(ctx).Model(&model.Residence{}).
		Where("unit_id = ? AND status = ?", u.ID, model.ResidenceActive).Count(&active).Error; err != nil {
		return err
	}
	if int(active) <= u.Capacity {
		return nil
	}
	_, err := s.tasks.Open(ctx, tx, task.Overcrowded(u, areaID, int(active)))
	return err
}

// tellLandlordOfMove queues a notice to the landlord of a unit a tenant
// moved out of.
func (s *Service) tellLandlordOfMove(ctx context.Context, tx *gorm.DB, old model.Residence) error {
	var landlord struct {
		LandlordUserID *uint64
		LandlordPhone  string
		RoomNo         string
		Name           string
	}
	err := tx.WithContext(ctx).Table("units").
		Select("houses.landlord_user_id, houses.landlord_phone, units.room_no, persons.name").
		Joins("JOIN houses ON houses.id = units.house_id").
		Joins("JOIN persons ON persons.id = ?", old.PersonID).
		Where("units.id = ?", old.UnitID).Scan(&landlord).Error
	if err != nil {
		return err
	}
	if landlord.LandlordUserID == nil && landlord.LandlordPhone == "" {
		return nil
	}
	_, err = notify.Enqueue(ctx, tx, s.now(), notify.Message{
		ResidenceID: &old.ID, UserID: landlord.LandlordUserID, Phone: landlord.LandlordPhone,
		Template: notify.TemplateTenantMoved, Page: "pages/landlord/index",
		Data: map[string]string{
			"name": pii.MaskName(landlord.Name), "room": landlord.RoomNo,
			"date": s.now().In(model.Shanghai).Format("2006-01-02"), "note": "该租客已在新住址申报居住，原登记自动注销",
		},
		DedupeKey: fmt.Sprintf("tenant_moved:%d", old.ID),
	})
	return err
}

// end closes a residence and frees its person to hold another. The caller
// removes the schedule after the transaction commits.
func (s *Service) end(ctx context.Context, tx *gorm.DB, r *model.Residence, reason, by, note string) error {
	now := s.now()
	res := tx.WithContext(ctx).Model(&model.Residence{}).Where("id = ? AND status = ?", r.ID, model.ResidenceActive).
		Updates(map[string]any{
			"status": model.ResidenceEnded, "active_person_id": nil, "end_reason": reason, "ended_by": by,
			"end_note": strings.TrimSpace(note), "ended_at": now, "next_checkin_due": nil,
		})
	if res.Error != nil {
		return res.Error
	}
	if res.RowsAffected == 0 {
		return errs.ErrNotActive
	}
	r.Status, r.ActivePersonID, r.EndReason, r.EndedBy, r.EndNote, r.EndedAt, r.NextCheckinDue =
		model.ResidenceEnded, nil, reason, by, note, &now, nil
	return nil
}
