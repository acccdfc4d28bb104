// Package audit records who read or changed personal data, when, and from
// which address.
package audit

import (
	"context"
	"time"

	"gorm.io/gorm"

	"yaoju/model"
)

// Actor is who did something.
type Actor struct {
	Kind string
	ID   uint64
	Name string
	IP   string
}

// Service writes and lists audit rows.
type Service struct {
	db  *gorm.DB
	now func() time.Time
}

// NewService builds the audit service.
func NewService(db *gorm.DB, now func() time.Time) *Service { return &Service{db: db, now: now} }

// Record writes one row. Pass the transaction when the audited change has
// one, so that the row and the change commit together.
func (s *Service) Record(ctx context.Context, tx *gorm.DB, who Actor, action, objectType string, objectID uint64, detail string) error {
	if tx == nil {
		tx = s.db
	}
	return tx.WithContext(ctx).Create(&model.Audit{
		At: s.now(), ActorKind: who.Kind, ActorID: who.ID, ActorName: who.Name, IP: who.IP,
		Action: action, ObjectType: objectType, ObjectID: objectID, Detail: detail,
	}).Error
}

// Filter narrows the audit list.
type Filter struct {
	Actor  string
	Action string
	Offset int
	Limit  int
}

// List returns audit rows, newest first.
func (s *Service) List(ctx context.Context, f Filter) ([]model.Audit, int64, error) {
	q := s.db.WithContext(ctx).Model(&model.Audit{})
	if f.Actor != "" {
		q = q.Where("actor_name = ?", f.Actor)
	}
	if f.Action != "" {
		q = q.Where("action = ?", f.Action)
	}
	var total int64
	if err := q.Count(&total).Error; err != nil {
		return nil, 0, err
	}
	var rows []model.Audit
	err := q.Order("id DESC").Offset(f.Offset).Limit(f.Limit).Find(&rows).Error
	return rows, total, err
}
