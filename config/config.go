// Package config holds yaoju's typed configuration. The zero-configuration
// defaults mean embedded mode: a SQLite file and an in-process Redis under the
// data dir, and the built-in WeChat simulator. Values come from an optional
// YAML file, then YAOJU_* environment variables, which win.
package config

import (
	"errors"
	"fmt"
	"os"
	"reflect"
	"strconv"
	"strings"
	"time"

	"gopkg.in/yaml.v3"

	"yaoju/service/tier"
)

// Config is everything the service reads at start.
type Config struct {
	Addr    string `yaml:"addr" env:"YAOJU_ADDR"`
	DataDir string `yaml:"data_dir" env:"YAOJU_DATA_DIR"`

	MySQLDSN      string `yaml:"mysql_dsn" env:"YAOJU_MYSQL_DSN"`
	RedisAddr     string `yaml:"redis_addr" env:"YAOJU_REDIS_ADDR"`
	RedisPassword string `yaml:"redis_password" env:"YAOJU_REDIS_PASSWORD"`
	RedisDB       int    `yaml:"redis_db" env:"YAOJU_REDIS_DB"`
	// RedisPrefix namespaces every key, so several deployments (or test runs)
	// can share one Redis.
	RedisPrefix string `yaml:"redis_prefix" env:"YAOJU_REDIS_PREFIX"`

	// PIIKey is the 32-byte master key for ID numbers (64 hex characters or
	// base64). Embedded mode generates one into the data dir.
	PIIKey string `yaml:"pii_key" env:"YAOJU_PII_KEY"`

	WeChatAppID      string        `yaml:"wechat_appid" env:"YAOJU_WECHAT_APPID"`
	WeChatSecret     string        `yaml:"wechat_secret" env:"YAOJU_WECHAT_SECRET"`
	WeChatPushToken  string        `yaml:"wechat_push_token" env:"YAOJU_WECHAT_PUSH_TOKEN"`
	WeChatTimeout    time.Duration `yaml:"wechat_timeout" env:"YAOJU_WECHAT_TIMEOUT"`
	WeChatCodePage   string        `yaml:"wechat_code_page" env:"YAOJU_WECHAT_CODE_PAGE"`
	WeChatEnvVersion string        `yaml:"wechat_env_version" env:"YAOJU_WECHAT_ENV_VERSION"`
	// ReminderTemplate is the subscription-message template of the check-in reminder.
	ReminderTemplate string `yaml:"reminder_template" env:"YAOJU_REMINDER_TEMPLATE"`
	// MovedTemplate tells a landlord a tenant declared elsewhere.
	MovedTemplate string `yaml:"moved_template" env:"YAOJU_MOVED_TEMPLATE"`
	// SubscribeMode is "one_time" (each accepted template gives one credit) or
	// "long_term" (government category: no credit needed).
	SubscribeMode string `yaml:"subscribe_mode" env:"YAOJU_SUBSCRIBE_MODE"`

	SMSSecretID   string `yaml:"sms_secret_id" env:"YAOJU_SMS_SECRET_ID"`
	SMSSecretKey  string `yaml:"sms_secret_key" env:"YAOJU_SMS_SECRET_KEY"`
	SMSAppID      string `yaml:"sms_app_id" env:"YAOJU_SMS_APP_ID"`
	SMSSign       string `yaml:"sms_sign" env:"YAOJU_SMS_SIGN"`
	SMSTemplateID string `yaml:"sms_template_id" env:"YAOJU_SMS_TEMPLATE_ID"`
	// SMSMovedTemplateID is the SMS twin of MovedTemplate.
	SMSMovedTemplateID string `yaml:"sms_moved_template_id" env:"YAOJU_SMS_MOVED_TEMPLATE_ID"`

	CheckinPeriod      time.Duration `yaml:"checkin_period" env:"YAOJU_CHECKIN_PERIOD"`
	CheckinGrace       time.Duration `yaml:"checkin_grace" env:"YAOJU_CHECKIN_GRACE"`
	GreenCheckinPeriod time.Duration `yaml:"green_checkin_period" env:"YAOJU_GREEN_CHECKIN_PERIOD"`
	DeclareDeadline    time.Duration `yaml:"declare_deadline" env:"YAOJU_DECLARE_DEADLINE"`

	// Risk-tier thresholds: on-time share for green (at or above) and red
	// (below), moves in 12 months for yellow and red, overdue tasks in 12
	// months for red.
	TierGreenOnTimeRate float64       `yaml:"tier_green_on_time_rate" env:"YAOJU_TIER_GREEN_ON_TIME_RATE"`
	TierRedOnTimeRate   float64       `yaml:"tier_red_on_time_rate" env:"YAOJU_TIER_RED_ON_TIME_RATE"`
	TierYellowMoves     int           `yaml:"tier_yellow_moves" env:"YAOJU_TIER_YELLOW_MOVES"`
	TierRedMoves        int           `yaml:"tier_red_moves" env:"YAOJU_TIER_RED_MOVES"`
	TierRedOverdue      int           `yaml:"tier_red_overdue" env:"YAOJU_TIER_RED_OVERDUE"`
	SweepInterval       time.Duration `yaml:"sweep_interval" env:"YAOJU_SWEEP_INTERVAL"`

	TokenTTL        time.Duration `yaml:"token_ttl" env:"YAOJU_TOKEN_TTL"`
	ConsoleTokenTTL time.Duration `yaml:"console_token_ttl" env:"YAOJU_CONSOLE_TOKEN_TTL"`
	LoginMaxFails   int           `yaml:"login_max_fails" env:"YAOJU_LOGIN_MAX_FAILS"`
	LoginLockout    time.Duration `yaml:"login_lockout" env:"YAOJU_LOGIN_LOCKOUT"`
	// ScanRateLimit is how many scans one user or address may make a minute.
	ScanRateLimit int   `yaml:"scan_rate_limit" env:"YAOJU_SCAN_RATE_LIMIT"`
	MaxBodyBytes  int64 `yaml:"max_body_bytes" env:"YAOJU_MAX_BODY_BYTES"`

	Demo bool `yaml:"demo" env:"YAOJU_DEMO"`
}

