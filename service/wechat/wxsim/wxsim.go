// Package wxsim is a WeChat simulator: an HTTP server that answers the few
// WeChat API endpoints yaoju uses, the way api.weixin.qq.com does (errcode and
// errmsg JSON, access tokens, a real mini-program code image).
//
// Embedded mode runs it in-process so that `go run .` works offline, and every
// test that touches WeChat talks to it through the real silenceper client.
//
// Rules:
//   - jscode2session: the code "test_<name>" logs in as the openid "o_<name>";
//     any other code answers 40029.
//   - getuserphonenumber: the code "phone_<11 digits>" answers that number;
//     any other code answers 40029.
//   - getwxacodeunlimit: a JPEG holding a standard QR code whose content is
//     exactly the scene.
//   - subscribe/send: recorded (see Messages); openids passed to Refuse answer
//     43101.
package wxsim

import (
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"maps"
	"net"
	"net/http"
	"sync"
	"time"
)

// Message is a subscription message that reached subscribe/send.
type Message struct {
	ToUser           string
	TemplateID       string
	Page             string
	MiniprogramState string
	Data             map[string]string
	At               time.Time
}

// Failure makes the next Times requests to one endpoint misbehave. Delay is
// slept first (a cancelled request stops waiting); then HTTPStatus, when set,
// answers that status; otherwise Errcode, when set, answers that errcode.
// A Failure with only a Delay is a slow but correct answer.
type Failure struct {
	Errcode    int
	HTTPStatus int
	Delay      time.Duration
	Times      int // 0 means once
}

// Simulator is safe for concurrent use.
type Simulator struct {
	handler http.Handler

	mu       sync.Mutex
	tokens   map[string]issued // access token -> who holds it until when
	stable   map[string]string // appid -> its current stable token
	messages []Message
	calls    map[string]int
	failures map[string]*Failure
	refused  map[string]bool

	server *http.Server
	url    string
}

type issued struct {
	appID   string
	expires time.Time
}

// New returns a simulator with no tokens, messages or failures.
func New() *Simulator {
	s := &Simulator{}
	s.Reset()
	mux := http.NewServeMux()
	route := func(method, path string, needsToken bool, h handler) {
		mux.Handle(method+" "+path, s.endpoint(path, needsToken, h))
	}
	route("GET", "/cgi-bin/token", false, s.token)
	route("POST", "/cgi-bin/stable_token", false, s.stableToken)
	route("GET", "/sns/jscode2session", false, s.jscode2session)
	route("POST", "/wxa/business/getuserphonenumber", true, s.phoneNumber)
	route("POST", "/wxa/getwxacodeunlimit", true, s.wxaCode)
	route("POST", "/cgi-bin/message/subscribe/send", true, s.subscribeSend)
	s.handler = mux
	return s
}

// Handler serves the WeChat API, for mounting without Start.
func (s *Simulator) Handler() http.Handler { return s.handler }

// Start listens on 127.0.0.1 at a free port and returns the base URL
// (http://127.0.0.1:port).
func (s *Simulator) Start() (string, error) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return "", err
	}
	srv := &http.Server{Handler: s.handler, ReadHeaderTimeout: 10 * time.Second}
	s.mu.Lock()
	s.server = srv
	s.url = "http://" + ln.Addr().String()
	s.mu.Unlock()
	go func() { _ = srv.Serve(ln) }()
	return s.URL(), nil
}

// URL is the base URL after Start, or "".
func (s *Simulator) URL() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.url
}

// Close stops the server started by Start.
func (s *Simulator) Close() error {
	s.mu.Lock()
	srv := s.server
	s.server = nil
	s.mu.Unlock()
	if srv == nil {
		return nil
	}
	return srv.Close()
}

// Messages returns the subscription messages received, oldest first.
func (s *Simulator) Messages() []Message {
	s.mu.Lock()
	defer s.mu.Unlock()
	out := make([]Message, len(s.messages))
	for i, m := range s.messages {
		m.Data = maps.Clone(m.Data)
		out[i] = m
	}
	return out
}

// Calls says how many requests reached an endpoint, failed ones included,
// for example Calls("/cgi-bin/stable_token").
func (s *Simulator) Calls(path string) int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.calls[path]
}

