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
type Sessions struct {
	rdb    redis.UniversalClient
	prefix string
}

// NewSessions builds the token store.
func NewSessions(rdb redis.UniversalClient, prefix string) *Sessions {
	return &Sessions{rdb: rdb, prefix: prefix + "session:"}
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
	body, err := s.rdb.Get(ctx, s.key(token)).Bytes()
	if errors.Is(err, redis.Nil) {
		return p, errs.ErrUnauthorized
	}
	if err != nil {
		return p, errors.Join(errs.ErrUnavailable, err)
	}
	if err := json.Unmarshal(body, &p); err != nil {
		return p, errs.ErrUnauthorized
	}
	return p, nil
}

// Revoke ends a token at once.
func (s *Sessions) Revoke(ctx context.Context, token string) error {
	if err := s.rdb.Del(ctx, s.key(token)).Err(); err != nil {
		return errors.Join(errs.ErrUnavailable, err)
	}
	return nil
}

func (s *Sessions) key(token string) string {
	sum := sha256.Sum256([]byte(token))
	return s.prefix + hex.EncodeToString(sum[:])
}
