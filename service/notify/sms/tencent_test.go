package sms

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"reflect"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

const (
	testSecretID  = "AKIDyaojuTEST0000000000000000000000"
	testSecretKey = "yaojuTestSecretKey00000000000000"
	testPhone     = "13812345678"
	testMasked    = "138****5678"
	// 2019-02-26 00:44:25 in Beijing: the signing date must still be 2019-02-25.
	testUnix = 1551113065
)

func testConfig(endpoint string) TencentConfig {
	return TencentConfig{
		SecretID: testSecretID, SecretKey: testSecretKey,
		SDKAppID: "1400006666", SignName: "姚居", Endpoint: endpoint,
		Templates: map[string]string{"checkin_reminder": "1234567"},
	}
}

// fakeTencent stands in for sms.tencentcloudapi.com. Like the real service
// it checks the signature against the secret and answers a failure in the
// JSON envelope; reply answers requests that pass.
type fakeTencent struct {
	*httptest.Server
	secretKey string
	requests  atomic.Int32
	reply     func(w http.ResponseWriter)

	mu          sync.Mutex
	lastHeader  http.Header
	lastBodyMap map[string]any
}

// last returns the headers and body of the last request that passed the
// signature check. The body is decoded generically so that tests check
// Tencent's field names, not this package's struct tags.
func (f *fakeTencent) last() (http.Header, map[string]any) {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.lastHeader, f.lastBodyMap
}

func newFakeTencent(t *testing.T, reply func(w http.ResponseWriter)) *fakeTencent {
	t.Helper()
	f := &fakeTencent{secretKey: testSecretKey, reply: reply}
	f.Server = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		f.requests.Add(1)
		body, _ := io.ReadAll(r.Body)
		if err := f.check(r, body); err != nil {
			writeTencentError(w, "AuthFailure.SignatureFailure", err.Error())
			return
		}
		var decoded map[string]any
		if err := json.Unmarshal(body, &decoded); err != nil {
			writeTencentError(w, "FailedOperation.JsonParseFail", err.Error())
			return
		}
		f.mu.Lock()
		f.lastHeader, f.lastBodyMap = r.Header.Clone(), decoded
		f.mu.Unlock()
		f.reply(w)
	}))
	t.Cleanup(f.Close)
	return f
}

var authRE = regexp.MustCompile(`^TC3-HMAC-SHA256 Credential=([^/]+)/(\d{4}-\d{2}-\d{2})/([a-z]+)/tc3_request, ` +
	`SignedHeaders=([a-z0-9;-]+), Signature=([0-9a-f]{64})$`)

