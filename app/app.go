// Package app is yaoju's composition root: config → stores → services →
// HTTP router and background workers. main.go and the tests build the system
// through it, so that both run exactly the same wiring.
package app

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"path/filepath"
	"sync"
	"time"

	"github.com/alicebob/miniredis/v2"
	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
	"github.com/redis/go-redis/v9"
	"gorm.io/gorm"

	"yaoju/api"
	"yaoju/config"
	"yaoju/service/area"
	"yaoju/service/audit"
	"yaoju/service/auth"
	"yaoju/service/checkin"
	"yaoju/service/house"
	"yaoju/service/notify"
	"yaoju/service/notify/sms"
	"yaoju/service/pii"
	"yaoju/service/plate"
	"yaoju/service/ratelimit"
	"yaoju/service/residence"
	"yaoju/service/schedule"
	"yaoju/service/stats"
	"yaoju/service/task"
	"yaoju/service/tier"
	"yaoju/service/wechat"
	"yaoju/service/wechat/wxsim"
	"yaoju/service/worklist"
)

// SimulatorPushToken signs the simulator's message pushes.
const SimulatorPushToken = "yaoju_simulator_push"

// Options are what a caller may supply instead of the defaults.
type Options struct {
	Log *slog.Logger
	// Now is the clock every rule decides by; tests move it.
	Now func() time.Time
	// NoDemoTenants seeds the demo city, accounts and houses but no tenants,
	// so that tests start from an empty worklist.
	NoDemoTenants bool
	// Simulator lets several instances in one process share one WeChat
	// simulator (silenceper's HTTP client is process-wide).
	Simulator *wxsim.Simulator
}

// App is the running system.
type App struct {
	Config     config.Config
	Log        *slog.Logger
	Now        func() time.Time
	DB         *gorm.DB
	Redis      redis.UniversalClient
	Handler    http.Handler
	Simulator  *wxsim.Simulator
	WeChat     *wechat.Client
	Sealer     *pii.Sealer
	Houses     *house.Service
	Keeper     *checkin.Keeper
	Residences *residence.Service
	Sweeper    *checkin.Sweeper
	Sender     *notify.Sender
	Comparer   *task.Comparer

	plates *plate.Renderer

	redis   *redisStore
	workers []func(ctx context.Context)
	closers []func()
}

// New builds the system from cfg.
func New(ctx context.Context, cfg config.Config, opts Options) (a *App, err error) {
	if opts.Log == nil {
		opts.Log = slog.Default()
	}
	if opts.Now == nil {
		opts.Now = time.Now
	}
	// Every time the rules write or compare is UTC: SQLite compares times as
	// text, so a time in another zone would sort wrongly.
	clock := opts.Now
	a = &App{Config: cfg, Log: opts.Log, Now: func() time.Time { return clock().UTC() }}
	defer func() {
		if err != nil {
			a.Close()
		}
	}()

	if a.DB, err = openDB(cfg, a.Now, a.Log); err != nil {
		return nil, err
	}
	a.closers = append(a.closers, func() {
		if sqlDB, err := a.DB.DB(); err == nil {
			sqlDB.Close()
		}
	})
	if a.redis, err = openRedis(cfg); err != nil {
		return nil, err
	}
	a.Redis = a.redis.client
	a.closers = append(a.closers, a.redis.Close)

	if a.Sealer, err = openSealer(cfg); err != nil {
		return nil, err
	}
	if a.WeChat, err = a.openWeChat(cfg, opts.Simulator); err != nil {
		return nil, err
	}

	font, err := plate.DefaultFont()
	if err != nil {
		return nil, err
	}
	if a.plates, err = plate.NewRenderer(font); err != nil {
		return nil, fmt.Errorf("plate font: %w", err)
	}
	a.build(cfg)
	// Redis holds only what the database can rebuild; at start it is rebuilt.
	if _, err := a.Keeper.Rebuild(ctx); err != nil {
		a.Log.Warn("schedule not rebuilt at start; the sweeper retries", "err", err.Error())
	}
	if cfg.Demo {
		if err := seedDemo(ctx, a, !opts.NoDemoTenants); err != nil {
			return nil, fmt.Errorf("demo data: %w", err)
		}
	}
	return a, nil
}

func openSealer(cfg config.Config) (*pii.Sealer, error) {
	var key []byte
	var err error
	if cfg.PIIKey != "" {
		key, err = pii.ParseKey(cfg.PIIKey)
	} else {
		key, err = pii.LoadOrCreateKey(filepath.Join(cfg.DataDir, "pii.key"))
	}
	if err != nil {
		return nil, fmt.Errorf("PII key: %w", err)
	}
	return pii.NewSealer(key)
}