// Fail makes the next f.Times requests to path fail as f says.
func (s *Simulator) Fail(path string, f Failure) {
	if f.Times <= 0 {
		f.Times = 1
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	s.failures[path] = &f
}

// Refuse makes subscription messages to openID answer 43101, as WeChat does
// when the user has not subscribed, has used up the subscription, or refused.
func (s *Simulator) Refuse(openID string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.refused[openID] = true
}

// Reset forgets everything: tokens, messages, call counts, failures and
// refusals. Tokens held by clients become unknown (40001).
func (s *Simulator) Reset() {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.tokens = map[string]issued{}
	s.stable = map[string]string{}
	s.messages = nil
	s.calls = map[string]int{}
	s.failures = map[string]*Failure{}
	s.refused = map[string]bool{}
}

// handler answers one endpoint. appID is the access token's owner on the
// endpoints that require a token, and "" on the others.
type handler func(w http.ResponseWriter, r *http.Request, appID string)

// endpoint counts the call, applies a pending Failure and, when needsToken,
// checks access_token before calling h.
func (s *Simulator) endpoint(path string, needsToken bool, h handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		f := s.arrive(path)
		if f.Delay > 0 {
			t := time.NewTimer(f.Delay)
			select {
			case <-t.C:
			case <-r.Context().Done():
				t.Stop()
				return
			}
		}
		switch {
		case f.HTTPStatus != 0:
			http.Error(w, http.StatusText(f.HTTPStatus), f.HTTPStatus)
			return
		case f.Errcode != 0:
			writeError(w, f.Errcode)
			return
		}
		var appID string
		if needsToken {
			var code int
			if appID, code = s.checkToken(r.URL.Query().Get("access_token")); code != 0 {
				writeError(w, code)
				return
			}
		}
		h(w, r, appID)
	})
}

// arrive counts a request to path and takes one use of its pending Failure.
func (s *Simulator) arrive(path string) Failure {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.calls[path]++
	f, ok := s.failures[path]
	if !ok {
		return Failure{}
	}
	if f.Times--; f.Times <= 0 {
		delete(s.failures, path)
	}
	return *f
}

func (s *Simulator) checkToken(token string) (appID string, errcode int) {
	if token == "" {
		return "", 41001
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	t, ok := s.tokens[token]
	switch {
	case !ok:
		return "", 40001
	case time.Now().After(t.expires):
		return "", 42001
	}
	return t.appID, 0
}

// errmsgs are WeChat's own messages for the errcodes the simulator answers.
var errmsgs = map[int]string{
	-1:    "system error",
	40001: "invalid credential, access_token is invalid or not latest",
	40002: "invalid grant_type",
	40003: "invalid openid",
	40013: "invalid appid",
	40029: "invalid code",
	40037: "invalid template_id",
	40097: "invalid args",
	40125: "invalid appsecret",
	40129: "invalid scene",
	41001: "access_token missing",
	42001: "access_token expired",
	43101: "user refuse to accept the msg",
	45009: "reach max api daily quota limit",
	47001: "data format error",
	47003: "argument invalid!",
}

func writeError(w http.ResponseWriter, errcode int) {
	msg, ok := errmsgs[errcode]
	if !ok {
		msg = "simulated error"
	}
	writeJSON(w, map[string]any{"errcode": errcode, "errmsg": msg})
}

// writeJSON answers 200, as WeChat does for errors too.
func writeJSON(w http.ResponseWriter, v any) {
	w.Header().Set("Content-Type", "application/json; encoding=utf-8")
	_ = json.NewEncoder(w).Encode(v)
}

// decodeBody reads a JSON request body; false means it already answered 47001.
func decodeBody(w http.ResponseWriter, r *http.Request, v any) bool {
	if err := json.NewDecoder(http.MaxBytesReader(w, r.Body, 1<<20)).Decode(v); err != nil {
		writeError(w, 47001)
		return false
	}
	return true
}

func randomHex(n int) string {
	b := make([]byte, n)
	_, _ = rand.Read(b)
	return hex.EncodeToString(b)
}
