package sms

import (
	"context"
	"log/slog"

	"yaoju/service/pii"
)

// LogOnly is embedded mode's sender: it sends nothing and logs that it would
// have, with the phone masked (138****5678). It refuses a malformed number
// with ErrBadNumber as Tencent would, so the outbox behaves the same in both
// modes. Parameter values are not logged, only their count: they can carry
// personal details.
type LogOnly struct {
	log *slog.Logger
}

// NewLogOnly returns a LogOnly that writes to log, or to slog.Default when
// log is nil.
func NewLogOnly(log *slog.Logger) *LogOnly {
	if log == nil {
		log = slog.Default()
	}
	return &LogOnly{log: log}
}

// Send logs the message it would have sent.
func (l *LogOnly) Send(ctx context.Context, phone, template string, params []string) error {
	national, err := nationalNumber(phone)
	if err != nil {
		return err
	}
	l.log.InfoContext(ctx, "sms not sent: log-only sender",
		"phone", pii.MaskPhone(national), "template", template, "params", len(params))
	return nil
}