func (a *App) openWeChat(cfg config.Config, sim *wxsim.Simulator) (*wechat.Client, error) {
	wcfg := wechat.Config{
		AppID: cfg.WeChatAppID, Secret: cfg.WeChatSecret, Timeout: cfg.WeChatTimeout,
		CodePage: cfg.WeChatCodePage, EnvVersion: cfg.WeChatEnvVersion, PushToken: cfg.WeChatPushToken,
	}
	if cfg.Simulated() {
		if sim == nil {
			sim = wxsim.New()
			if _, err := sim.Start(); err != nil {
				return nil, fmt.Errorf("start WeChat simulator: %w", err)
			}
			a.closers = append(a.closers, func() { sim.Close() })
		}
		a.Simulator = sim
		wcfg.AppID, wcfg.Secret, wcfg.SimulatorURL = "wx_simulator", "simulator_secret", sim.URL()
		if wcfg.PushToken == "" {
			wcfg.PushToken = SimulatorPushToken
		}
	}
	return wechat.New(wcfg, a.Redis, cfg.RedisPrefix+"wechat:"), nil
}

// build constructs the services and the router.
func (a *App) build(cfg config.Config) {
	prefix := cfg.RedisPrefix
	registry := prometheus.NewRegistry()
	registry.MustRegister(collectors.NewGoCollector(), collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}))

	sessions := auth.NewSessions(a.Redis, prefix, a.Now)
	areas := area.NewService(a.DB, a.Now)
	audits := audit.NewService(a.DB, a.Now)
	houses := house.NewService(a.DB, areas, a.Now)
	sched := schedule.New(a.Redis, prefix)
	keeper := checkin.NewKeeper(a.DB, a.Redis, sched, prefix, a.Log)
	tasksOpened := prometheus.NewCounterVec(prometheus.CounterOpts{
		Name: "yaoju_tasks_opened_total", Help: "Worklist tasks opened by type.",
	}, []string{"type"})
	registry.MustRegister(tasksOpened)
	tasks := task.NewOpener(a.Now, func(t string) { tasksOpened.WithLabelValues(t).Inc() })
	tiers := tier.NewService(a.DB, tier.Thresholds{
		GreenOnTimeRate: cfg.TierGreenOnTimeRate, RedOnTimeRate: cfg.TierRedOnTimeRate,
		YellowMoves: cfg.TierYellowMoves, RedMoves: cfg.TierRedMoves, RedOverdue: cfg.TierRedOverdue,
	}, a.Now)
	a.Sweeper = checkin.NewSweeper(a.DB, sched, keeper,
		notify.NewReminders(a.DB, cfg.SubscribeMode, cfg.ReminderTemplate, a.Now), tasks, tiers,
		checkin.SweepConfig{Interval: cfg.SweepInterval, Grace: cfg.CheckinGrace}, a.Now, a.Log, registry)
	a.Sender = notify.NewSender(a.DB, a.WeChat, a.sms(cfg), notify.SenderConfig{
		Templates: map[string]string{
			notify.TemplateCheckinReminder: cfg.ReminderTemplate, notify.TemplateTenantMoved: cfg.MovedTemplate,
		},
	}, a.Now, a.Log, registry)
	a.Comparer = task.NewComparer(a.DB, a.Redis, prefix, tasks, tiers, time.Hour, a.Now, a.Log)
	a.workers = append(a.workers, a.Sweeper.Run, a.Sender.Run, a.Comparer.Run)
	checkins := checkin.NewService(a.DB, keeper, tiers, checkin.Rules{
		Period: cfg.CheckinPeriod, GreenPeriod: cfg.GreenCheckinPeriod,
	}, a.Now)
	tasksClosed := prometheus.NewCounterVec(prometheus.CounterOpts{
		Name: "yaoju_tasks_closed_total", Help: "Worklist tasks closed by type and outcome.",
	}, []string{"type", "outcome"})
	registry.MustRegister(tasksClosed)
	residences := residence.NewService(residence.Deps{
		DB: a.DB, Sealer: a.Sealer, Houses: houses, Schedule: keeper, Tasks: tasks, Tiers: tiers,
		Audit: audits, Log: a.Log, Now: a.Now,
		Rules: residence.Rules{DeclareDeadline: cfg.DeclareDeadline, CheckinPeriod: cfg.CheckinPeriod},
	})
	a.Houses, a.Keeper, a.Residences = houses, keeper, residences
	a.Handler = api.NewRouter(api.Deps{
		Log:         a.Log,
		Registry:    registry,
		Ready:       func(ctx context.Context) error { return ping(ctx, a.DB, a.Redis) },
		Sessions:    sessions,
		MiniProgram: auth.NewMiniProgram(a.DB, a.WeChat, sessions, cfg.TokenTTL, a.Now),
		Console: auth.NewConsole(a.DB, a.Redis, prefix, sessions, auth.ConsoleOptions{
			TokenTTL: cfg.ConsoleTokenTTL, MaxFails: cfg.LoginMaxFails, Lockout: cfg.LoginLockout,
		}, a.Now),
		Areas:      areas,
		Audit:      audits,
		Houses:     houses,
		Codes:      house.NewCodes(a.DB, a.WeChat, cfg.WeChatCodePage+"|"+cfg.WeChatEnvVersion),
		Plates:     a.plates,
		Residences: residences,
		Checkins:   checkins,
		Worklist: worklist.NewService(worklist.Deps{
			DB: a.DB, Residences: residences, Checkins: checkins, Houses: houses, Tasks: tasks, Tiers: tiers,
			Audit: audits, Schedule: keeper, Now: a.Now,
			Closed: func(t, outcome string) { tasksClosed.WithLabelValues(t, outcome).Inc() },
		}),
		Stats:         stats.NewService(a.DB, areas, a.Now),
		Credits:       notify.NewCredits(a.DB, a.Now),
		Outbox:        notify.NewOutbox(a.DB),
		WeChat:        a.WeChat,
		Limiter:       ratelimit.New(a.Redis, prefix, a.Now),
		MaxBodyBytes:  cfg.MaxBodyBytes,
		ScanRateLimit: cfg.ScanRateLimit,
		Now:           a.Now,
	})
}

