package wechat

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"

	"yaoju/service/wechat/wxsim"
)

const sendPath = "/cgi-bin/message/subscribe/send"

var someMessage = SubscribeMessage{ToUser: "o_alice", TemplateID: "tmpl-checkin", Data: map[string]string{"thing1": "x"}}

func TestSendSubscribe_RateLimitIsTransient(t *testing.T) {
	e := newEnv(t)
	e.sim.Fail(sendPath, wxsim.Failure{Errcode: 45009})
	err := e.client.SendSubscribe(context.Background(), someMessage)
	if !errors.Is(err, ErrRateLimited) || !IsTransient(err) {
		t.Fatalf("got %v, want ErrRateLimited, transient", err)
	}
	// The failure was for one request only.
	if err := e.client.SendSubscribe(context.Background(), someMessage); err != nil {
		t.Fatal(err)
	}
}

func TestSendSubscribe_SystemBusyIsTransient(t *testing.T) {
	e := newEnv(t)
	e.sim.Fail(sendPath, wxsim.Failure{Errcode: -1})
	if err := e.client.SendSubscribe(context.Background(), someMessage); !IsTransient(err) {
		t.Fatalf("got %v, want transient", err)
	}
}

func TestSendSubscribe_HTTP500IsTransient(t *testing.T) {
	e := newEnv(t)
	e.sim.Fail(sendPath, wxsim.Failure{HTTPStatus: 500})
	err := e.client.SendSubscribe(context.Background(), someMessage)
	var h *HTTPError
	if !errors.As(err, &h) || h.Status != 500 || !IsTransient(err) {
		t.Fatalf("got %v, want HTTP 500, transient", err)
	}
}

func TestLogin_AnswerSlowerThanTimeoutIsTransient(t *testing.T) {
	e := newEnv(t, func(c *Config) { c.Timeout = 200 * time.Millisecond })
	e.sim.Fail("/sns/jscode2session", wxsim.Failure{Delay: 3 * time.Second})
	start := time.Now()
	_, _, err := e.client.Login(context.Background(), "test_alice")
	if err == nil || !IsTransient(err) {
		t.Fatalf("got %v, want a transient timeout", err)
	}
	if d := time.Since(start); d > 2*time.Second {
		t.Fatalf("took %v; the 200ms timeout was not applied", d)
	}
}

// silenceper's subscribe.Send takes no context; SendSubscribe still stops
// waiting when the caller's context ends.
func TestSendSubscribe_StopsWaitingWhenContextEnds(t *testing.T) {
	e := newEnv(t, func(c *Config) { c.Timeout = 10 * time.Second })
	e.sim.Fail(sendPath, wxsim.Failure{Delay: 3 * time.Second})
	ctx, cancel := context.WithTimeout(context.Background(), 200*time.Millisecond)
	defer cancel()
	start := time.Now()
	err := e.client.SendSubscribe(ctx, someMessage)
	if !errors.Is(err, context.DeadlineExceeded) || !IsTransient(err) {
		t.Fatalf("got %v, want context.DeadlineExceeded, transient", err)
	}
	if d := time.Since(start); d > 2*time.Second {
		t.Fatalf("took %v", d)
	}
}

// Errors end up in logs: neither the app secret (in the jscode2session URL)
// nor the access token (in every other URL) may appear in them.
func TestErrors_DoNotCarrySecretOrToken(t *testing.T) {
	e := newEnv(t, func(c *Config) { c.Timeout = 200 * time.Millisecond })
	ctx := context.Background()
	if _, err := e.client.PhoneNumber(ctx, "phone_13812345678"); err != nil { // caches a token
		t.Fatal(err)
	}
	token := e.client.tokens.cached(ctx)
	if token == "" {
		t.Fatal("no cached token")
	}

	var errs []error
	e.sim.Fail("/sns/jscode2session", wxsim.Failure{Delay: time.Second})
	_, _, err := e.client.Login(ctx, "test_alice")
	errs = append(errs, err)
	e.sim.Fail("/sns/jscode2session", wxsim.Failure{HTTPStatus: 502})
	_, _, err = e.client.Login(ctx, "test_alice")
	errs = append(errs, err)
	e.sim.Fail("/wxa/business/getuserphonenumber", wxsim.Failure{Delay: time.Second})
	_, err = e.client.PhoneNumber(ctx, "phone_13812345678")
	errs = append(errs, err)
	e.sim.Fail(sendPath, wxsim.Failure{HTTPStatus: 503})
	errs = append(errs, e.client.SendSubscribe(ctx, someMessage))
	e.sim.Fail("/wxa/getwxacodeunlimit", wxsim.Failure{Delay: time.Second})
	_, _, err = e.client.WXACode(ctx, "abc")
	errs = append(errs, err)

	for i, err := range errs {
		if err == nil {
			t.Fatalf("call %d did not fail", i)
		}
		if !IsTransient(err) {
			t.Errorf("call %d: %v is not transient", i, err)
		}
		msg := fmt.Sprint(err)
		if strings.Contains(msg, testSecret) || strings.Contains(msg, token) {
			t.Errorf("call %d: error carries a secret: %s", i, msg)
		}
	}
}

func TestIsTransient_OnlyRetryableErrors(t *testing.T) {
	for _, c := range []struct {
		err  error
		want bool
	}{
		{nil, false},
		{context.Canceled, false},
		{fmt.Errorf("x: %w", context.DeadlineExceeded), true},
		{&APIError{Code: -1}, true},
		{&APIError{Code: 45009}, true},
		{&APIError{Code: 40029}, false},
		{&APIError{Code: 43101}, false},
		{&HTTPError{Status: 502}, true},
		{&HTTPError{Status: 404}, false},
		{errors.New("unexpected content type"), false},
	} {
		if got := IsTransient(c.err); got != c.want {
			t.Errorf("IsTransient(%v) = %v, want %v", c.err, got, c.want)
		}
	}
}
