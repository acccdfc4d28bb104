package wechat

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/url"

	"github.com/silenceper/wechat/v2/util"
)

// APIError is an errcode answered by WeChat.
type APIError struct {
	Code int
	Msg  string
}

func (e *APIError) Error() string { return fmt.Sprintf("errcode %d: %s", e.Code, e.Msg) }

// Is lets errors.Is(err, ErrInvalidCode) and the other sentinels below match
// the errcodes they stand for.
func (e *APIError) Is(target error) bool {
	switch target {
	case ErrInvalidCode:
		return e.Code == 40029 || e.Code == 40163 // invalid code; code been used
	case ErrNotSubscribed:
		return e.Code == 43101
	case ErrRateLimited:
		return e.Code == 45009
	}
	return false
}

var (
	// ErrInvalidCode: the login or phone code is wrong, expired or used.
	ErrInvalidCode = errors.New("wechat: invalid code")
	// ErrNotSubscribed: the user holds no subscription for the template
	// (never subscribed, used it up, or refused). Fall back to SMS.
	ErrNotSubscribed = errors.New("wechat: user not subscribed")
	// ErrRateLimited: an API quota is used up (45009).
	ErrRateLimited = errors.New("wechat: rate limited")
)

// HTTPError is a WeChat answer whose HTTP status was not 200.
type HTTPError struct{ Status int }

func (e *HTTPError) Error() string { return fmt.Sprintf("http status %d", e.Status) }

// IsTransient reports whether retrying err later, with backoff, may succeed:
// network errors and timeouts, HTTP 5xx and 429, errcode -1 (system busy) and
// 45009 (quota). A cancelled context is not transient: the caller gave up.
func IsTransient(err error) bool {
	if err == nil || errors.Is(err, context.Canceled) {
		return false
	}
	var api *APIError
	if errors.As(err, &api) {
		return api.Code == -1 || api.Code == 45009
	}
	var h *HTTPError
	if errors.As(err, &h) {
		return h.Status >= 500 || h.Status == 429
	}
	var netErr net.Error // includes the HTTP client's Timeout
	return errors.As(err, &netErr) ||
		errors.Is(err, context.DeadlineExceeded) ||
		errors.Is(err, io.ErrUnexpectedEOF) || errors.Is(err, io.EOF)
}

// tokenRejected: the access token is unknown, invalid or expired, although
// the cache still held it (another deployment forced a refresh, or a
// simulator restarted while Redis kept its token).
func tokenRejected(err error) bool {
	var te *tokenError
	if errors.As(err, &te) {
		return false // the token fetch itself failed, e.g. 40001 for a wrong secret
	}
	var api *APIError
	return errors.As(err, &api) && (api.Code == 40001 || api.Code == 40014 || api.Code == 42001)
}

// translate turns what silenceper returns into this package's errors:
//   - *util.CommonError becomes *APIError;
//   - *url.Error is unwrapped, because its message holds the request URL and
//     with it the secret (jscode2session) or the access token.
func translate(err error) error {
	var ue *url.Error
	if errors.As(err, &ue) {
		err = ue.Err
	}
	var ce *util.CommonError
	if errors.As(err, &ce) {
		return &APIError{Code: int(ce.ErrCode), Msg: ce.ErrMsg}
	}
	return err
}
