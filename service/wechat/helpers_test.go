package wechat

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"os"
	"testing"
	"time"

	"github.com/alicebob/miniredis/v2"
	"github.com/redis/go-redis/v9"

	"yaoju/service/wechat/wxsim"
)

// The tests in this package do not call t.Parallel: New swaps silenceper's
// process-wide HTTP client.

const testSecret = "sim-secret-must-not-leak"

type env struct {
	sim    *wxsim.Simulator
	rdb    redis.UniversalClient
	prefix string
	cfg    Config
	client *Client
}

// newEnv starts a simulator and builds a Client on it, with Redis from
// newRedis. change, when given, edits the Config first.
func newEnv(t *testing.T, change ...func(*Config)) *env {
	t.Helper()
	sim := wxsim.New()
	url, err := sim.Start()
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = sim.Close() })
	rdb, prefix := newRedis(t)
	cfg := Config{
		AppID:        "wx_sim_app",
		Secret:       testSecret,
		Timeout:      2 * time.Second,
		SimulatorURL: url,
		CodePage:     "pages/scan/index",
		EnvVersion:   "develop",
		PushToken:    "push-token",
	}
	for _, f := range change {
		f(&cfg)
	}
	return &env{sim: sim, rdb: rdb, prefix: prefix, cfg: cfg, client: New(cfg, rdb, prefix)}
}

// newRedis returns the Redis at YAOJU_TEST_REDIS_ADDR, or a miniredis, and a
// random key prefix whose keys are removed after the test.
func newRedis(t *testing.T) (redis.UniversalClient, string) {
	t.Helper()
	b := make([]byte, 6)
	_, _ = rand.Read(b)
	prefix := "yaoju-test-" + hex.EncodeToString(b) + ":"

	addr := os.Getenv("YAOJU_TEST_REDIS_ADDR")
	if addr == "" {
		addr = miniredis.RunT(t).Addr()
	}
	rdb := redis.NewClient(&redis.Options{Addr: addr})
	ctx := context.Background()
	if err := rdb.Ping(ctx).Err(); err != nil {
		t.Fatalf("redis at %s: %v", addr, err)
	}
	t.Cleanup(func() {
		keys, _ := rdb.Keys(ctx, prefix+"*").Result()
		if len(keys) > 0 {
			rdb.Del(ctx, keys...)
		}
		_ = rdb.Close()
	})
	return rdb, prefix
}
