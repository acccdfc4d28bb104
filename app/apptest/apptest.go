// Package apptest builds the whole system for black-box tests: on embedded
// stores in a temporary directory, or on MariaDB and Redis when
// YAOJU_TEST_MYSQL_DSN and YAOJU_TEST_REDIS_ADDR are set. Each MariaDB test
// gets its own randomly named database, dropped afterwards.
package apptest

import (
	"bytes"
	"context"
	"crypto/rand"
	"database/sql"
	"encoding/hex"
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"os"
	"strings"
	"sync"
	"testing"
	"time"

	_ "github.com/go-sql-driver/mysql"
	"github.com/redis/go-redis/v9"

	"yaoju/app"
	"yaoju/config"
	"yaoju/service/wechat/wxsim"
)

// Clock follows real time plus an offset that tests move forward.
type Clock struct {
	mu     sync.Mutex
	offset time.Duration
}

// Now is the moved time.
func (c *Clock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return time.Now().Add(c.offset)
}

// Advance moves the clock forward.
func (c *Clock) Advance(d time.Duration) {
	c.mu.Lock()
	c.offset += d
	c.mu.Unlock()
}

// Env is one running system under test.
type Env struct {
	T     testing.TB
	App   *app.App
	Clock *Clock
	Sim   *wxsim.Simulator
	Logs  *LogBuffer
	cfg   config.Config
}

// Option changes the configuration or wiring of an Env.
type Option func(*config.Config, *app.Options)

// WithConfig edits the configuration before the system starts.
func WithConfig(edit func(*config.Config)) Option {
	return func(c *config.Config, _ *app.Options) { edit(c) }
}

// MySQL reports whether the tests run on MariaDB/MySQL.
func MySQL() bool { return os.Getenv("YAOJU_TEST_MYSQL_DSN") != "" }

// New starts a system for t and stops it when t ends.
func New(t testing.TB, opts ...Option) *Env {
	t.Helper()
	cfg := config.Default()
	cfg.DataDir = t.TempDir()
	cfg.Addr = "127.0.0.1:0"
	if dsn := os.Getenv("YAOJU_TEST_MYSQL_DSN"); dsn != "" {
		cfg.MySQLDSN = createDatabase(t, dsn)
		cfg.PIIKey = randomHex(32)
	}
	if addr := os.Getenv("YAOJU_TEST_REDIS_ADDR"); addr != "" {
		cfg.RedisAddr = addr
		cfg.RedisPrefix = "yaojutest:" + randomHex(6) + ":"
		t.Cleanup(func() { dropKeys(addr, cfg.RedisPrefix) })
	}
	logs := &LogBuffer{}
	clock := &Clock{}
	aopts := app.Options{Now: clock.Now, Log: slog.New(slog.NewJSONHandler(logs, nil)), NoDemoTenants: true}
	for _, o := range opts {
		o(&cfg, &aopts)
	}
	if err := cfg.Validate(); err != nil {
		t.Fatal(err)
	}
	a, err := app.New(context.Background(), cfg, aopts)
	if err != nil {
		t.Fatalf("start system: %v", err)
	}
	t.Cleanup(a.Close)
	return &Env{T: t, App: a, Clock: clock, Sim: a.Simulator, Logs: logs, cfg: cfg}
}

// Twin starts a second instance on the same database, Redis and simulator,
// as a second server behind the load balancer would be.
func (e *Env) Twin() *Env {
	cfg := e.cfg
	cfg.Demo = false
	if mr := e.App.EmbeddedRedis(); mr != nil {
		cfg.RedisAddr = mr.Addr() // the first instance's in-process Redis
	}
	a, err := app.New(context.Background(), cfg, app.Options{Now: e.Clock.Now, Log: e.App.Log, Simulator: e.Sim})
	if err != nil {
		e.T.Fatalf("start twin: %v", err)
	}
	e.T.Cleanup(a.Close)
	return &Env{T: e.T, App: a, Clock: e.Clock, Sim: e.Sim, Logs: e.Logs, cfg: cfg}
}

// For is the same system reporting to another test: a fuzz target's or a
// subtest's t.
func (e *Env) For(t testing.TB) *Env {
	c := *e
	c.T = t
	return &c
}

// StartWorkers runs the background workers (sweeper, outbox sender) until
// the test ends.
func (e *Env) StartWorkers() {
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() {
		e.App.RunWorkers(ctx)
		close(done)
	}()
	e.T.Cleanup(func() {
		cancel()
		<-done
	})
}

