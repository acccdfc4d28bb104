// Package auth signs mini-program users in through WeChat and console users
// with a password, and keeps their opaque session tokens in Redis.
package auth

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"sync"
	"time"

	"github.com/redis/go-redis/v9"

	"yaoju/service/errs"
)

// Token kinds: a mini-program token never works on console routes, nor the
// other way round.
const (
	KindWeChat  = "wx"
	KindConsole = "console"
)

// Principal is who a token speaks for.
type Principal struct {
	Kind      string `json:"kind"`
	UserID    uint64 `json:"user_id,omitempty"`
	AccountID uint64 `json:"account_id,omitempty"`
	Username  string `json:"username,omitempty"`
	Role      string `json:"role,omitempty"`
	AreaID    uint64 `json:"area_id,omitempty"`
}

// Sessions stores tokens in Redis. Only a hash of each token is used as the
// key, so a Redis dump holds no usable token.
//
// While Redis does not answer, a token this instance saw valid in the last
// few minutes is still accepted, so that a tenant at the door can check in
// through a Redis blip. Redis is always asked first: a revoked token is
// refused at once whenever Redis answers.
type Sessions struct {
	rdb      redis.UniversalClient
	prefix   string
	fallback time.Duration
	now      func() time.Time
	mu       sync.Mutex
	recent   map[string]seen
	pruned   time.Time
}

type seen struct {
	p  Principal
	at time.Time
}

// NewSessions builds the token store.
func NewSessions(rdb redis.UniversalClient, prefix string, now func() time.Time) *Sessions {
	return &Sessions{rdb: rdb, prefix: prefix + "session:", fallback: 10 * time.Minute, now: now, recent: map[string]seen{}}
}

// Issue creates a token for p that expires after ttl.
func (s *Sessions) Issue(ctx context.Context, p Principal, ttl time.Duration) (string, error) {
	raw := make([]byte, 32)
	if _, err := rand.Read(raw); err != nil {
		return "", err
	}
	token := base64.RawURLEncoding.EncodeToString(raw)
	body, _ := json.Marshal(p)
	if err := s.rdb.Set(ctx, s.key(token), body, ttl).Err(); err != nil {
		return "", fmt.Errorf("store session: %w", errors.Join(errs.ErrUnavailable, err))
	}
	return token, nil
}

// Lookup answers who holds token, or ErrUnauthorized.
func (s *Sessions) Lookup(ctx context.Context, token string) (Principal, error) {
	var p Principal
	if token == "" {
		return p, errs.ErrUnauthorized
	}
	key := s.key(token)
	body, err := s.rdb.Get(ctx, key).Bytes()
	if errors.Is(err, redis.Nil) {
		s.forget(key)
		return p, errs.ErrUnauthorized
	}
	if err != nil {
		if p, ok := s.recently(key); ok {
			return p, nil
		}
		return p, errors.Join(errs.ErrUnavailable, err)
	}
	if err := json.Unmarshal(body, &p); err != nil {
		return p, errs.ErrUnauthorized
	}
	s.remember(key, p)
	return p, nil
}

func (s *Sessions) remember(key string, p Principal) {
	now := s.now()
	s.mu.Lock()
	defer s.mu.Unlock()
	s.recent[key] = seen{p: p, at: now}
	if now.Sub(s.pruned) > s.fallback {
		for k, v := range s.recent {
			if now.Sub(v.at) > s.fallback {
				delete(s.recent, k)
			}
		}
		s.pruned = now
	}
}

func (s *Sessions) recently(key string) (Principal, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	v, ok := s.recent[key]
	return v.p, ok && s.now().Sub(v.at) <= s.fallback
}

func (s *Sessions) forget(key string) {
	s.mu.Lock()
	delete(s.recent, key)
	s.mu.Unlock()
}

// Revoke ends a token at once.
func (s *Sessions) Revoke(ctx context.Context, token string) error {
	s.forget(s.key(token))
	if err := s.rdb.Del(ctx, s.key(token)).Err(); err != nil {
		return errors.Join(errs.ErrUnavailable, err)
	}
	return nil
}

func (s *Sessions) key(token string) string {
	sum := sha256.Sum256([]byte(token))
	return s.prefix + hex.EncodeToString(sum[:])
}
