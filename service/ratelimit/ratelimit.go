// Package ratelimit counts requests in fixed windows in Redis, so every
// instance of the service shares one limit.
package ratelimit

import (
	"context"
	"errors"
	"strconv"
	"time"

	"github.com/redis/go-redis/v9"

	"yaoju/service/errs"
)

// Limiter is a Redis fixed-window counter.
type Limiter struct {
	rdb    redis.UniversalClient
	prefix string
	now    func() time.Time
}

// New builds a limiter.
func New(rdb redis.UniversalClient, prefix string, now func() time.Time) *Limiter {
	return &Limiter{rdb: rdb, prefix: prefix + "rl:", now: now}
}

// Allow counts one event under key and answers ErrRateLimited past limit
// events in the current window.
func (l *Limiter) Allow(ctx context.Context, key string, limit int, window time.Duration) error {
	slot := l.now().UnixNano() / int64(window)
	k := l.prefix + key + ":" + strconv.FormatInt(slot, 10)
	pipe := l.rdb.TxPipeline()
	n := pipe.Incr(ctx, k)
	pipe.Expire(ctx, k, window+time.Second)
	if _, err := pipe.Exec(ctx); err != nil {
		return errors.Join(errs.ErrUnavailable, err)
	}
	if n.Val() > int64(limit) {
		return errs.ErrRateLimited
	}
	return nil
}
