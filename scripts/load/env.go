package main

import (
	"context"
	"crypto/rand"
	"database/sql"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/url"
	"os"
	"runtime"
	"runtime/debug"
	"strings"
	"sync"
	"time"

	_ "github.com/go-sql-driver/mysql"
	"github.com/redis/go-redis/v9"
	"gorm.io/driver/mysql"
	"gorm.io/gorm"
	"gorm.io/gorm/logger"

	"yaoju/app"
	"yaoju/config"
	"yaoju/model"
	"yaoju/service/auth"
)

// env is one running system under load, and what cleans it up.
type env struct {
	opt      options
	cfg      config.Config
	app      *app.App
	base     string
	client   *http.Client
	sessions *auth.Sessions
	// seed writes the bulk rows: on MariaDB a connection pool of its own that
	// interpolates parameters (multi-row inserts of thousands of rows exceed
	// the 65,535 placeholders of a prepared statement); on SQLite the app's
	// own single connection.
	seed  *gorm.DB
	areas demoAreas

	mu       sync.Mutex
	closers  []func()
	stopWork func()
}

// demoAreas are the ids of the demo city's areas, by their codes.
type demoAreas struct {
	city        uint64
	communities []uint64 // demo-comm-1 (worker1's) first
}

func (e *env) mysql() bool { return e.opt.mysql != "" }

func (e *env) stores() string {
	db, rdb := "sqlite", "in-process-redis"
	if e.mysql() {
		db = "mariadb"
	}
	if e.opt.redis != "" {
		rdb = "redis"
	}
	return db + "+" + rdb
}

func (e *env) printf(format string, args ...any) {
	fmt.Printf(format, args...)
}

func (e *env) onClose(f func()) {
	e.mu.Lock()
	e.closers = append(e.closers, f)
	e.mu.Unlock()
}

// close runs the clean-ups in reverse order: server, app, Redis keys,
// database, temporary directory.
func (e *env) close() {
	e.mu.Lock()
	closers := e.closers
	e.closers = nil
	e.mu.Unlock()
	for i := len(closers) - 1; i >= 0; i-- {
		closers[i]()
	}
}

func randomHex(n int) string {
	b := make([]byte, n)
	rand.Read(b)
	return hex.EncodeToString(b)
}

func newEnv(ctx context.Context, o options) (*env, error) {
	e := &env{opt: o}
	cfg := config.Default()
	cfg.Addr = "127.0.0.1:0"
	cfg.Demo = true
	// One load generator sends every request from 127.0.0.1: the per-address
	// scan limit (30 a minute by default) would answer 429 at once.
	cfg.ScanRateLimit = 1 << 30
	dir, err := os.MkdirTemp("", "yaoju-load-")
	if err != nil {
		return e, err
	}
	e.onClose(func() { os.RemoveAll(dir) })
	cfg.DataDir = dir

	if o.mysql != "" {
		dsn, err := createDatabase(e, o.mysql)
		if err != nil {
			return e, err
		}
		cfg.MySQLDSN = dsn
		cfg.PIIKey = randomHex(32)
	}
	if o.redis != "" {
		cfg.RedisAddr = o.redis
		cfg.RedisPrefix = "yaojuload:" + randomHex(6) + ":"
		prefix := cfg.RedisPrefix
		e.onClose(func() {
			n := dropKeys(o.redis, prefix)
			fmt.Printf("# cleanup: deleted %d Redis keys under %s\n", n, prefix)
		})
	}
	if err := cfg.Validate(); err != nil {
		return e, err
	}
	e.cfg = cfg

	a, err := app.New(ctx, cfg, app.Options{Log: newLogger(o.logMode), NoDemoTenants: true})
	if err != nil {
		return e, fmt.Errorf("start system: %w", err)
	}
	e.app = a
	e.onClose(a.Close)
	e.sessions = auth.NewSessions(a.Redis, cfg.RedisPrefix, time.Now)

	if e.seed, err = openSeedDB(e, cfg); err != nil {
		return e, err
	}
	if e.areas, err = loadAreas(ctx, a.DB); err != nil {
		return e, err
	}

	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return e, err
	}
	srv := &http.Server{Handler: a.Handler, ReadHeaderTimeout: 10 * time.Second}
	go srv.Serve(ln)
	e.onClose(func() {
		sctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		srv.Shutdown(sctx)
	})
	e.base = "http://" + ln.Addr().String()
	e.client = &http.Client{
		Timeout: 60 * time.Second,
		Transport: &http.Transport{
			// Keep-alive: every client keeps its connection.
			MaxIdleConns:        4 * o.clients,
			MaxIdleConnsPerHost: 4 * o.clients,
			IdleConnTimeout:     90 * time.Second,
			DisableCompression:  true,
		},
	}
	e.onClose(e.client.CloseIdleConnections)

	if o.workers {
		wctx, cancel := context.WithCancel(context.Background())
		done := make(chan struct{})
		go func() {
			a.RunWorkers(wctx)
			close(done)
		}()
		e.onClose(func() {
			cancel()
			<-done
		})
	}
	return e, nil
}

