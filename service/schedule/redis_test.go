package schedule

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"os"
	"testing"

	"github.com/alicebob/miniredis/v2"
	"github.com/redis/go-redis/v9"
)

// testRedis gives a schedule on miniredis, or on the Redis at
// YAOJU_TEST_REDIS_ADDR under a random key prefix whose keys are deleted
// afterwards. dial opens another, separate client to the same server.
type testRedis struct {
	prefix string
	dial   func() redis.UniversalClient
}

func newTestRedis(tb testing.TB) testRedis {
	tb.Helper()
	addr := os.Getenv("YAOJU_TEST_REDIS_ADDR")
	real := addr != ""
	if !real {
		addr = miniredis.RunT(tb).Addr()
	}
	var suffix [6]byte
	rand.Read(suffix[:])
	tr := testRedis{prefix: "yaojutest:" + hex.EncodeToString(suffix[:]) + ":"}
	tr.dial = func() redis.UniversalClient {
		c := redis.NewUniversalClient(&redis.UniversalOptions{Addrs: []string{addr}})
		tb.Cleanup(func() { c.Close() })
		return c
	}
	if real {
		c := tr.dial()
		if err := c.Ping(context.Background()).Err(); err != nil {
			tb.Fatalf("YAOJU_TEST_REDIS_ADDR=%s: %v", addr, err)
		}
		tb.Cleanup(func() { deletePrefix(tb, c, tr.prefix) })
	}
	return tr
}

func (tr testRedis) schedule() *Schedule { return New(tr.dial(), tr.prefix) }

func deletePrefix(tb testing.TB, c redis.UniversalClient, prefix string) {
	ctx := context.Background()
	iter := c.Scan(ctx, 0, prefix+"*", 1000).Iterator()
	var keys []string
	for iter.Next(ctx) {
		keys = append(keys, iter.Val())
	}
	if err := iter.Err(); err != nil {
		tb.Logf("cleanup scan: %v", err)
	}
	// DEL, not UNLINK: memory is freed before the next benchmark measures it.
	for _, k := range keys {
		c.Del(ctx, k)
	}
}
