package notify

import (
	"context"

	"gorm.io/gorm"

	"yaoju/model"
	"yaoju/service/area"
	"yaoju/service/errs"
)

// Outbox lists notifications for the console.
type Outbox struct{ db *gorm.DB }

// NewOutbox builds the outbox reader.
func NewOutbox(db *gorm.DB) *Outbox { return &Outbox{db: db} }

// Filter narrows the list.
type Filter struct {
	Scope       area.Scope
	ResidenceID uint64
	Status      string
	Offset      int
	Limit       int
}

// List returns notifications of residences in scope, newest first.
func (o *Outbox) List(ctx context.Context, f Filter) ([]model.Notification, int64, error) {
	q := o.db.WithContext(ctx).Model(&model.Notification{})
	if !f.Scope.All {
		q = q.Joins("JOIN residences ON residences.id = notifications.residence_id").
			Where("residences.area_id IN ?", f.Scope.IDs())
	}
	if f.ResidenceID != 0 {
		q = q.Where("notifications.residence_id = ?", f.ResidenceID)
	}
	switch f.Status {
	case "":
	case model.NotifyPending, model.NotifySent, model.NotifyFailed:
		q = q.Where("notifications.status = ?", f.Status)
	default:
		return nil, 0, errs.Invalid("status", "")
	}
	var total int64
	if err := q.Count(&total).Error; err != nil {
		return nil, 0, err
	}
	var rows []model.Notification
	err := q.Select("notifications.*").Order("notifications.id DESC").Offset(f.Offset).Limit(f.Limit).Find(&rows).Error
	return rows, total, err
}
