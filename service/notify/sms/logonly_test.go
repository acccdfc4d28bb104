package sms

import (
	"bytes"
	"context"
	"errors"
	"log/slog"
	"strings"
	"testing"
)

func TestLogOnly_LogsMaskedPhoneNeverTheFullOne(t *testing.T) {
	for _, phone := range []string{"13812345678", "+8613812345678", "138 1234 5678"} {
		var buf bytes.Buffer
		s := NewLogOnly(slog.New(slog.NewJSONHandler(&buf, nil)))
		if err := s.Send(context.Background(), phone, "checkin_reminder", []string{"张三", "13812345678"}); err != nil {
			t.Fatalf("Send(%q): %v", phone, err)
		}
		out := buf.String()
		if !strings.Contains(out, `"phone":"138****5678"`) {
			t.Errorf("Send(%q) log lacks the masked phone: %s", phone, out)
		}
		if !strings.Contains(out, `"template":"checkin_reminder"`) {
			t.Errorf("Send(%q) log lacks the template: %s", phone, out)
		}
		// Not even through a parameter that happens to hold the number.
		if strings.Contains(out, "13812345678") || strings.Contains(out, "张三") {
			t.Errorf("Send(%q) log leaks personal data: %s", phone, out)
		}
	}
}

func TestLogOnly_RefusesBadNumberLikeTencent(t *testing.T) {
	var buf bytes.Buffer
	s := NewLogOnly(slog.New(slog.NewJSONHandler(&buf, nil)))
	err := s.Send(context.Background(), "0211234567", "checkin_reminder", nil)
	if !errors.Is(err, ErrBadNumber) {
		t.Errorf("err = %v, want ErrBadNumber", err)
	}
	if strings.Contains(err.Error(), "0211234567") || strings.Contains(buf.String(), "0211234567") {
		t.Errorf("the number leaked: err %q, log %q", err, buf.String())
	}
}

func TestLogOnly_NilLoggerUsesDefault(t *testing.T) {
	if err := NewLogOnly(nil).Send(context.Background(), "13812345678", "checkin_reminder", nil); err != nil {
		t.Fatal(err)
	}
}
