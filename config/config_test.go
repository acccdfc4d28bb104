package config

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

func env(m map[string]string) func(string) string { return func(k string) string { return m[k] } }

func TestLoad_DefaultsAreEmbeddedMode(t *testing.T) {
	cfg, err := Load("", env(nil))
	if err != nil {
		t.Fatal(err)
	}
	if !cfg.Embedded() || !cfg.Simulated() || !cfg.Demo || cfg.Addr != ":8080" || cfg.CheckinPeriod != 720*time.Hour ||
		cfg.CheckinGrace != 168*time.Hour || cfg.DeclareDeadline != 72*time.Hour || cfg.SweepInterval != 30*time.Second {
		t.Fatalf("defaults: %+v", cfg)
	}
}

func TestLoad_EnvironmentOverridesFile(t *testing.T) {
	path := filepath.Join(t.TempDir(), "yaoju.yaml")
	os.WriteFile(path, []byte("addr: \":9000\"\ncheckin_period: 48h\nsweep_interval: 5s\n"), 0o600)
	cfg, err := Load(path, env(map[string]string{"YAOJU_SWEEP_INTERVAL": "2s", "YAOJU_DEMO": "false"}))
	if err != nil {
		t.Fatal(err)
	}
	if cfg.Addr != ":9000" || cfg.CheckinPeriod != 48*time.Hour || cfg.SweepInterval != 2*time.Second || cfg.Demo {
		t.Fatalf("merged: %+v", cfg)
	}
}

func TestLoad_BadSettingsAreRefusedWithAReason(t *testing.T) {
	cases := []struct {
		env  map[string]string
		want string
	}{
		{map[string]string{"YAOJU_MYSQL_DSN": "u:p@tcp(db)/yaoju"}, "YAOJU_PII_KEY is required"},
		{map[string]string{"YAOJU_CHECKIN_PERIOD": "a month"}, "not a duration"},
		{map[string]string{"YAOJU_CHECKIN_GRACE": "-1h"}, "YAOJU_CHECKIN_GRACE must be a positive duration"},
		{map[string]string{"YAOJU_WECHAT_APPID": "wx1"}, "go together"},
		{map[string]string{"YAOJU_SUBSCRIBE_MODE": "sometimes"}, "YAOJU_SUBSCRIBE_MODE"},
		{map[string]string{"YAOJU_DEMO": "yes please"}, "true or false"},
		{map[string]string{"YAOJU_SCAN_RATE_LIMIT": "ten"}, "whole number"},
		{map[string]string{"YAOJU_REDIS_PREFIX": "a{b}:"}, "hash tag"},
		{map[string]string{"YAOJU_TIER_GREEN_ON_TIME_RATE": "lots"}, "not a number"},
		{map[string]string{"YAOJU_TIER_RED_ON_TIME_RATE": "0.9"}, "YAOJU_TIER_"},
	}
	for _, c := range cases {
		_, err := Load("", env(c.env))
		if err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%v: got %v, want %q", c.env, err, c.want)
		}
	}
}

func TestLoad_ProductionTurnsDemoOff(t *testing.T) {
	cfg, err := Load("", env(map[string]string{"YAOJU_MYSQL_DSN": "u:p@tcp(db)/yaoju", "YAOJU_PII_KEY": strings.Repeat("ab", 32)}))
	if err != nil {
		t.Fatal(err)
	}
	if cfg.Demo || cfg.Embedded() {
		t.Fatalf("production config: %+v", cfg)
	}
}
