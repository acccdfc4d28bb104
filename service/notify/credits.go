package notify

import (
	"context"
	"time"
	"unicode/utf8"

	"gorm.io/gorm"
	"gorm.io/gorm/clause"

	"yaoju/model"
	"yaoju/service/errs"
)

// Credits counts the one-time subscription messages each user accepted.
type Credits struct {
	db  *gorm.DB
	now func() time.Time
}

// NewCredits builds the credit store.
func NewCredits(db *gorm.DB, now func() time.Time) *Credits { return &Credits{db: db, now: now} }

// Accept adds one credit for each template the user accepted in the
// mini-program's subscription dialog, and answers the new balances.
func (c *Credits) Accept(ctx context.Context, userID uint64, templateIDs []string) (map[string]int, error) {
	if len(templateIDs) == 0 || len(templateIDs) > 20 {
		return nil, errs.Invalid("template_ids", "count")
	}
	for _, id := range templateIDs {
		if id == "" || utf8.RuneCountInString(id) > 64 {
			return nil, errs.Invalid("template_ids", "value")
		}
	}
	err := c.db.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		for _, id := range templateIDs {
			if err := c.add(ctx, tx, userID, id); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	var rows []model.SubscriptionCredit
	err = c.db.WithContext(ctx).Where("user_id = ? AND template_id IN ?", userID, templateIDs).Find(&rows).Error
	out := map[string]int{}
	for _, r := range rows {
		out[r.TemplateID] = r.Credits
	}
	return out, err
}

// AcceptByOpenID is Accept for a subscription event pushed by WeChat.
func (c *Credits) AcceptByOpenID(ctx context.Context, openID, templateID string) error {
	var userID uint64
	err := c.db.WithContext(ctx).Model(&model.User{}).Where("open_id = ?", openID).Pluck("id", &userID).Error
	if err != nil || userID == 0 {
		return err // a user we have never seen: nothing to credit
	}
	return c.add(ctx, c.db, userID, templateID)
}

func (c *Credits) add(ctx context.Context, tx *gorm.DB, userID uint64, templateID string) error {
	row := model.SubscriptionCredit{UserID: userID, TemplateID: templateID, Credits: 1, UpdatedAt: c.now()}
	return tx.WithContext(ctx).Clauses(clause.OnConflict{
		Columns:   []clause.Column{{Name: "user_id"}, {Name: "template_id"}},
		DoUpdates: clause.Assignments(map[string]any{"credits": gorm.Expr("credits + 1"), "updated_at": c.now()}),
	}).Create(&row).Error
}
