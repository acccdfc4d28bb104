package api_test

import (
	"encoding/json"
	"strings"
	"testing"

	"github.com/gin-gonic/gin"

	"yaoju/app/apptest"
)

func TestReadyz_FollowsRedis(t *testing.T) {
	e := apptest.New(t)
	e.Must(200, "GET", "/readyz", nil, "")
	mr := e.App.EmbeddedRedis()
	if mr == nil {
		t.Skip("real Redis is shared with other tests; its stop and start is not simulated here")
	}
	mr.Close()
	if r := e.Do("GET", "/readyz", nil, ""); r.Status != 503 || r.Reason != "unavailable" {
		t.Fatalf("redis down: %d %s", r.Status, r.Body)
	}
	e.Must(200, "GET", "/healthz", nil, "")
	if err := mr.Restart(); err != nil {
		t.Fatal(err)
	}
	e.Must(200, "GET", "/readyz", nil, "")
}

func TestMetrics_CountRequestsByRoute(t *testing.T) {
	e := apptest.New(t)
	e.Must(200, "GET", "/healthz", nil, "")
	body := string(e.Must(200, "GET", "/metrics", nil, "").Body)
	if !strings.Contains(body, `yaoju_http_requests_total{method="GET",route="/healthz",status="200"}`) ||
		!strings.Contains(body, "yaoju_http_request_duration_seconds_bucket") {
		t.Fatalf("metrics missing request counts:\n%.2000s", body)
	}
}

func TestEnvelope_ErrorsAreExplained(t *testing.T) {
	e := apptest.New(t)
	cases := []struct {
		name, method, path string
		body               any
		status             int
		reason             string
	}{
		{"unknown route", "GET", "/api/v1/nothing-here", nil, 404, "not_found"},
		{"malformed JSON", "POST", "/api/v1/wx/login", "{not json", 400, "bad_request"},
		{"wrong type", "POST", "/api/v1/wx/login", `{"code":42}`, 422, "invalid_code"},
		{"no token", "GET", "/api/v1/me/residences", nil, 401, "unauthorized"},
		{"body too large", "POST", "/api/v1/wx/login", `{"code":"` + strings.Repeat("a", 2<<20) + `"}`, 413, "too_large"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			r := e.Do(c.method, c.path, c.body, "")
			if r.Status != c.status || r.Reason != c.reason || r.Code == 0 || r.Msg == "" {
				t.Fatalf("got %d %s", r.Status, r.Body)
			}
		})
	}
}

func TestRequestID_IsEchoed(t *testing.T) {
	e := apptest.New(t)
	r := e.Do("GET", "/healthz", nil, "")
	if len(r.Header.Get("X-Request-ID")) < 8 {
		t.Fatalf("no request id: %v", r.Header)
	}
}

func TestOpenAPI_DescribesEveryContractRoute(t *testing.T) {
	e := apptest.New(t)
	var spec struct {
		OpenAPI string                               `json:"openapi"`
		Paths   map[string]map[string]map[string]any `json:"paths"`
	}
	if err := json.Unmarshal(e.Must(200, "GET", "/openapi.json", nil, "").Body, &spec); err != nil {
		t.Fatal(err)
	}
	for _, route := range []string{
		"post /api/v1/wx/login", "get /api/v1/scan/{scene}", "post /api/v1/declarations",
		"post /api/v1/me/residences/{id}/checkin", "get /api/v1/console/tasks", "get /api/v1/console/plates.pdf",
	} {
		method, path, _ := strings.Cut(route, " ")
		op, ok := spec.Paths[path][method]
		if !ok || op["summary"] == "" {
			t.Fatalf("%s missing from the contract", route)
		}
	}
	if !strings.HasPrefix(spec.OpenAPI, "3.") {
		t.Fatalf("openapi %q", spec.OpenAPI)
	}
}

func TestRecovery_PanicAnswersTheEnvelope(t *testing.T) {
	e := apptest.New(t)
	e.App.Handler.(*gin.Engine).GET("/test-panic", func(*gin.Context) { panic("boom") })
	r := e.Do("GET", "/test-panic", nil, "")
	if r.Status != 500 || r.Reason != "internal" || strings.Contains(string(r.Body), "boom") {
		t.Fatalf("panic answered %d %s", r.Status, r.Body)
	}
	e.Must(200, "GET", "/healthz", nil, "")
}