// sms is the SMS sender: Tencent Cloud when configured, otherwise one that
// only logs (the outbox still records every message).
func (a *App) sms(cfg config.Config) sms.Sender {
	if cfg.SMSSecretID == "" {
		return sms.NewLogOnly(a.Log)
	}
	return sms.NewTencent(sms.TencentConfig{
		SecretID: cfg.SMSSecretID, SecretKey: cfg.SMSSecretKey, SDKAppID: cfg.SMSAppID, SignName: cfg.SMSSign,
		Templates: map[string]string{
			notify.TemplateCheckinReminder: cfg.SMSTemplateID, notify.TemplateTenantMoved: cfg.SMSMovedTemplateID,
		},
	}, &http.Client{Timeout: 10 * time.Second})
}

// EmbeddedRedis is the in-process Redis server in embedded mode (nil
// otherwise); tests stop and restart it.
func (a *App) EmbeddedRedis() *miniredis.Miniredis { return a.redis.embedded }

// RunWorkers runs the background workers until ctx ends.
func (a *App) RunWorkers(ctx context.Context) {
	var wg sync.WaitGroup
	for _, w := range a.workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			w(ctx)
		}()
	}
	wg.Wait()
}

// Serve answers HTTP on cfg.Addr and runs the workers until ctx ends, then
// finishes in-flight requests before returning.
func (a *App) Serve(ctx context.Context) error {
	ln, err := net.Listen("tcp", a.Config.Addr)
	if err != nil {
		return fmt.Errorf("listen %s: %w", a.Config.Addr, err)
	}
	srv := &http.Server{Handler: a.Handler, ReadHeaderTimeout: 10 * time.Second}
	workCtx, stopWork := context.WithCancel(ctx)
	defer stopWork()
	workersDone := make(chan struct{})
	go func() {
		a.RunWorkers(workCtx)
		close(workersDone)
	}()
	serveErr := make(chan error, 1)
	go func() { serveErr <- srv.Serve(ln) }()
	a.Log.Info("listening", "addr", ln.Addr().String())

	select {
	case err := <-serveErr:
		return err
	case <-ctx.Done():
	}
	a.Log.Info("shutting down: finishing in-flight requests")
	shutdownCtx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	err = srv.Shutdown(shutdownCtx)
	stopWork()
	<-workersDone
	if errors.Is(err, http.ErrServerClosed) {
		err = nil
	}
	return err
}

// Close releases the stores.
func (a *App) Close() {
	for i := len(a.closers) - 1; i >= 0; i-- {
		a.closers[i]()
	}
	a.closers = nil
}
