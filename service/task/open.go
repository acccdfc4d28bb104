// Package task keeps the community worker's worklist (流管通): the rules of
// data comparison open cases, workers visit and close them, and each
// outcome changes the records in the same transaction.
package task

import (
	"context"
	"time"

	"gorm.io/gorm"

	"yaoju/model"
	"yaoju/service/tier"
)

// Opener puts cases on the worklist. Services that detect a case hold one.
type Opener struct {
	now    func() time.Time
	opened func(taskType string)
}

// NewOpener builds an opener; opened is told of every task opened (metrics).
func NewOpener(now func() time.Time, opened func(taskType string)) *Opener {
	if opened == nil {
		opened = func(string) {}
	}
	return &Opener{now: now, opened: opened}
}

// Open puts a case on the worklist unless a task with its key exists. It runs
// in the caller's transaction, so that the case and its cause commit
// together, and reports whether a task was opened.
func (o *Opener) Open(ctx context.Context, tx *gorm.DB, spec Spec) (bool, error) {
	key := spec.DedupeKey
	t := model.Task{
		Type: spec.Type, Status: model.TaskOpen, AreaID: spec.AreaID, Tier: spec.Tier,
		TierRank: tier.Rank(spec.Tier), OpenedAt: o.now(), ResidenceID: spec.ResidenceID,
		UnitID: spec.UnitID, DedupeKey: &key, Recurring: spec.Recurring, Detail: spec.Detail,
	}
	opened, err := model.CreateUnlessExists(ctx, tx, &t)
	if opened {
		o.opened(spec.Type)
	}
	return opened, err
}
