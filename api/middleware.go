package api

import (
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"log/slog"
	"net/http"
	"runtime/debug"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/gin-gonic/gin"
	"github.com/prometheus/client_golang/prometheus"

	"yaoju/service/area"
	"yaoju/service/auth"
	"yaoju/service/errs"
)

const (
	requestIDKey = "request_id"
	principalKey = "principal"
	tokenKey     = "token"
)

// requestID takes the caller's X-Request-ID or makes one, and echoes it.
func requestID() gin.HandlerFunc {
	return func(c *gin.Context) {
		id := c.GetHeader("X-Request-ID")
		if id == "" || len(id) > 64 {
			b := make([]byte, 8)
			rand.Read(b)
			id = hex.EncodeToString(b)
		}
		c.Set(requestIDKey, id)
		c.Header("X-Request-ID", id)
		c.Next()
	}
}

// httpMetrics are the request counters and latencies by route.
type httpMetrics struct {
	requests *prometheus.CounterVec
	latency  *prometheus.HistogramVec
}

func newHTTPMetrics(reg prometheus.Registerer) *httpMetrics {
	m := &httpMetrics{
		requests: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "yaoju_http_requests_total", Help: "HTTP requests by route, method and status.",
		}, []string{"route", "method", "status"}),
		latency: prometheus.NewHistogramVec(prometheus.HistogramOpts{
			Name: "yaoju_http_request_duration_seconds", Help: "HTTP request latency by route.",
			Buckets: []float64{.001, .0025, .005, .01, .025, .05, .1, .25, .5, 1, 2.5, 5},
		}, []string{"route", "method"}),
	}
	reg.MustRegister(m.requests, m.latency)
	return m
}

// observe logs each request (never its body or query, which may hold
// personal data) and counts it.
func observe(log *slog.Logger, m *httpMetrics) gin.HandlerFunc {
	return func(c *gin.Context) {
		start := time.Now()
		c.Next()
		route := c.FullPath()
		if route == "" {
			route = "unmatched"
		}
		elapsed := time.Since(start)
		status := c.Writer.Status()
		m.requests.WithLabelValues(route, c.Request.Method, strconv.Itoa(status)).Inc()
		m.latency.WithLabelValues(route, c.Request.Method).Observe(elapsed.Seconds())
		level := slog.LevelInfo
		if status >= 500 {
			level = slog.LevelError
		}
		attrs := []any{"request_id", c.GetString(requestIDKey), "method", c.Request.Method, "route", route,
			"status", status, "latency_ms", elapsed.Milliseconds()}
		if len(c.Errors) > 0 {
			attrs = append(attrs, "err", c.Errors.String())
		}
		log.Log(c.Request.Context(), level, "http", attrs...)
	}
}

// recovery answers a panic with the 500 envelope and logs the stack.
func recovery(log *slog.Logger) gin.HandlerFunc {
	return func(c *gin.Context) {
		defer func() {
			if r := recover(); r != nil {
				if r == http.ErrAbortHandler {
					panic(r) // a deliberately cut response, such as a failed PDF stream
				}
				log.Error("panic", "request_id", c.GetString(requestIDKey), "route", c.FullPath(),
					"panic", fmt.Sprint(r), "stack", string(debug.Stack()))
				abort(c, problemInternal, nil)
			}
		}()
		c.Next()
	}
}

// limitBody caps request bodies; multipart uploads set their own cap.
func limitBody(max int64) gin.HandlerFunc {
	return func(c *gin.Context) {
		if c.Request.Body != nil && !strings.HasPrefix(c.ContentType(), "multipart/") {
			c.Request.Body = http.MaxBytesReader(c.Writer, c.Request.Body, max)
		}
		c.Next()
	}
}

func bearer(c *gin.Context) string {
	h := c.GetHeader("Authorization")
	if len(h) > 7 && strings.EqualFold(h[:7], "Bearer ") {
		return strings.TrimSpace(h[7:])
	}
	return ""
}

// authenticate lets in tokens of one kind ("" for either). Another kind's
// token is as good as none.
func (h *handler) authenticate(kind string) gin.HandlerFunc {
	return func(c *gin.Context) {
		token := bearer(c)
		p, err := h.Sessions.Lookup(c.Request.Context(), token)
		if err != nil {
			fail(c, err)
			return
		}
		if kind != "" && p.Kind != kind {
			fail(c, errs.ErrUnauthorized)
			return
		}
		c.Set(principalKey, p)
		c.Set(tokenKey, token)
		c.Next()
	}
}

// roles lets in console users of the given roles only.
func roles(allowed ...string) gin.HandlerFunc {
	return func(c *gin.Context) {
		if !slices.Contains(allowed, principal(c).Role) {
			fail(c, errs.ErrForbidden)
			return
		}
		c.Next()
	}
}

// optionalWeChat reads a mini-program token if one is sent (public routes
// that show more to a signed-in user).
func (h *handler) optionalWeChat(c *gin.Context) {
	if token := bearer(c); token != "" {
		if p, err := h.Sessions.Lookup(c.Request.Context(), token); err == nil && p.Kind == auth.KindWeChat {
			c.Set(principalKey, p)
		}
	}
	c.Next()
}

func principal(c *gin.Context) auth.Principal {
	p, _ := c.Get(principalKey)
	v, _ := p.(auth.Principal)
	return v
}

// scope is the set of communities the console caller may see.
func (h *handler) scope(c *gin.Context) (area.Scope, bool) {
	p := principal(c)
	if p.Role == "admin" {
		return area.Everywhere(), true
	}
	s, err := h.Areas.Subtree(c.Request.Context(), p.AreaID)
	if err != nil {
		fail(c, err)
		return s, false
	}
	return s, true
}

// scopeFilter is the caller's scope, narrowed by an optional ?area_id=.
func (h *handler) scopeFilter(c *gin.Context) (area.Scope, bool) {
	s, good := h.scope(c)
	if !good {
		return s, false
	}
	id, good := queryID(c, "area_id")
	if !good || id == 0 {
		return s, good
	}
	narrowed, err := h.Areas.Narrow(c.Request.Context(), s, id)
	if err != nil {
		fail(c, err)
		return s, false
	}
	return narrowed, true
}
