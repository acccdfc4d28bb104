package model

import (
	"context"
	"errors"

	"gorm.io/gorm"
)

// CreateUnlessExists inserts v unless a unique key already holds a row like
// it, and reports whether it inserted. It runs in a savepoint, so a clash
// leaves the caller's transaction usable. (MySQL's ON DUPLICATE KEY UPDATE
// does not report reliably whether a row was inserted, so the clash itself
// is the signal.)
func CreateUnlessExists(ctx context.Context, tx *gorm.DB, v any) (bool, error) {
	err := tx.WithContext(ctx).Transaction(func(sp *gorm.DB) error { return sp.Create(v).Error })
	if errors.Is(err, gorm.ErrDuplicatedKey) {
		return false, nil
	}
	return err == nil, err
}
