package worklist

import (
	"sync"
	"time"
)

// totals keeps list totals for a short while.
type totals struct {
	ttl time.Duration
	mu  sync.Mutex
	m   map[string]total
}

type total struct {
	n  int64
	at time.Time
}

func (t *totals) get(key string, now time.Time) (int64, bool) {
	t.mu.Lock()
	defer t.mu.Unlock()
	v, ok := t.m[key]
	return v.n, ok && now.Sub(v.at) < t.ttl
}

func (t *totals) put(key string, n int64, now time.Time) {
	t.mu.Lock()
	defer t.mu.Unlock()
	if len(t.m) > 10_000 { // many scopes and filters: start over
		t.m = map[string]total{}
	}
	t.m[key] = total{n: n, at: now}
}

// forget drops every total: a task opened or closed here changes them.
func (t *totals) forget() {
	t.mu.Lock()
	t.m = map[string]total{}
	t.mu.Unlock()
}