// check verifies the request the way Tencent does: it rebuilds the signature
// from the headers the client says it signed, as they arrived, and the body.
func (f *fakeTencent) check(r *http.Request, body []byte) error {
	want := map[string]string{
		"Content-Type": "application/json; charset=utf-8",
		"X-TC-Action":  "SendSms",
		"X-TC-Version": "2021-01-11",
		"X-TC-Region":  "ap-guangzhou",
	}
	for h, v := range want {
		if got := r.Header.Get(h); got != v {
			return fmt.Errorf("header %s = %q, want %q", h, got, v)
		}
	}
	if r.Method != http.MethodPost || r.URL.Path != "/" || r.URL.RawQuery != "" {
		return fmt.Errorf("request %s %s, want POST /", r.Method, r.URL)
	}
	ts, err := strconv.ParseInt(r.Header.Get("X-TC-Timestamp"), 10, 64)
	if err != nil {
		return fmt.Errorf("X-TC-Timestamp: %v", err)
	}
	m := authRE.FindStringSubmatch(r.Header.Get("Authorization"))
	if m == nil {
		return fmt.Errorf("Authorization %q is not TC3-HMAC-SHA256", r.Header.Get("Authorization"))
	}
	id, date, service, signed := m[1], m[2], m[3], strings.Split(m[4], ";")
	switch {
	case id != testSecretID:
		return fmt.Errorf("SecretId %q", id)
	case service != "sms":
		return fmt.Errorf("service %q, want sms", service)
	case date != time.Unix(ts, 0).UTC().Format("2006-01-02"):
		return fmt.Errorf("scope date %s is not the UTC date of %d", date, ts)
	case !contains(signed, "content-type") || !contains(signed, "host"):
		return fmt.Errorf("SignedHeaders %v lacks content-type or host", signed)
	}
	headers := map[string]string{}
	for _, h := range signed {
		if h == "host" {
			headers[h] = r.Host
		} else {
			headers[h] = r.Header.Get(h)
		}
	}
	recomputed := tc3Authorization(tc3Request{
		SecretID: id, SecretKey: f.secretKey, Service: service, Timestamp: ts, Headers: headers, Body: body,
	})
	if recomputed != r.Header.Get("Authorization") {
		return errors.New("signature does not match")
	}
	return nil
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

func writeTencentError(w http.ResponseWriter, code, message string) {
	fmt.Fprintf(w, `{"Response":{"Error":{"Code":%q,"Message":%q},"RequestId":"req-err"}}`, code, message)
}

func writeSendStatus(w http.ResponseWriter, code, message string) {
	fmt.Fprintf(w, `{"Response":{"SendStatusSet":[{"SerialNo":"5000:1045710669157053657849499619",`+
		`"PhoneNumber":"+8613812345678","Fee":1,"SessionContext":"","Code":%q,"Message":%q,"IsoCode":"CN"}],`+
		`"RequestId":"a0aabda6-cf91-4f3e-a81f-9198114a2279"}}`, code, message)
}

func replyOk(w http.ResponseWriter) { writeSendStatus(w, "Ok", "send success") }

func newTestTencent(endpoint string, client *http.Client) *Tencent {
	s := NewTencent(testConfig(endpoint), client)
	s.now = func() time.Time { return time.Unix(testUnix, 0) }
	return s
}

// assertClean fails when err's text holds the full phone number or the secret.
func assertClean(t *testing.T, err error) {
	t.Helper()
	if err == nil {
		return
	}
	for _, secret := range []string{testPhone, testSecretKey} {
		if strings.Contains(err.Error(), secret) {
			t.Errorf("error %q leaks %q", err, secret)
		}
	}
}

func TestTencent_SendsSignedSendSmsRequest(t *testing.T) {
	f := newFakeTencent(t, replyOk)
	s := newTestTencent(f.URL, nil)

	if err := s.Send(context.Background(), testPhone, "checkin_reminder", []string{"张三", "2026-05-01"}); err != nil {
		t.Fatalf("Send: %v", err)
	}
	want := map[string]any{
		"PhoneNumberSet":   []any{"+8613812345678"},
		"SmsSdkAppId":      "1400006666",
		"TemplateId":       "1234567",
		"SignName":         "姚居",
		"TemplateParamSet": []any{"张三", "2026-05-01"},
	}
	if _, body := f.last(); !reflect.DeepEqual(body, want) {
		t.Errorf("body\n got %v\nwant %v", body, want)
	}
}

func TestTencent_SignsWithInjectedClockAndUTCDate(t *testing.T) {
	f := newFakeTencent(t, replyOk)
	if err := newTestTencent(f.URL, nil).Send(context.Background(), testPhone, "checkin_reminder", nil); err != nil {
		t.Fatalf("Send: %v", err)
	}
	header, body := f.last()
	gotTS, gotAuth := header.Get("X-TC-Timestamp"), header.Get("Authorization")
	if gotTS != "1551113065" {
		t.Errorf("X-TC-Timestamp = %s, want 1551113065", gotTS)
	}
	if !strings.Contains(gotAuth, "Credential="+testSecretID+"/2019-02-25/sms/tc3_request, SignedHeaders=content-type;host;x-tc-action, ") {
		t.Errorf("Authorization %q lacks the UTC-dated sms scope", gotAuth)
	}
	if _, ok := body["TemplateParamSet"]; ok {
		t.Errorf("no params should omit TemplateParamSet, body %v", body)
	}
}

func TestTencent_WrongSecretIsRefusedBySignatureCheck(t *testing.T) {
	f := newFakeTencent(t, replyOk)
	cfg := testConfig(f.URL)
	cfg.SecretKey = "notTheSecretTheServerHas00000000"
	err := NewTencent(cfg, nil).Send(context.Background(), testPhone, "checkin_reminder", nil)

	var te *Error
	if !errors.As(err, &te) || te.Code != "AuthFailure.SignatureFailure" {
		t.Fatalf("err = %v, want AuthFailure.SignatureFailure", err)
	}
	if IsTransient(err) {
		t.Error("a signature failure must not be retried")
	}
	if strings.Contains(err.Error(), cfg.SecretKey) {
		t.Errorf("error %q leaks the secret key", err)
	}
}

func TestTencent_PhoneGoesOutAsPlus86(t *testing.T) {
	for _, in := range []string{"13812345678", "+8613812345678", "8613812345678", "008613812345678", " 138-1234-5678 "} {
		f := newFakeTencent(t, replyOk)
		if err := newTestTencent(f.URL, nil).Send(context.Background(), in, "checkin_reminder", nil); err != nil {
			t.Errorf("Send(%q): %v", in, err)
			continue
		}
		if _, body := f.last(); !reflect.DeepEqual(body["PhoneNumberSet"], []any{"+8613812345678"}) {
			t.Errorf("Send(%q) sent PhoneNumberSet %v", in, body["PhoneNumberSet"])
		}
	}
}

func TestTencent_RefusedLocallyWithoutCallingTencent(t *testing.T) {
	cases := []struct {
		name     string
		phone    string
		template string
		edit     func(*TencentConfig)
		want     error
	}{
		{name: "template not in the map", phone: testPhone, template: "tenant_moved", want: ErrUnknownTemplate},
		{name: "empty number", phone: "", template: "checkin_reminder", want: ErrBadNumber},
		{name: "too short", phone: "1381234", template: "checkin_reminder", want: ErrBadNumber},
		{name: "landline", phone: "02112345678", template: "checkin_reminder", want: ErrBadNumber},
		{name: "foreign", phone: "+14155550100", template: "checkin_reminder", want: ErrBadNumber},
		{name: "letters", phone: "1381234567a", template: "checkin_reminder", want: ErrBadNumber},
		{name: "twelve digits", phone: "138123456789", template: "checkin_reminder", want: ErrBadNumber},
		{name: "missing secret", phone: testPhone, template: "checkin_reminder",
			edit: func(c *TencentConfig) { c.SecretKey = "" }},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			f := newFakeTencent(t, replyOk)
			cfg := testConfig(f.URL)
			if tc.edit != nil {
				tc.edit(&cfg)
			}
			err := NewTencent(cfg, nil).Send(context.Background(), tc.phone, tc.template, nil)
			if err == nil {
				t.Fatal("Send succeeded")
			}
			if tc.want != nil && !errors.Is(err, tc.want) {
				t.Errorf("err = %v, want %v", err, tc.want)
			}
			if IsTransient(err) {
				t.Errorf("%v must not be retried", err)
			}
			if n := f.requests.Load(); n != 0 {
				t.Errorf("Tencent was called %d times", n)
			}
			assertClean(t, err)
		})
	}
}

