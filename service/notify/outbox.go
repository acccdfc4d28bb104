// Package notify sends notifications through an outbox table: a rule writes
// the notification in its own transaction, and a sender delivers it as a
// WeChat subscription message or an SMS, retrying with backoff.
package notify

import (
	"context"
	"encoding/json"
	"time"

	"gorm.io/gorm"

	"yaoju/model"
)

// Message is a notification to queue.
type Message struct {
	// Channel is wechat or sms; empty means WeChat when the recipient has a
	// WeChat user, otherwise SMS.
	Channel     string
	ResidenceID *uint64
	UserID      *uint64
	Phone       string
	Template    string
	Page        string
	Data        map[string]string
	// DedupeKey names the event: the outbox holds at most one message per key.
	DedupeKey string
}

// Payload is what the sender needs to build the message.
type Payload struct {
	Page string            `json:"page,omitempty"`
	Data map[string]string `json:"data"`
}

// Enqueue writes m to the outbox in tx, first as a WeChat message when the
// recipient has a WeChat user and otherwise as an SMS. It reports whether
// the message is new.
func Enqueue(ctx context.Context, tx *gorm.DB, now time.Time, m Message) (bool, error) {
	payload, _ := json.Marshal(Payload{Page: m.Page, Data: m.Data})
	channel := m.Channel
	switch {
	case channel != "":
	case m.UserID != nil:
		channel = model.ChannelWeChat
	default:
		channel = model.ChannelSMS
	}
	n := model.Notification{
		ResidenceID: m.ResidenceID, UserID: m.UserID, Phone: m.Phone, Channel: channel,
		Template: m.Template, Payload: string(payload), DedupeKey: m.DedupeKey,
		Status: model.NotifyPending, NextAttemptAt: now,
	}
	return model.CreateUnlessExists(ctx, tx, &n)
}

// Templates, by yaoju's own names; the sender maps them to the WeChat
// template ids and SMS templates in config.
const (
	TemplateCheckinReminder = "checkin_reminder"
	TemplateTenantMoved     = "tenant_moved"
)
