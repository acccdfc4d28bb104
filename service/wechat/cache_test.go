package wechat

import (
	"context"
	"testing"
	"time"
)

// silenceper type-asserts val.(string) on what Get returns, and treats only
// an untyped nil as missing.
func TestCache_GetReturnsStringOrUntypedNil(t *testing.T) {
	rdb, prefix := newRedis(t)
	c := NewCache(rdb, prefix)
	if v := c.Get("missing"); v != nil {
		t.Fatalf("missing key gave %#v", v)
	}
	if err := c.Set("k", "token-value", time.Minute); err != nil {
		t.Fatal(err)
	}
	if s, ok := c.Get("k").(string); !ok || s != "token-value" {
		t.Fatalf("got %#v", c.Get("k"))
	}
	if !c.IsExist("k") {
		t.Fatal("IsExist is false after Set")
	}
	if err := c.Delete("k"); err != nil || c.IsExist("k") || c.Get("k") != nil {
		t.Fatal("Delete left the key")
	}
}

// go-redis stores a zero expiration forever; silenceper computes zero from a
// stable token's expires_in of 300.
func TestCache_NonPositiveTimeoutDoesNotKeepKeyForever(t *testing.T) {
	rdb, prefix := newRedis(t)
	c := NewCache(rdb, prefix)
	_ = c.Set("k", "old", time.Minute)
	for _, timeout := range []time.Duration{0, -time.Second} {
		if err := c.Set("k", "v", timeout); err != nil {
			t.Fatal(err)
		}
		if c.IsExist("k") {
			t.Fatalf("timeout %v: key kept", timeout)
		}
	}
}

func TestCache_KeysArePrefixed(t *testing.T) {
	rdb, prefix := newRedis(t)
	a, b := NewCache(rdb, prefix+"a:"), NewCache(rdb, prefix+"b:")
	_ = a.Set("k", "from-a", time.Minute)
	if b.Get("k") != nil {
		t.Fatal("caches with different prefixes share a key")
	}
	if n := rdb.Exists(context.Background(), prefix+"a:k").Val(); n != 1 {
		t.Fatal("the key is not stored under the prefix")
	}
}