func TestTencent_ErrorCodesMapToSentinelsAndTransience(t *testing.T) {
	cases := []struct {
		code        string
		perNumber   bool // in SendStatusSet[0] rather than Response.Error
		rateLimited bool
		badNumber   bool
		transient   bool
	}{
		{code: "LimitExceeded.PhoneNumberDailyLimit", perNumber: true, rateLimited: true, transient: true},
		{code: "LimitExceeded.PhoneNumberThirtySecondLimit", perNumber: true, rateLimited: true, transient: true},
		{code: "LimitExceeded.PhoneNumberOneHourLimit", perNumber: true, rateLimited: true, transient: true},
		{code: "LimitExceeded.AppDailyLimit", rateLimited: true, transient: true},
		{code: "InvalidParameterValue.IncorrectPhoneNumber", perNumber: true, badNumber: true},
		{code: "InvalidParameterValue.IncorrectPhoneNumber", badNumber: true},
		{code: "UnsupportedOperation.ContainDomesticAndInternationalPhoneNumber", badNumber: true},
		{code: "FailedOperation.PhoneNumberInBlacklist", perNumber: true, badNumber: true},
		{code: "InternalError", transient: true},
		{code: "InternalError.Timeout", perNumber: true, transient: true},
		{code: "InternalError.SendAndRecvFail", transient: true},
		{code: "RequestLimitExceeded", transient: true},
		{code: "FailedOperation.TemplateIncorrectOrUnapproved", perNumber: true},
		{code: "FailedOperation.InsufficientBalanceInSmsPackage"},
		{code: "AuthFailure.SecretIdNotFound"},
		{code: "UnauthorizedOperation.SmsSdkAppIdVerifyFail"},
	}
	for _, tc := range cases {
		where := "request"
		if tc.perNumber {
			where = "number"
		}
		t.Run(where+"/"+tc.code, func(t *testing.T) {
			// Tencent's message quotes the number, as some of its messages do.
			msg := "+8613812345678 " + tc.code
			f := newFakeTencent(t, func(w http.ResponseWriter) {
				if tc.perNumber {
					writeSendStatus(w, tc.code, msg)
				} else {
					writeTencentError(w, tc.code, msg)
				}
			})
			err := newTestTencent(f.URL, nil).Send(context.Background(), testPhone, "checkin_reminder", nil)

			var te *Error
			if !errors.As(err, &te) || te.Code != tc.code {
				t.Fatalf("err = %v, want *Error with code %s", err, tc.code)
			}
			if got := errors.Is(err, ErrRateLimited); got != tc.rateLimited {
				t.Errorf("errors.Is(ErrRateLimited) = %v, want %v", got, tc.rateLimited)
			}
			if got := errors.Is(err, ErrBadNumber); got != tc.badNumber {
				t.Errorf("errors.Is(ErrBadNumber) = %v, want %v", got, tc.badNumber)
			}
			if got := IsTransient(err); got != tc.transient {
				t.Errorf("IsTransient = %v, want %v", got, tc.transient)
			}
			if !strings.Contains(err.Error(), testMasked) {
				t.Errorf("error %q should keep Tencent's message with the number masked", err)
			}
			assertClean(t, err)
		})
	}
}