// Default is embedded mode.
func Default() Config {
	tiers := tier.DefaultThresholds()
	return Config{
		Addr:                ":8080",
		DataDir:             "./data",
		RedisPrefix:         "yaoju:",
		WeChatTimeout:       5 * time.Second,
		WeChatCodePage:      "pages/scan/index",
		WeChatEnvVersion:    "release",
		ReminderTemplate:    "checkin_reminder",
		SubscribeMode:       "one_time",
		CheckinPeriod:       720 * time.Hour,
		CheckinGrace:        168 * time.Hour,
		DeclareDeadline:     72 * time.Hour,
		TierGreenOnTimeRate: tiers.GreenOnTimeRate,
		TierRedOnTimeRate:   tiers.RedOnTimeRate,
		TierYellowMoves:     tiers.YellowMoves,
		TierRedMoves:        tiers.RedMoves,
		TierRedOverdue:      tiers.RedOverdue,
		SweepInterval:       30 * time.Second,
		TokenTTL:            7 * 24 * time.Hour,
		ConsoleTokenTTL:     12 * time.Hour,
		LoginMaxFails:       5,
		LoginLockout:        15 * time.Minute,
		ScanRateLimit:       30,
		MaxBodyBytes:        1 << 20,
		Demo:                true,
	}
}

// Load reads the optional YAML file and then the environment.
func Load(path string, getenv func(string) string) (Config, error) {
	cfg := Default()
	if path != "" {
		raw, err := os.ReadFile(path)
		if err != nil {
			return cfg, fmt.Errorf("config file: %w", err)
		}
		if err := yaml.Unmarshal(raw, &cfg); err != nil {
			return cfg, fmt.Errorf("config file %s: %w", path, err)
		}
	}
	// Demo data defaults on only in embedded mode.
	if cfg.MySQLDSN != "" || getenv("YAOJU_MYSQL_DSN") != "" {
		cfg.Demo = false
	}
	if err := applyEnv(&cfg, getenv); err != nil {
		return cfg, err
	}
	return cfg, cfg.Validate()
}

// Embedded reports whether the database is the embedded SQLite file.
func (c Config) Embedded() bool { return c.MySQLDSN == "" }