// Eventually polls cond until it holds or the timeout passes.
func (e *Env) Eventually(timeout time.Duration, what string, cond func() bool) {
	e.T.Helper()
	deadline := time.Now().Add(timeout)
	for !cond() {
		if time.Now().After(deadline) {
			e.T.Fatalf("timed out after %v waiting for %s", timeout, what)
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// Response is an answer, with the envelope decoded.
type Response struct {
	Status int
	Header http.Header
	Body   []byte
	Code   int             `json:"code"`
	Msg    string          `json:"msg"`
	Reason string          `json:"reason"`
	Raw    json.RawMessage `json:"data"`
}

// Data decodes the envelope's data into v.
func (r *Response) Data(t testing.TB, v any) {
	t.Helper()
	if err := json.Unmarshal(r.Raw, v); err != nil {
		t.Fatalf("decode data %s: %v", r.Raw, err)
	}
}

// Map decodes the envelope's data as a JSON object.
func (r *Response) Map(t testing.TB) map[string]any {
	var m map[string]any
	r.Data(t, &m)
	return m
}

// Do sends one request through the real router. body may be nil, a string
// (sent as is) or any value (sent as JSON).
func (e *Env) Do(method, path string, body any, token string) *Response {
	e.T.Helper()
	var reader io.Reader
	switch b := body.(type) {
	case nil:
	case string:
		reader = strings.NewReader(b)
	case []byte:
		reader = bytes.NewReader(b)
	default:
		raw, err := json.Marshal(b)
		if err != nil {
			e.T.Fatal(err)
		}
		reader = bytes.NewReader(raw)
	}
	req := httptest.NewRequest(method, path, reader)
	req.RemoteAddr = "192.0.2.10:5555"
	if body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	rec := httptest.NewRecorder()
	e.App.Handler.ServeHTTP(rec, req)
	res := &Response{Status: rec.Code, Header: rec.Header(), Body: rec.Body.Bytes()}
	if strings.HasPrefix(rec.Header().Get("Content-Type"), "application/json") {
		json.Unmarshal(res.Body, res)
	}
	return res
}

// Must sends a request and fails the test unless the status is want.
func (e *Env) Must(want int, method, path string, body any, token string) *Response {
	e.T.Helper()
	res := e.Do(method, path, body, token)
	if res.Status != want {
		e.T.Fatalf("%s %s: status %d, want %d: %s", method, path, res.Status, want, res.Body)
	}
	return res
}

// WxLogin signs in as the simulator's user o_<name> and returns the token.
func (e *Env) WxLogin(name string) string {
	e.T.Helper()
	var out struct{ Token string }
	e.Must(200, "POST", "/api/v1/wx/login", map[string]string{"code": "test_" + name}, "").Data(e.T, &out)
	return out.Token
}

// ConsoleLogin signs in a console account with the demo password.
func (e *Env) ConsoleLogin(username string) string {
	e.T.Helper()
	var out struct{ Token string }
	e.Must(200, "POST", "/api/v1/console/login",
		map[string]string{"username": username, "password": app.DemoPassword}, "").Data(e.T, &out)
	return out.Token
}

func randomHex(n int) string {
	b := make([]byte, n)
	rand.Read(b)
	return hex.EncodeToString(b)
}

// createDatabase makes a randomly named database on the server of dsn and
// returns a DSN for it; the database is dropped when t ends.
func createDatabase(t testing.TB, dsn string) string {
	t.Helper()
	name := "yaoju_test_" + randomHex(6)
	server, err := sql.Open("mysql", dsn)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := server.Exec("CREATE DATABASE " + name + " CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci"); err != nil {
		t.Fatalf("create test database: %v", err)
	}
	t.Cleanup(func() {
		server.Exec("DROP DATABASE IF EXISTS " + name)
		server.Close()
	})
	// The DSN is user:pass@tcp(host)/db?params; swap the database name.
	base, params, _ := strings.Cut(dsn, "?")
	slash := strings.LastIndex(base, "/")
	out := base[:slash+1] + name
	if params != "" {
		out += "?" + params
	}
	return out
}

func dropKeys(addr, prefix string) {
	rdb := redis.NewClient(&redis.Options{Addr: addr})
	defer rdb.Close()
	ctx := context.Background()
	iter := rdb.Scan(ctx, 0, prefix+"*", 1000).Iterator()
	var keys []string
	for iter.Next(ctx) {
		keys = append(keys, iter.Val())
		if len(keys) == 1000 {
			rdb.Del(ctx, keys...)
			keys = keys[:0]
		}
	}
	if len(keys) > 0 {
		rdb.Del(ctx, keys...)
	}
}

// LogBuffer collects the system's log lines; tests search them.
type LogBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (l *LogBuffer) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.buf.Write(p)
}

// String is everything logged so far.
func (l *LogBuffer) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.buf.String()
}
