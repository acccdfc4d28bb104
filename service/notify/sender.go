package notify

import (
	"context"
	"encoding/json"
	"errors"
	"log/slog"
	"sort"
	"sync"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"golang.org/x/time/rate"
	"gorm.io/gorm"

	"yaoju/model"
	"yaoju/service/notify/sms"
	"yaoju/service/wechat"
)

// WeChat is what the sender needs of WeChat.
type WeChat interface {
	SendSubscribe(ctx context.Context, m wechat.SubscribeMessage) error
}

// SenderConfig is the sender's settings.
type SenderConfig struct {
	// Templates maps yaoju's template names to WeChat template ids.
	Templates map[string]string
	// MaxAttempts before a notification is failed for good.
	MaxAttempts int
	// Workers send at once; PerSecond caps WeChat and SMS calls together.
	Workers   int
	PerSecond float64
	// Poll is how often the outbox is read.
	Poll time.Duration
}

// Sender delivers the outbox. Several instances may run: each claims a row
// by moving its next attempt forward with a conditional update, so only one
// sends it.
type Sender struct {
	db      *gorm.DB
	wx      WeChat
	sms     sms.Sender
	cfg     SenderConfig
	limiter *rate.Limiter
	now     func() time.Time
	log     *slog.Logger
	results *prometheus.CounterVec
}

// NewSender builds the outbox sender.
func NewSender(db *gorm.DB, wx WeChat, smsSender sms.Sender, cfg SenderConfig, now func() time.Time, log *slog.Logger, reg prometheus.Registerer) *Sender {
	if cfg.MaxAttempts == 0 {
		cfg.MaxAttempts = 5
	}
	if cfg.Workers == 0 {
		cfg.Workers = 8
	}
	if cfg.PerSecond == 0 {
		cfg.PerSecond = 200
	}
	if cfg.Poll == 0 {
		cfg.Poll = time.Second
	}
	results := prometheus.NewCounterVec(prometheus.CounterOpts{
		Name: "yaoju_notifications_total", Help: "Notification send attempts by channel and result.",
	}, []string{"channel", "result"})
	reg.MustRegister(results)
	return &Sender{db: db, wx: wx, sms: smsSender, cfg: cfg, now: now, log: log, results: results,
		limiter: rate.NewLimiter(rate.Limit(cfg.PerSecond), int(cfg.PerSecond))}
}

// Run sends until ctx ends.
func (s *Sender) Run(ctx context.Context) {
	t := time.NewTicker(s.cfg.Poll)
	defer t.Stop()
	for {
		for {
			n, err := s.Flush(ctx)
			if err != nil && ctx.Err() == nil {
				s.log.Warn("outbox flush failed", "err", err.Error())
			}
			if n == 0 || err != nil {
				break
			}
		}
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
	}
}

// lease is how long a claimed row waits before another sender may retry it.
const lease = 2 * time.Minute

// Flush sends one batch of due notifications and reports how many it tried.
func (s *Sender) Flush(ctx context.Context) (int, error) {
	now := s.now()
	var due []model.Notification
	err := s.db.WithContext(ctx).Where("status = ? AND next_attempt_at <= ?", model.NotifyPending, now).
		Order("next_attempt_at").Limit(200).Find(&due).Error
	if err != nil || len(due) == 0 {
		return 0, err
	}
	work := make(chan model.Notification)
	var wg sync.WaitGroup
	for i := 0; i < s.cfg.Workers; i++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for n := range work {
				s.deliver(ctx, n)
			}
		}()
	}
	tried := 0
	for _, n := range due {
		claim := s.db.WithContext(ctx).Model(&model.Notification{}).
			Where("id = ? AND status = ? AND next_attempt_at = ?", n.ID, model.NotifyPending, n.NextAttemptAt).
			Update("next_attempt_at", now.Add(lease))
		if claim.Error != nil {
			close(work)
			wg.Wait()
			return tried, claim.Error
		}
		if claim.RowsAffected == 1 {
			tried++
			work <- n
		}
	}
	close(work)
	wg.Wait()
	return tried, nil
}

// deliver makes one attempt and records its outcome on the row.
func (s *Sender) deliver(ctx context.Context, n model.Notification) {
	if err := s.limiter.Wait(ctx); err != nil {
		return
	}
	var p Payload
	json.Unmarshal([]byte(n.Payload), &p)
	var err error
	if n.Channel == model.ChannelWeChat {
		err = s.sendWeChat(ctx, n, p)
	} else {
		err = s.sendSMS(ctx, n, p)
	}
	now := s.now()
	updates := map[string]any{"attempts": n.Attempts + 1}
	switch {
	case err == nil:
		updates["status"], updates["sent_at"], updates["last_error"] = model.NotifySent, now, ""
		s.results.WithLabelValues(n.Channel, "sent").Inc()
	case n.Channel == model.ChannelWeChat && errors.Is(err, wechat.ErrNotSubscribed) && n.Phone != "":
		// The user refused or never subscribed: the same notification goes
		// out as an SMS at once.
		updates["channel"], updates["next_attempt_at"] = model.ChannelSMS, now
		updates["last_error"] = "微信订阅消息未授权(43101)，改发短信"
		s.results.WithLabelValues(n.Channel, "fallback").Inc()
	case transient(err) && n.Attempts+1 < s.cfg.MaxAttempts:
		updates["next_attempt_at"], updates["last_error"] = now.Add(backoff(n.Attempts)), truncate(err.Error())
		s.results.WithLabelValues(n.Channel, "retry").Inc()
	default:
		updates["status"], updates["last_error"] = model.NotifyFailed, truncate(err.Error())
		s.results.WithLabelValues(n.Channel, "failed").Inc()
	}
	if err := s.db.WithContext(context.WithoutCancel(ctx)).Model(&model.Notification{}).Where("id = ?", n.ID).Updates(updates).Error; err != nil {
		s.log.Error("outbox update failed", "notification_id", n.ID, "err", err.Error())
	}
}

func (s *Sender) sendWeChat(ctx context.Context, n model.Notification, p Payload) error {
	if n.UserID == nil {
		return wechat.ErrNotSubscribed
	}
	var openID string
	if err := s.db.WithContext(ctx).Model(&model.User{}).Where("id = ?", *n.UserID).Pluck("open_id", &openID).Error; err != nil {
		return err
	}
	templateID := s.cfg.Templates[n.Template]
	if templateID == "" {
		templateID = n.Template
	}
	return s.wx.SendSubscribe(ctx, wechat.SubscribeMessage{ToUser: openID, TemplateID: templateID, Page: p.Page, Data: p.Data})
}

func (s *Sender) sendSMS(ctx context.Context, n model.Notification, p Payload) error {
	keys := make([]string, 0, len(p.Data))
	for k := range p.Data {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	params := make([]string, len(keys))
	for i, k := range keys {
		params[i] = p.Data[k]
	}
	return s.sms.Send(ctx, n.Phone, n.Template, params)
}

func transient(err error) bool { return wechat.IsTransient(err) || sms.IsTransient(err) }

// backoff doubles from 10 s up to 30 minutes.
func backoff(attempts int) time.Duration {
	d := 10 * time.Second << min(attempts, 8)
	return min(d, 30*time.Minute)
}

func truncate(s string) string {
	if len(s) > 300 {
		return s[:300]
	}
	return s
}
