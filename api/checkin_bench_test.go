package api_test

import (
	"bytes"
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"testing"
	"time"

	"yaoju/app/apptest"
	"yaoju/config"
	"yaoju/model"
	"yaoju/service/auth"
)

// The figures over HTTP, at 64 clients against MariaDB and Redis, come from
// `go run ./scripts/load`; see scripts/README.md. These benchmarks time one
// request through the real router (middleware, handler, service, store)
// with no network.

const benchTenants = 2_000

type benchTenant struct {
	residence uint64
	scene     string
	token     string
}

// benchSeedTenants writes benchTenants active residences in the demo units,
// each its own user and person, due in about a month, with a session each.
func benchSeedTenants(b *testing.B, e *apptest.Env) []benchTenant {
	b.Helper()
	db := e.App.DB
	var units []model.Unit
	if err := db.Find(&units).Error; err != nil || len(units) == 0 {
		b.Fatalf("demo units: %d, %v", len(units), err)
	}
	areaOf := map[uint64]uint64{}
	var houses []model.House
	db.Find(&houses)
	for _, h := range houses {
		areaOf[h.ID] = h.AreaID
	}
	sessions := auth.NewSessions(e.App.Redis, e.App.Config.RedisPrefix, e.Clock.Now)
	now := e.Clock.Now().UTC()
	out := make([]benchTenant, 0, benchTenants)
	const chunk = 500
	for lo := 0; lo < benchTenants; lo += chunk {
		var users []model.User
		var persons []model.Person
		for i := lo; i < min(lo+chunk, benchTenants); i++ {
			users = append(users, model.User{OpenID: fmt.Sprintf("o_bench%d", i)})
			persons = append(persons, model.Person{IDCipher: []byte{1}, IDIndex: fmt.Sprintf("bench-%d", i), IDMasked: "x", Name: "测试"})
		}
		if err := db.Create(&users).Error; err != nil {
			b.Fatal(err)
		}
		if err := db.Create(&persons).Error; err != nil {
			b.Fatal(err)
		}
		residences := make([]model.Residence, len(users))
		for k := range users {
			u := units[(lo+k)%len(units)]
			due := now.Add(time.Duration(k) * time.Minute)
			last := due.Add(-30 * 24 * time.Hour)
			residences[k] = model.Residence{PersonID: persons[k].ID, ActivePersonID: &persons[k].ID, UserID: users[k].ID,
				UnitID: u.ID, AreaID: areaOf[u.HouseID], Status: model.ResidenceActive, Tier: model.TierGreen,
				Phone: "13800000000", PhoneTail: "0000", Source: model.SourceScan, MoveInDate: last, DeclaredAt: last,
				RenewedAt: last, LastCheckinAt: &last, NextCheckinDue: &due}
		}
		if err := db.Create(&residences).Error; err != nil {
			b.Fatal(err)
		}
		for k, r := range residences {
			token, err := sessions.Issue(context.Background(), auth.Principal{Kind: auth.KindWeChat, UserID: users[k].ID}, time.Hour)
			if err != nil {
				b.Fatal(err)
			}
			out = append(out, benchTenant{residence: r.ID, scene: units[(lo+k)%len(units)].Scene, token: token})
		}
	}
	if _, err := e.App.Keeper.Rebuild(context.Background()); err != nil {
		b.Fatal(err)
	}
	return out
}

func benchServe(b *testing.B, e *apptest.Env, method, path, token string, body []byte, want int) {
	req := httptest.NewRequest(method, path, bytes.NewReader(body))
	req.RemoteAddr = "192.0.2.10:5555"
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Authorization", "Bearer "+token)
	rec := httptest.NewRecorder()
	e.App.Handler.ServeHTTP(rec, req)
	if rec.Code != want {
		b.Fatalf("%s %s: %d %s", method, path, rec.Code, rec.Body.String())
	}
}

// BenchmarkCheckin is POST /api/v1/me/residences/:id/checkin. Every
// iteration is a real check-in: when the tenants run out, the clock moves
// past the 10-minute window in which a repeated scan is the same check-in.
func BenchmarkCheckin(b *testing.B) {
	e := apptest.New(b)
	tenants := benchSeedTenants(b, e)
	i := 0
	for b.Loop() {
		if i == len(tenants) {
			i = 0
			e.Clock.Advance(11 * time.Minute)
		}
		t := tenants[i]
		i++
		benchServe(b, e, http.MethodPost, fmt.Sprintf("/api/v1/me/residences/%d/checkin", t.residence), t.token,
			[]byte(`{"scene":"`+t.scene+`"}`), http.StatusOK)
	}
}

// BenchmarkScan is GET /api/v1/scan/:scene by a tenant of the unit: the
// unit, its house and the tenant's own residence.
func BenchmarkScan(b *testing.B) {
	e := apptest.New(b, apptest.WithConfig(func(c *config.Config) { c.ScanRateLimit = 1 << 30 }))
	tenants := benchSeedTenants(b, e)
	i := 0
	for b.Loop() {
		t := tenants[i%len(tenants)]
		i++
		benchServe(b, e, http.MethodGet, "/api/v1/scan/"+t.scene, t.token, nil, http.StatusOK)
	}
}
