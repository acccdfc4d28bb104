package wxsim

import (
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"
)

func TestScene_WeChatRules(t *testing.T) {
	for scene, want := range map[string]bool{
		"a":                                 true,
		"u7Kq2mZp9XwR4tYb":                  true,
		"!#$&'()*+,/:;=?@-._~":              true,
		"12345678901234567890123456789012":  true,  // 32
		"123456789012345678901234567890123": false, // 33
		"":                                  false,
		"a b":                               false,
		"%41":                               false,
		"百家":                                false,
		"a\"b":                              false,
	} {
		if got := validScene(scene); got != want {
			t.Errorf("validScene(%q) = %v, want %v", scene, got, want)
		}
	}
}

// call posts body (GET when body is "") to path and decodes the JSON answer.
func call(t *testing.T, h http.Handler, path, body string) (map[string]any, *http.Response) {
	t.Helper()
	method := http.MethodPost
	if body == "" {
		method = http.MethodGet
	}
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, httptest.NewRequest(method, path, strings.NewReader(body)))
	res := rec.Result()
	var out map[string]any
	if strings.HasPrefix(res.Header.Get("Content-Type"), "application/json") {
		if err := json.NewDecoder(res.Body).Decode(&out); err != nil {
			t.Fatal(err)
		}
	}
	return out, res
}

func errcode(m map[string]any) int {
	f, _ := m["errcode"].(float64)
	return int(f)
}

func stableToken(t *testing.T, s *Simulator, force bool) (string, int) {
	t.Helper()
	body := `{"grant_type":"client_credential","appid":"wx1","secret":"s","force_refresh":false}`
	if force {
		body = strings.Replace(body, "false", "true", 1)
	}
	m, _ := call(t, s.Handler(), "/cgi-bin/stable_token", body)
	token, _ := m["access_token"].(string)
	expires, _ := m["expires_in"].(float64)
	return token, int(expires)
}

func TestStableToken_SameUntilForceRefresh(t *testing.T) {
	s := New()
	first, expires := stableToken(t, s, false)
	if first == "" || expires != 7200 {
		t.Fatalf("token %q expires_in %d", first, expires)
	}
	if again, _ := stableToken(t, s, false); again != first {
		t.Fatal("normal mode changed the token")
	}
	forced, _ := stableToken(t, s, true)
	if forced == first {
		t.Fatal("force_refresh kept the token")
	}
	m, _ := call(t, s.Handler(), "/wxa/business/getuserphonenumber?access_token="+first, `{"code":"phone_13812345678"}`)
	if errcode(m) != 40001 {
		t.Fatalf("revoked token answered %v", m)
	}
}

func TestEndpoints_CheckAccessToken(t *testing.T) {
	s := New()
	for path, want := range map[string]int{
		"/wxa/getwxacodeunlimit":                        41001,
		"/wxa/getwxacodeunlimit?access_token=forged":    40001,
		"/cgi-bin/message/subscribe/send?access_token=": 41001,
	} {
		if m, _ := call(t, s.Handler(), path, `{}`); errcode(m) != want {
			t.Errorf("%s: got %v, want errcode %d", path, m, want)
		}
	}
}

func TestWXACode_AnswersExactlyImageJPEG(t *testing.T) {
	s := New()
	token, _ := stableToken(t, s, false)
	_, res := call(t, s.Handler(), "/wxa/getwxacodeunlimit?access_token="+token, `{"scene":"abc","check_path":false,"env_version":"develop"}`)
	if ct := res.Header.Get("Content-Type"); ct != "image/jpeg" {
		t.Fatalf("Content-Type %q", ct)
	}
	b, _ := io.ReadAll(res.Body)
	if len(b) < 3 || b[0] != 0xFF || b[1] != 0xD8 {
		t.Fatal("not a JPEG")
	}
	m, _ := call(t, s.Handler(), "/wxa/getwxacodeunlimit?access_token="+token, `{"scene":"abc","env_version":"beta"}`)
	if errcode(m) != 40097 {
		t.Fatalf("bad env_version answered %v", m)
	}
}