// createDatabase makes a randomly named database on the server and returns
// the DSN of it; the database is dropped when the run ends.
func createDatabase(e *env, serverDSN string) (string, error) {
	name := "yaoju_load_" + randomHex(6)
	server, err := sql.Open("mysql", serverDSN)
	if err != nil {
		return "", err
	}
	if _, err := server.Exec("CREATE DATABASE " + name + " CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci"); err != nil {
		server.Close()
		return "", fmt.Errorf("create database: %w", err)
	}
	e.onClose(func() {
		if _, err := server.Exec("DROP DATABASE IF EXISTS " + name); err != nil {
			fmt.Fprintf(os.Stderr, "load: drop database %s: %v\n", name, err)
		} else {
			fmt.Printf("# cleanup: dropped database %s\n", name)
		}
		server.Close()
	})
	fmt.Printf("# database %s created\n", name)
	return withDatabase(serverDSN, name), nil
}

// withDatabase swaps the database name of a user:pass@tcp(host)/db?params DSN.
func withDatabase(dsn, name string) string {
	base, params, _ := strings.Cut(dsn, "?")
	slash := strings.LastIndex(base, "/")
	if slash < 0 {
		base += "/"
		slash = len(base) - 1
	}
	out := base[:slash+1] + name
	if params != "" {
		out += "?" + params
	}
	return out
}

// withParams adds DSN parameters unless already set.
func withParams(dsn string, set map[string]string) string {
	base, query, _ := strings.Cut(dsn, "?")
	params, _ := url.ParseQuery(query)
	for k, v := range set {
		if params.Get(k) == "" {
			params.Set(k, v)
		}
	}
	return base + "?" + params.Encode()
}

func openSeedDB(e *env, cfg config.Config) (*gorm.DB, error) {
	if cfg.Embedded() {
		return e.app.DB.Session(&gorm.Session{Logger: logger.Discard}), nil
	}
	dsn := withParams(cfg.MySQLDSN, map[string]string{
		"parseTime": "true", "loc": "UTC", "charset": "utf8mb4", "interpolateParams": "true",
	})
	db, err := gorm.Open(mysql.Open(dsn), &gorm.Config{
		SkipDefaultTransaction: true,
		NowFunc:                func() time.Time { return time.Now().UTC() },
		Logger:                 logger.Discard,
	})
	if err != nil {
		return nil, fmt.Errorf("open seeding connection: %w", err)
	}
	sqlDB, _ := db.DB()
	sqlDB.SetMaxOpenConns(4)
	e.onClose(func() { sqlDB.Close() })
	return db, nil
}

func loadAreas(ctx context.Context, db *gorm.DB) (demoAreas, error) {
	var rows []model.Area
	if err := db.WithContext(ctx).Where("code LIKE ?", "demo-%").Find(&rows).Error; err != nil {
		return demoAreas{}, err
	}
	byCode := map[string]uint64{}
	for _, r := range rows {
		byCode[r.Code] = r.ID
	}
	out := demoAreas{city: byCode["demo-city"]}
	for _, code := range []string{"demo-comm-1", "demo-comm-2", "demo-comm-3", "demo-comm-4"} {
		if byCode[code] == 0 {
			return out, fmt.Errorf("demo area %s missing", code)
		}
		out.communities = append(out.communities, byCode[code])
	}
	return out, nil
}

