package wechat

import (
	"context"
	"time"

	"github.com/redis/go-redis/v9"
	"github.com/silenceper/wechat/v2/cache"
)

// Cache is silenceper's cache.Cache and cache.ContextCache on go-redis v9
// (silenceper's own Redis cache is go-redis v8). It shares the access token
// between instances.
type Cache struct {
	rdb    redis.UniversalClient
	prefix string
}

var _ cache.ContextCache = (*Cache)(nil)

// NewCache stores keys under prefix, so that tests and deployments sharing a
// Redis do not collide.
func NewCache(rdb redis.UniversalClient, prefix string) *Cache {
	return &Cache{rdb: rdb, prefix: prefix}
}

// GetContext returns the value as a string, because silenceper type-asserts
// val.(string); and an untyped nil when the key is missing or Redis fails,
// which makes silenceper fetch a fresh token.
func (c *Cache) GetContext(ctx context.Context, key string) interface{} {
	v, err := c.rdb.Get(ctx, c.prefix+key).Result()
	if err != nil {
		return nil
	}
	return v
}

// SetContext stores val (silenceper only stores strings) for timeout.
// A timeout of zero or less means "already expired", as in silenceper's
// memory cache: the key is removed. go-redis would otherwise keep it forever,
// and silenceper does compute zero, from a stable token's expires_in of 300.
func (c *Cache) SetContext(ctx context.Context, key string, val interface{}, timeout time.Duration) error {
	if timeout <= 0 {
		return c.rdb.Del(ctx, c.prefix+key).Err()
	}
	return c.rdb.Set(ctx, c.prefix+key, val, timeout).Err()
}

// IsExistContext reports whether key is stored.
func (c *Cache) IsExistContext(ctx context.Context, key string) bool {
	n, err := c.rdb.Exists(ctx, c.prefix+key).Result()
	return err == nil && n > 0
}

// DeleteContext removes key.
func (c *Cache) DeleteContext(ctx context.Context, key string) error {
	return c.rdb.Del(ctx, c.prefix+key).Err()
}

// Get is GetContext without a context, as cache.Cache requires.
func (c *Cache) Get(key string) interface{} { return c.GetContext(context.Background(), key) }

// Set is SetContext without a context.
func (c *Cache) Set(key string, val interface{}, timeout time.Duration) error {
	return c.SetContext(context.Background(), key, val, timeout)
}

// IsExist is IsExistContext without a context.
func (c *Cache) IsExist(key string) bool { return c.IsExistContext(context.Background(), key) }

// Delete is DeleteContext without a context.
func (c *Cache) Delete(key string) error { return c.DeleteContext(context.Background(), key) }
