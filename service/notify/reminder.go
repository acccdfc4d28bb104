package notify

import (
	"context"
	"fmt"
	"time"

	"gorm.io/gorm"

	"yaoju/model"
)

// Subscription modes (config).
const (
	// ModeLongTerm: the government category's long-term subscription; no
	// credit is needed.
	ModeLongTerm = "long_term"
	// ModeOneTime: each template the user accepted gives one credit, used up
	// by a send.
	ModeOneTime = "one_time"
)

// Reminders queues check-in reminders, choosing WeChat when the tenant can
// receive a subscription message and SMS otherwise.
type Reminders struct {
	db         *gorm.DB
	mode       string
	templateID string
	now        func() time.Time
}

// NewReminders builds the reminder queue; templateID is the WeChat
// subscription template of the check-in reminder.
func NewReminders(db *gorm.DB, mode, templateID string, now func() time.Time) *Reminders {
	return &Reminders{db: db, mode: mode, templateID: templateID, now: now}
}

// Queue writes the reminders of a batch of residences whose period fell due
// (at their NextCheckinDue), in one transaction. Each is written once: its
// dedupe key is the residence and the due time, so a batch that comes back
// (a crashed sweeper, a rebuilt schedule) queues nothing twice and spends no
// credit twice. It reports how many reminders are new.
func (m *Reminders) Queue(ctx context.Context, due []model.Residence) (int, error) {
	queued := 0
	err := m.db.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		queued = 0
		for _, r := range due {
			isNew, err := m.queue(ctx, tx, r)
			if err != nil {
				return err
			}
			if isNew {
				queued++
			}
		}
		return nil
	})
	return queued, err
}

func (m *Reminders) queue(ctx context.Context, tx *gorm.DB, r model.Residence) (bool, error) {
	credit := tx.Model(&model.SubscriptionCredit{}).
		Where("user_id = ? AND template_id = ? AND credits > 0", r.UserID, m.templateID)
	channel := model.ChannelWeChat
	if m.mode != ModeLongTerm {
		res := credit.Session(&gorm.Session{}).Update("credits", gorm.Expr("credits - 1"))
		if res.Error != nil {
			return false, res.Error
		}
		if res.RowsAffected == 0 {
			channel = model.ChannelSMS
		}
	}
	due := *r.NextCheckinDue
	queued, err := Enqueue(ctx, tx, m.now(), Message{
		Channel: channel, ResidenceID: &r.ID, UserID: &r.UserID, Phone: r.Phone,
		Template: TemplateCheckinReminder, Page: fmt.Sprintf("pages/checkin/index?residence_id=%d", r.ID),
		Data: map[string]string{
			"thing1": "每月扫码签到",
			"time2":  due.In(model.Shanghai).Format("2006年01月02日"),
			"thing3": "请在住处门口扫描门牌二维码完成签到",
		},
		DedupeKey: fmt.Sprintf("checkin_reminder:%d:%d", r.ID, due.Unix()),
	})
	if err != nil || queued || m.mode == ModeLongTerm || channel != model.ChannelWeChat {
		return queued, err
	}
	// Already queued: give the credit back.
	return false, tx.Model(&model.SubscriptionCredit{}).Where("user_id = ? AND template_id = ?", r.UserID, m.templateID).
		Update("credits", gorm.Expr("credits + 1")).Error
}