// dropKeys deletes every key under prefix and reports how many.
func dropKeys(addr, prefix string) int {
	rdb := redis.NewClient(&redis.Options{Addr: addr})
	defer rdb.Close()
	ctx := context.Background()
	iter := rdb.Scan(ctx, 0, prefix+"*", 1000).Iterator()
	var keys []string
	n := 0
	for iter.Next(ctx) {
		keys = append(keys, iter.Val())
		if len(keys) == 1000 {
			rdb.Unlink(ctx, keys...)
			n += len(keys)
			keys = keys[:0]
		}
	}
	if len(keys) > 0 {
		rdb.Unlink(ctx, keys...)
		n += len(keys)
	}
	return n
}

// newLogger writes warnings and errors to stderr. Request logs (info) are
// JSON-encoded as in production and then dropped, unless -log=stderr: the
// encoding cost stays in the figures, the terminal's does not.
func newLogger(mode string) *slog.Logger {
	info := io.Discard
	if mode == "stderr" {
		info = os.Stderr
	}
	return slog.New(splitHandler{
		info:   slog.NewJSONHandler(info, nil),
		warn:   slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: slog.LevelWarn}),
		counts: warnings,
	})
}

// warnCounts counts warnings by message; only the first few of each are
// printed (GORM's slow-query warning can fire thousands of times under load).
type warnCounts struct {
	mu sync.Mutex
	n  map[string]int
}

var warnings = &warnCounts{n: map[string]int{}}

// take counts one warning and says whether to print it.
func (w *warnCounts) take(msg string) bool {
	w.mu.Lock()
	defer w.mu.Unlock()
	w.n[msg]++
	return w.n[msg] <= 3
}

// summary is "msg: count" for every warning seen, and resets the counts.
func (w *warnCounts) summary() string {
	w.mu.Lock()
	defer w.mu.Unlock()
	var parts []string
	for msg, n := range w.n {
		parts = append(parts, fmt.Sprintf("%q x%d", msg, n))
	}
	w.n = map[string]int{}
	return strings.Join(parts, ", ")
}

type splitHandler struct {
	info, warn slog.Handler
	counts     *warnCounts
}

func (h splitHandler) Enabled(ctx context.Context, l slog.Level) bool { return l >= slog.LevelInfo }

func (h splitHandler) Handle(ctx context.Context, r slog.Record) error {
	if r.Level >= slog.LevelWarn {
		msg := r.Message
		if msg == "db" { // GORM's logger: slow SQL or an error
			r.Attrs(func(a slog.Attr) bool {
				if a.Key == "msg" {
					msg = "db: " + firstWords(a.Value.String(), 5)
				}
				return true
			})
		}
		if !h.counts.take(msg) {
			return nil
		}
		// Clip long attributes (a slow multi-row INSERT's SQL).
		clipped := slog.NewRecord(r.Time, r.Level, r.Message, r.PC)
		r.Attrs(func(a slog.Attr) bool {
			if a.Value.Kind() == slog.KindString {
				a.Value = slog.StringValue(trim(a.Value.String(), 400))
			}
			clipped.AddAttrs(a)
			return true
		})
		return h.warn.Handle(ctx, clipped)
	}
	return h.info.Handle(ctx, r)
}

func (h splitHandler) WithAttrs(attrs []slog.Attr) slog.Handler {
	return splitHandler{info: h.info.WithAttrs(attrs), warn: h.warn.WithAttrs(attrs), counts: h.counts}
}

func (h splitHandler) WithGroup(name string) slog.Handler {
	return splitHandler{info: h.info.WithGroup(name), warn: h.warn.WithGroup(name), counts: h.counts}
}

func firstWords(s string, n int) string {
	f := strings.Fields(s)
	if len(f) > n {
		f = f[:n]
	}
	return strings.Join(f, " ")
}

func numCPU() int { return runtime.NumCPU() }

func goVersion() string {
	if bi, ok := debug.ReadBuildInfo(); ok {
		return bi.GoVersion
	}
	return runtime.Version()
}

// loadAvg is the 1, 5 and 15 minute load averages, for noting other work on
// the machine next to the figures.
func loadAvg() string {
	raw, err := os.ReadFile("/proc/loadavg")
	if err != nil {
		return "unknown"
	}
	f := strings.Fields(string(raw))
	if len(f) < 3 {
		return "unknown"
	}
	return strings.Join(f[:3], " ")
}

var errExhausted = errors.New("seeded pool exhausted")
