package wechat

import (
	"context"
	"errors"
	"testing"

	"yaoju/service/wechat/wxsim"
)

const stableTokenPath = "/cgi-bin/stable_token"

func TestToken_FetchedOnceAndSharedThroughRedis(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()
	if _, err := e.client.PhoneNumber(ctx, "phone_13812345678"); err != nil {
		t.Fatal(err)
	}
	// A second instance of the service, sharing the Redis.
	other := New(e.cfg, e.rdb, e.prefix)
	if _, err := other.PhoneNumber(ctx, "phone_13912345678"); err != nil {
		t.Fatal(err)
	}
	if n := e.sim.Calls(stableTokenPath); n != 1 {
		t.Fatalf("stable_token called %d times, want 1", n)
	}
	if n := e.sim.Calls("/cgi-bin/token"); n != 0 {
		t.Fatalf("the non-stable token endpoint was called %d times", n)
	}
	if n := e.sim.Calls("/wxa/business/getuserphonenumber"); n != 2 {
		t.Fatalf("getuserphonenumber called %d times, want 2", n)
	}
	keys, err := e.rdb.Keys(ctx, e.prefix+"*").Result()
	if err != nil || len(keys) != 1 {
		t.Fatalf("want the token under the prefix, got keys %v (%v)", keys, err)
	}
	ttl := e.rdb.TTL(ctx, keys[0]).Val()
	if ttl <= 0 || ttl.Seconds() > 7200-300 {
		t.Fatalf("token TTL %v, want up to 5 minutes before WeChat's expiry", ttl)
	}
}

// After the simulator forgets its tokens (as a restart does) while Redis
// keeps one, a call gets 40001 once, drops the token and succeeds.
func TestToken_RejectedTokenIsDroppedAndFetchedAgain(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()
	if _, err := e.client.PhoneNumber(ctx, "phone_13812345678"); err != nil {
		t.Fatal(err)
	}
	e.sim.Reset()
	if _, err := e.client.PhoneNumber(ctx, "phone_13812345678"); err != nil {
		t.Fatal(err)
	}
	if n := e.sim.Calls("/wxa/business/getuserphonenumber"); n != 2 {
		t.Fatalf("getuserphonenumber called %d times after the reset, want 2 (40001, then ok)", n)
	}
	if n := e.sim.Calls(stableTokenPath); n != 1 {
		t.Fatalf("stable_token called %d times after the reset, want 1", n)
	}
}

func TestToken_FetchErrorKeepsErrcode(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()

	e.sim.Fail(stableTokenPath, wxsim.Failure{Errcode: -1})
	_, err := e.client.PhoneNumber(ctx, "phone_13812345678")
	var api *APIError
	if !errors.As(err, &api) || api.Code != -1 || !IsTransient(err) {
		t.Fatalf("system busy while fetching the token: got %v, want transient errcode -1", err)
	}

	// A wrong secret is 40001 on the token endpoint: no retry, not transient.
	e.sim.Reset()
	e.sim.Fail(stableTokenPath, wxsim.Failure{Errcode: 40001})
	_, err = e.client.PhoneNumber(ctx, "phone_13812345678")
	if !errors.As(err, &api) || api.Code != 40001 || IsTransient(err) {
		t.Fatalf("got %v, want errcode 40001, not transient", err)
	}
	if n := e.sim.Calls(stableTokenPath); n != 1 {
		t.Fatalf("stable_token called %d times, want 1", n)
	}
}