func TestTencent_HTTPStatusDecidesTransience(t *testing.T) {
	cases := []struct {
		status    int
		transient bool
	}{
		{http.StatusInternalServerError, true},
		{http.StatusBadGateway, true},
		{http.StatusServiceUnavailable, true},
		{http.StatusTooManyRequests, true},
		{http.StatusNotFound, false},
		{http.StatusBadRequest, false},
	}
	for _, tc := range cases {
		t.Run(strconv.Itoa(tc.status), func(t *testing.T) {
			f := newFakeTencent(t, func(w http.ResponseWriter) {
				w.WriteHeader(tc.status)
				fmt.Fprintf(w, "upstream failed for +86%s", testPhone) // never quoted back
			})
			err := newTestTencent(f.URL, nil).Send(context.Background(), testPhone, "checkin_reminder", nil)
			if err == nil {
				t.Fatal("Send succeeded")
			}
			if got := IsTransient(err); got != tc.transient {
				t.Errorf("IsTransient(%v) = %v, want %v", err, got, tc.transient)
			}
			if errors.Is(err, ErrRateLimited) || errors.Is(err, ErrBadNumber) {
				t.Errorf("%v should match no sentinel", err)
			}
			assertClean(t, err)
		})
	}
}

func TestTencent_ClientTimeoutIsTransient(t *testing.T) {
	release := make(chan struct{})
	f := newFakeTencent(t, func(w http.ResponseWriter) { <-release })
	defer close(release) // before the server's Close, which waits for the handler

	start := time.Now()
	err := newTestTencent(f.URL, &http.Client{Timeout: 50 * time.Millisecond}).
		Send(context.Background(), testPhone, "checkin_reminder", nil)
	if err == nil {
		t.Fatal("Send succeeded")
	}
	if d := time.Since(start); d > 2*time.Second {
		t.Errorf("Send took %v despite a 50ms timeout", d)
	}
	if !IsTransient(err) {
		t.Errorf("IsTransient(%v) = false", err)
	}
	assertClean(t, err)
}

