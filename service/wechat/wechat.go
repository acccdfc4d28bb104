// Package wechat is the only place yaoju talks to WeChat. Every request goes
// through silenceper/wechat/v2 (its miniprogram package; its root package is
// never imported, because importing it resets logrus's global logger).
//
// The HTTP client is process-wide: silenceper sends every request through its
// package variable util.DefaultHTTPClient, which New replaces. One process
// therefore talks to one WeChat endpoint at a time, the one given to the last
// New; build Clients at start-up, before requests are in flight.
package wechat

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/redis/go-redis/v9"
	"github.com/silenceper/wechat/v2/miniprogram"
	"github.com/silenceper/wechat/v2/miniprogram/config"
	"github.com/silenceper/wechat/v2/util"
)

// Config says how to reach WeChat.
type Config struct {
	AppID, Secret string
	// Timeout bounds each HTTP request; 10s when zero. silenceper's default
	// client has none.
	Timeout time.Duration
	// SimulatorURL, when set (http://127.0.0.1:port), receives every request
	// meant for https://api.weixin.qq.com.
	SimulatorURL string
	// CodePage is the page a mini-program code opens, e.g. "pages/scan/index".
	CodePage string
	// EnvVersion is the mini-program version codes open and messages link
	// to: "release", "trial" or "develop".
	EnvVersion string
	// PushToken is the token of the message push (消息推送) configuration.
	PushToken string
}

const defaultTimeout = 10 * time.Second

// Client calls WeChat's mini-program API.
type Client struct {
	cfg    Config
	mp     *miniprogram.MiniProgram
	tokens *tokenSource
}

// New builds the client. The access token is shared through rdb under
// keyPrefix. New assigns silenceper's process-wide util.DefaultHTTPClient to
// a new *http.Client with cfg.Timeout and, when cfg.SimulatorURL is set, a
// transport that sends api.weixin.qq.com requests there; http.DefaultClient
// is never touched. The last New wins for the whole process.
func New(cfg Config, rdb redis.UniversalClient, keyPrefix string) *Client {
	if cfg.Timeout <= 0 {
		cfg.Timeout = defaultTimeout
	}
	util.DefaultHTTPClient = &http.Client{Timeout: cfg.Timeout, Transport: newTransport(cfg.SimulatorURL)}

	c := NewCache(rdb, keyPrefix)
	mp := miniprogram.NewMiniProgram(&config.Config{
		AppID:     cfg.AppID,
		AppSecret: cfg.Secret,
		Token:     cfg.PushToken,
		Cache:     c,
		// Stable tokens: several instances never invalidate each other's.
		UseStableAK: true,
	})
	tokens := newTokenSource(cfg.AppID, cfg.Secret, c)
	mp.SetAccessTokenContextHandle(tokens)
	return &Client{cfg: cfg, mp: mp, tokens: tokens}
}

// transport sends requests for api.weixin.qq.com to the simulator when one is
// set, and turns any HTTP status but 200 into an *HTTPError.
type transport struct {
	base      http.RoundTripper
	simulator *url.URL // nil: the real WeChat
}

func newTransport(simulatorURL string) *transport {
	t := &transport{base: http.DefaultTransport.(*http.Transport).Clone()}
	if simulatorURL != "" {
		u, err := url.Parse(simulatorURL)
		if err != nil || u.Host == "" {
			panic(fmt.Sprintf("wechat: bad SimulatorURL %q", simulatorURL))
		}
		t.simulator = u
	}
	return t
}

func (t *transport) RoundTrip(req *http.Request) (*http.Response, error) {
	if t.simulator != nil && req.URL.Host == "api.weixin.qq.com" {
		req = req.Clone(req.Context())
		req.URL.Scheme = t.simulator.Scheme
		req.URL.Host = t.simulator.Host
		req.URL.Path = strings.TrimSuffix(t.simulator.Path, "/") + req.URL.Path
		req.Host = ""
	}
	resp, err := t.base.RoundTrip(req)
	if err != nil {
		return nil, err
	}
	// Answered here rather than by silenceper, whose error for a non-200
	// status is a string holding the URL, and so the secret or the token.
	if resp.StatusCode != http.StatusOK {
		_, _ = io.Copy(io.Discard, io.LimitReader(resp.Body, 64<<10))
		resp.Body.Close()
		return nil, &HTTPError{Status: resp.StatusCode}
	}
	return resp, nil
}

// withToken runs call, and once more after dropping the cached access token
// if WeChat rejected it. The error is translated.
func (c *Client) withToken(ctx context.Context, call func() error) error {
	err := translate(call())
	if tokenRejected(err) {
		c.tokens.invalidate(ctx)
		err = translate(call())
	}
	return err
}

// withContext runs f aside and stops waiting when ctx ends. It is for
// silenceper calls that take no context (subscribe.Send and the HTTP helper
// behind getwxacodeunlimit); the HTTP client's Timeout still bounds the
// request itself.
func withContext[T any](ctx context.Context, f func() (T, error)) (T, error) {
	type result struct {
		v   T
		err error
	}
	var zero T
	if err := ctx.Err(); err != nil {
		return zero, err
	}
	done := make(chan result, 1)
	go func() {
		v, err := f()
		done <- result{v, err}
	}()
	select {
	case r := <-done:
		return r.v, r.err
	case <-ctx.Done():
		return zero, ctx.Err()
	}
}