// Simulated reports whether WeChat is the built-in simulator.
func (c Config) Simulated() bool { return c.WeChatAppID == "" }

// Validate refuses settings that would start a broken or unsafe service.
func (c Config) Validate() error {
	var problems []string
	if !c.Embedded() && c.PIIKey == "" {
		problems = append(problems, "YAOJU_PII_KEY is required with YAOJU_MYSQL_DSN: ID numbers must be encrypted with a key you keep (64 hex characters)")
	}
	if (c.WeChatAppID == "") != (c.WeChatSecret == "") {
		problems = append(problems, "YAOJU_WECHAT_APPID and YAOJU_WECHAT_SECRET go together")
	}
	if strings.ContainsAny(c.RedisPrefix, "{}") {
		problems = append(problems, "YAOJU_REDIS_PREFIX must not contain { or }: the schedule's keys use a Redis Cluster hash tag")
	}
	if c.SubscribeMode != "one_time" && c.SubscribeMode != "long_term" {
		problems = append(problems, `YAOJU_SUBSCRIBE_MODE must be "one_time" or "long_term"`)
	}
	for name, d := range map[string]time.Duration{
		"YAOJU_CHECKIN_PERIOD": c.CheckinPeriod, "YAOJU_CHECKIN_GRACE": c.CheckinGrace,
		"YAOJU_DECLARE_DEADLINE": c.DeclareDeadline, "YAOJU_SWEEP_INTERVAL": c.SweepInterval,
		"YAOJU_TOKEN_TTL": c.TokenTTL, "YAOJU_CONSOLE_TOKEN_TTL": c.ConsoleTokenTTL,
	} {
		if d <= 0 {
			problems = append(problems, name+" must be a positive duration such as 720h")
		}
	}
	if c.GreenCheckinPeriod < 0 {
		problems = append(problems, "YAOJU_GREEN_CHECKIN_PERIOD must not be negative")
	}
	if c.TierRedOnTimeRate < 0 || c.TierRedOnTimeRate > c.TierGreenOnTimeRate || c.TierGreenOnTimeRate > 1 ||
		c.TierYellowMoves < 1 || c.TierRedMoves < c.TierYellowMoves || c.TierRedOverdue < 1 {
		problems = append(problems, "YAOJU_TIER_*: rates between 0 and 1 with red below green, and counts of at least 1 with red moves not below yellow")
	}
	if c.LoginMaxFails < 1 || c.ScanRateLimit < 1 || c.MaxBodyBytes < 1024 {
		problems = append(problems, "YAOJU_LOGIN_MAX_FAILS, YAOJU_SCAN_RATE_LIMIT and YAOJU_MAX_BODY_BYTES (>=1024) must be positive")
	}
	if len(problems) > 0 {
		return errors.New("invalid configuration:\n  " + strings.Join(problems, "\n  "))
	}
	return nil
}

// applyEnv sets every field whose env tag names a variable that is set.
func applyEnv(cfg *Config, getenv func(string) string) error {
	v := reflect.ValueOf(cfg).Elem()
	t := v.Type()
	for i := 0; i < t.NumField(); i++ {
		name := t.Field(i).Tag.Get("env")
		raw, ok := strings.TrimSpace(getenv(name)), getenv(name) != ""
		if name == "" || !ok {
			continue
		}
		field := v.Field(i)
		switch field.Interface().(type) {
		case string:
			field.SetString(raw)
		case time.Duration:
			d, err := time.ParseDuration(raw)
			if err != nil {
				return fmt.Errorf("%s=%q: not a duration (for example 720h or 30s)", name, raw)
			}
			field.SetInt(int64(d))
		case float64:
			f, err := strconv.ParseFloat(raw, 64)
			if err != nil {
				return fmt.Errorf("%s=%q: not a number (for example 0.8)", name, raw)
			}
			field.SetFloat(f)
		case int, int64:
			n, err := strconv.ParseInt(raw, 10, 64)
			if err != nil {
				return fmt.Errorf("%s=%q: not a whole number", name, raw)
			}
			field.SetInt(n)
		case bool:
			b, err := strconv.ParseBool(raw)
			if err != nil {
				return fmt.Errorf("%s=%q: use true or false", name, raw)
			}
			field.SetBool(b)
		}
	}
	return nil
}