func TestFail_LastsForTimesThenClears(t *testing.T) {
	s := New()
	s.Fail("/sns/jscode2session", Failure{Errcode: 45009, Times: 2})
	path := "/sns/jscode2session?appid=wx1&secret=s&js_code=test_a&grant_type=authorization_code"
	for i, want := range []int{45009, 45009, 0} {
		m, _ := call(t, s.Handler(), path, "")
		if errcode(m) != want {
			t.Fatalf("request %d: %v, want errcode %d", i, m, want)
		}
	}
	if m, _ := call(t, s.Handler(), path, ""); m["openid"] != "o_a" {
		t.Fatalf("login answered %v", m)
	}
	if n := s.Calls("/sns/jscode2session"); n != 4 {
		t.Fatalf("Calls = %d, want 4", n)
	}
	s.Fail("/sns/jscode2session", Failure{HTTPStatus: 500})
	if _, res := call(t, s.Handler(), path, ""); res.StatusCode != 500 {
		t.Fatalf("status %d", res.StatusCode)
	}
}

func TestFail_DelayEndsWhenRequestIsCancelled(t *testing.T) {
	s := New()
	s.Fail("/cgi-bin/token", Failure{Delay: time.Minute})
	ctx, cancel := context.WithTimeout(context.Background(), 50*time.Millisecond)
	defer cancel()
	r := httptest.NewRequestWithContext(ctx, http.MethodGet, "/cgi-bin/token", nil)
	done := make(chan struct{})
	go func() { s.Handler().ServeHTTP(httptest.NewRecorder(), r); close(done) }()
	select {
	case <-done:
	case <-time.After(5 * time.Second):
		t.Fatal("the delay ignored the cancelled request")
	}
}

func TestSubscribeSend_ValidatesRecordsAndRefuses(t *testing.T) {
	s := New()
	token, _ := stableToken(t, s, false)
	path := "/cgi-bin/message/subscribe/send?access_token=" + token
	for body, want := range map[string]int{
		`{"template_id":"t","data":{"thing1":{"value":"x"}}}`:                      40003,
		`{"touser":"o_a","data":{"thing1":{"value":"x"}}}`:                         40037,
		`{"touser":"o_a","template_id":"t"}`:                                       47003,
		`{"touser":"o_a","template_id":"t","data":{"thing1":{"value":""}}}`:        47003,
		`{"touser":"o_a","template_id":"t","data":{"thing1":{"value":"x"}},`:       47001,
		`{"touser":"o_a","template_id":"t","data":{"thing1":{"value":"x"}}}`:       0,
		`{"touser":"o_refuser","template_id":"t","data":{"thing1":{"value":"x"}}}`: 43101,
	} {
		if strings.Contains(body, "o_refuser") {
			s.Refuse("o_refuser")
		}
		if m, _ := call(t, s.Handler(), path, body); errcode(m) != want {
			t.Errorf("%s: got %v, want errcode %d", body, m, want)
		}
	}
	msgs := s.Messages()
	if len(msgs) != 1 || msgs[0].ToUser != "o_a" || msgs[0].Data["thing1"] != "x" {
		t.Fatalf("recorded %+v", msgs)
	}
}

func TestSimulator_SafeForConcurrentUse(t *testing.T) {
	s := New()
	url, err := s.Start()
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	var wg sync.WaitGroup
	for range 20 {
		wg.Go(func() {
			res, err := http.Post(url+"/cgi-bin/stable_token", "application/json",
				strings.NewReader(`{"grant_type":"client_credential","appid":"wx1","secret":"s"}`))
			if err == nil {
				res.Body.Close()
			}
			_ = s.Calls("/cgi-bin/stable_token")
			_ = s.Messages()
		})
	}
	wg.Wait()
	if n := s.Calls("/cgi-bin/stable_token"); n != 20 {
		t.Fatalf("Calls = %d, want 20", n)
	}
}
