package wechat

import (
	"context"
	"fmt"
	"sync"
	"time"

	"github.com/silenceper/wechat/v2/credential"
)

// tokenSource is the access-token handle given to silenceper. It keeps
// silenceper's stable-token request (credential.StableAccessToken) and cache
// key, and changes two things:
//   - errors keep WeChat's errcode as an *APIError; silenceper's own handle
//     flattens it into a fmt.Errorf string, so -1 or 45009 while fetching a
//     token could not be told apart from a wrong secret;
//   - invalidate drops a token that WeChat has rejected. silenceper trusts
//     its cache until expiry (issues #336, #641; the maintainer's answer in
//     #641 is to implement the handle yourself).
type tokenSource struct {
	stable *credential.StableAccessToken
	cache  *Cache
	key    string
	mu     sync.Mutex // one fetch at a time in this process
}

var _ credential.AccessTokenContextHandle = (*tokenSource)(nil)

func newTokenSource(appID, secret string, c *Cache) *tokenSource {
	prefix := credential.CacheKeyMiniProgramPrefix
	return &tokenSource{
		stable: credential.NewStableAccessToken(appID, secret, prefix, c).(*credential.StableAccessToken),
		cache:  c,
		// silenceper's key, so that both handles would share one token.
		key: fmt.Sprintf("%s_stable_access_token_%s", prefix, appID),
	}
}

// GetAccessToken serves silenceper's calls that carry no context.
func (t *tokenSource) GetAccessToken() (string, error) {
	return t.GetAccessTokenContext(context.Background())
}

// GetAccessTokenContext returns the cached token, or fetches one in stable
// mode (which never invalidates the token other instances hold) and caches
// it in Redis for every instance.
func (t *tokenSource) GetAccessTokenContext(ctx context.Context) (string, error) {
	if token := t.cached(ctx); token != "" {
		return token, nil
	}
	t.mu.Lock()
	defer t.mu.Unlock()
	if token := t.cached(ctx); token != "" {
		return token, nil
	}
	res, err := t.stable.GetAccessTokenDirectly(ctx, false)
	if res.ErrCode != 0 {
		err = &APIError{Code: int(res.ErrCode), Msg: res.ErrMsg}
	}
	if err != nil {
		return "", &tokenError{translate(err)}
	}
	// WeChat renews a stable token during its last 5 minutes; cache it until
	// then. A Redis failure is not the caller's problem: the next call
	// fetches again, and stable mode answers the same token.
	ttl := time.Duration(res.ExpiresIn-300) * time.Second
	_ = t.cache.SetContext(ctx, t.key, res.AccessToken, ttl)
	return res.AccessToken, nil
}

func (t *tokenSource) cached(ctx context.Context) string {
	token, _ := t.cache.GetContext(ctx, t.key).(string)
	return token
}

// invalidate forgets the cached token, for every instance.
func (t *tokenSource) invalidate(ctx context.Context) {
	_ = t.cache.DeleteContext(ctx, t.key)
}

// tokenError is a failure to get an access token, as opposed to an API that
// rejected the token it was given.
type tokenError struct{ err error }

func (e *tokenError) Error() string { return "access token: " + e.err.Error() }
func (e *tokenError) Unwrap() error { return e.err }
