package api_test

import (
	"testing"
	"time"

	"yaoju/app/apptest"
)

func TestWxLogin_TokenWorksOnMiniProgramRoutesOnly(t *testing.T) {
	e := apptest.New(t)
	res := e.Must(200, "POST", "/api/v1/wx/login", map[string]string{"code": "test_alice"}, "")
	var login struct {
		Token     string `json:"token"`
		ExpiresAt string `json:"expires_at"`
		User      struct {
			ID    uint64   `json:"id"`
			Roles []string `json:"roles"`
		} `json:"user"`
	}
	res.Data(t, &login)
	if login.Token == "" || login.ExpiresAt == "" || login.User.ID == 0 || len(login.User.Roles) != 1 || login.User.Roles[0] != "tenant" {
		t.Fatalf("login answer: %s", res.Body)
	}
	e.Must(200, "GET", "/api/v1/me/residences", nil, login.Token)
	if r := e.Do("GET", "/api/v1/console/houses", nil, login.Token); r.Status != 401 || r.Reason != "unauthorized" {
		t.Fatalf("mini-program token on a console route: %d %s", r.Status, r.Body)
	}
}

func TestWxLogin_UnknownCodeIsRefused(t *testing.T) {
	e := apptest.New(t)
	r := e.Do("POST", "/api/v1/wx/login", map[string]string{"code": "nope"}, "")
	if r.Status != 401 || r.Reason == "" || r.Code == 0 || r.Msg == "" {
		t.Fatalf("got %d %s", r.Status, r.Body)
	}
}

func TestWxLogin_SameCodeOwnerIsSameUser(t *testing.T) {
	e := apptest.New(t)
	first := e.Must(200, "POST", "/api/v1/wx/login", map[string]string{"code": "test_bob"}, "").Map(t)
	second := e.Must(200, "POST", "/api/v1/wx/login", map[string]string{"code": "test_bob"}, "").Map(t)
	if first["user"].(map[string]any)["id"] != second["user"].(map[string]any)["id"] {
		t.Fatal("one openid became two users")
	}
}

func TestWxPhone_BindsAndMasks(t *testing.T) {
	e := apptest.New(t)
	token := e.WxLogin("carol")
	data := e.Must(200, "POST", "/api/v1/wx/phone", map[string]string{"code": "phone_13812345678"}, token).Map(t)
	if data["phone_masked"] != "138****5678" {
		t.Fatalf("phone_masked = %v", data["phone_masked"])
	}
	if r := e.Do("POST", "/api/v1/wx/phone", map[string]string{"code": "wrong"}, token); r.Status != 401 {
		t.Fatalf("bad phone code: %d %s", r.Status, r.Body)
	}
}

func TestConsoleLogin_DemoAccountsAndWrongPassword(t *testing.T) {
	e := apptest.New(t)
	for _, name := range []string{"admin", "police1", "worker1"} {
		token := e.ConsoleLogin(name)
		me := e.Must(200, "GET", "/api/v1/console/me", nil, token).Map(t)
		if me["username"] != name {
			t.Fatalf("me = %v", me)
		}
		if r := e.Do("GET", "/api/v1/me/residences", nil, token); r.Status != 401 {
			t.Fatalf("console token on a mini-program route: %d", r.Status)
		}
	}
	r := e.Do("POST", "/api/v1/console/login", map[string]string{"username": "admin", "password": "wrong-password"}, "")
	if r.Status != 401 || r.Reason != "unauthorized" {
		t.Fatalf("wrong password: %d %s", r.Status, r.Body)
	}
}

func TestConsoleLogin_RepeatedFailuresLockTheAccount(t *testing.T) {
	e := apptest.New(t)
	bad := map[string]string{"username": "worker1", "password": "not-the-password"}
	for i := 0; i < 5; i++ {
		if r := e.Do("POST", "/api/v1/console/login", bad, ""); r.Status != 401 {
			t.Fatalf("failure %d: %d", i, r.Status)
		}
	}
	good := map[string]string{"username": "worker1", "password": "demo123456"}
	r := e.Do("POST", "/api/v1/console/login", good, "")
	if r.Status != 429 || r.Reason == "" {
		t.Fatalf("locked account: %d %s", r.Status, r.Body)
	}
	mr := e.App.EmbeddedRedis()
	if mr == nil {
		t.Skip("real Redis: the lockout's expiry (15 minutes) is not fast-forwarded")
	}
	mr.FastForward(16 * time.Minute) // miniredis expires keys on its own clock
	e.Must(200, "POST", "/api/v1/console/login", good, "")
}

func TestLogout_TokenRefusedAtOnce(t *testing.T) {
	e := apptest.New(t)
	for _, token := range []string{e.WxLogin("dave"), e.ConsoleLogin("police1")} {
		e.Must(200, "POST", "/api/v1/logout", nil, token)
		if r := e.Do("GET", "/api/v1/me/residences", nil, token); r.Status != 401 {
			t.Fatalf("after logout: %d", r.Status)
		}
		if r := e.Do("GET", "/api/v1/console/me", nil, token); r.Status != 401 {
			t.Fatalf("after logout: %d", r.Status)
		}
	}
}