func TestTencent_ContextDeadlineIsTransient(t *testing.T) {
	release := make(chan struct{})
	f := newFakeTencent(t, func(w http.ResponseWriter) { <-release })
	defer close(release)

	ctx, cancel := context.WithTimeout(context.Background(), 50*time.Millisecond)
	defer cancel()
	err := newTestTencent(f.URL, nil).Send(ctx, testPhone, "checkin_reminder", nil)
	if !errors.Is(err, context.DeadlineExceeded) {
		t.Errorf("err = %v, want one wrapping context.DeadlineExceeded", err)
	}
	if !IsTransient(err) {
		t.Errorf("IsTransient(%v) = false", err)
	}
}

func TestTencent_ConnectionRefusedIsTransient(t *testing.T) {
	srv := httptest.NewServer(http.NotFoundHandler())
	url := srv.URL
	srv.Close()

	err := newTestTencent(url, nil).Send(context.Background(), testPhone, "checkin_reminder", nil)
	if err == nil {
		t.Fatal("Send succeeded")
	}
	if !IsTransient(err) {
		t.Errorf("IsTransient(%v) = false", err)
	}
	assertClean(t, err)
}

func TestTencent_MalformedSuccessIsNotRetried(t *testing.T) {
	bodies := map[string]string{
		"no status":  `{"Response":{"SendStatusSet":[],"RequestId":"r1"}}`,
		"not json":   `<html>gateway</html>`,
		"empty json": `{}`,
	}
	for name, body := range bodies {
		t.Run(name, func(t *testing.T) {
			f := newFakeTencent(t, func(w http.ResponseWriter) { io.WriteString(w, body) })
			err := newTestTencent(f.URL, nil).Send(context.Background(), testPhone, "checkin_reminder", nil)
			if err == nil {
				t.Fatal("Send succeeded")
			}
			// Tencent answered 200: the message may have gone out, so a retry
			// could send it twice.
			if IsTransient(err) {
				t.Errorf("IsTransient(%v) = true", err)
			}
		})
	}
}

func TestNewTencent_AlwaysHasATimeout(t *testing.T) {
	if s := NewTencent(testConfig(""), nil); s.client.Timeout <= 0 {
		t.Error("nil client: no timeout")
	}
	mine := &http.Client{}
	if s := NewTencent(testConfig(""), mine); s.client.Timeout <= 0 {
		t.Error("client without timeout: still none")
	}
	if mine.Timeout != 0 {
		t.Error("the caller's client was changed")
	}
	own := &http.Client{Timeout: 3 * time.Second}
	if s := NewTencent(testConfig(""), own); s.client != own {
		t.Error("a client with a timeout should be used as given")
	}
}

func TestNewTencent_DefaultsEndpointAndRegion(t *testing.T) {
	s := NewTencent(TencentConfig{}, nil)
	if s.cfg.Endpoint != "https://sms.tencentcloudapi.com" || s.cfg.Region != "ap-guangzhou" {
		t.Errorf("endpoint %q region %q", s.cfg.Endpoint, s.cfg.Region)
	}
}

func TestIsTransient_OtherErrors(t *testing.T) {
	cases := []struct {
		name string
		err  error
		want bool
	}{
		{"nil", nil, false},
		{"deadline", fmt.Errorf("send: %w", context.DeadlineExceeded), true},
		{"plain", errors.New("boom"), false},
		{"bad number", ErrBadNumber, false},
		{"unknown template", ErrUnknownTemplate, false},
	}
	for _, tc := range cases {
		if got := IsTransient(tc.err); got != tc.want {
			t.Errorf("%s: IsTransient = %v, want %v", tc.name, got, tc.want)
		}
	}
}
