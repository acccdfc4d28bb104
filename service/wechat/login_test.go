package wechat

import (
	"context"
	"errors"
	"testing"
)

func TestLogin_TestCodeLogsInAsItsOpenID(t *testing.T) {
	e := newEnv(t)
	openID, unionID, err := e.client.Login(context.Background(), "test_alice")
	if err != nil {
		t.Fatal(err)
	}
	if openID != "o_alice" || unionID != "" {
		t.Fatalf("got openid %q unionid %q, want o_alice and none", openID, unionID)
	}
}

func TestLogin_UnknownCodeIsRefused(t *testing.T) {
	e := newEnv(t)
	_, _, err := e.client.Login(context.Background(), "0a3xYz")
	var api *APIError
	if !errors.As(err, &api) || api.Code != 40029 {
		t.Fatalf("got %v, want errcode 40029", err)
	}
	if !errors.Is(err, ErrInvalidCode) || IsTransient(err) {
		t.Fatalf("40029 must be ErrInvalidCode and not transient: %v", err)
	}
}

func TestLogin_CodeUsedTwiceIsInvalidCode(t *testing.T) {
	err := error(&APIError{Code: 40163, Msg: "code been used"})
	if !errors.Is(err, ErrInvalidCode) {
		t.Fatal("40163 must be ErrInvalidCode")
	}
}

// silenceper pastes js_code into the URL unescaped; such a code must not
// reach WeChat.
func TestLogin_MalformedCodeIsRefusedWithoutCallingWeChat(t *testing.T) {
	e := newEnv(t)
	for _, code := range []string{"", "test_a&js_code=test_b", "test_a#", "test a"} {
		if _, _, err := e.client.Login(context.Background(), code); !errors.Is(err, ErrInvalidCode) {
			t.Errorf("code %q: got %v, want ErrInvalidCode", code, err)
		}
	}
	if n := e.sim.Calls("/sns/jscode2session"); n != 0 {
		t.Fatalf("jscode2session called %d times", n)
	}
}
