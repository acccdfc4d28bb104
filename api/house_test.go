package api_test

import (
	"fmt"
	"strings"
	"testing"

	"yaoju/app/apptest"
	"yaoju/config"
)

func TestHouses_LandlordRegistersPoliceApprovesCodesDecodeToScenes(t *testing.T) {
	e := apptest.New(t)
	landlord := e.WxLogin("lan")
	var h struct {
		ID     uint64 `json:"id"`
		Status string `json:"status"`
	}
	e.Must(201, "POST", "/api/v1/landlord/houses", map[string]any{
		"address": "余姚市阳明街道舜水北路1号", "area_id": areaID(t, e, "舜水社区"),
	}, landlord).Data(t, &h)
	if h.Status != "pending" {
		t.Fatalf("new house status %q", h.Status)
	}
	var units []unitJSON
	for _, room := range []string{"101", "102", "103"} {
		var u unitJSON
		e.Must(201, "POST", fmt.Sprintf("/api/v1/landlord/houses/%d/units", h.ID), map[string]any{"room_no": room, "capacity": 2}, landlord).Data(t, &u)
		if len(u.Scene) < 11 || len(u.Scene) > 32 {
			t.Fatalf("scene %q", u.Scene)
		}
		units = append(units, u)
	}
	// A second unit with the same room number is a conflict.
	if r := e.Do("POST", fmt.Sprintf("/api/v1/landlord/houses/%d/units", h.ID), map[string]any{"room_no": "101", "capacity": 2}, landlord); r.Status != 409 {
		t.Fatalf("duplicate room: %d", r.Status)
	}
	// The owner is now a landlord.
	var login struct{ User struct{ Roles []string } }
	e.Must(200, "POST", "/api/v1/wx/login", map[string]string{"code": "test_lan"}, "").Data(t, &login)
	if strings.Join(login.User.Roles, ",") != "tenant,landlord" {
		t.Fatalf("roles %v", login.User.Roles)
	}
	police := e.ConsoleLogin("police1")
	var pending struct{ Items []map[string]any }
	e.Must(200, "GET", "/api/v1/console/houses?status=pending", nil, police).Data(t, &pending)
	if len(pending.Items) != 1 {
		t.Fatalf("pending houses: %v", pending.Items)
	}
	e.Must(200, "POST", fmt.Sprintf("/api/v1/console/houses/%d/approve", h.ID), nil, police)

	tenant := e.WxLogin("ten")
	for _, u := range units {
		res := e.Must(200, "GET", fmt.Sprintf("/api/v1/units/%d/wxacode", u.ID), nil, landlord)
		if ct := res.Header.Get("Content-Type"); ct != "image/jpeg" {
			t.Fatalf("content type %q", ct)
		}
		if got := decodeQR(t, res.Body); got != u.Scene {
			t.Fatalf("QR holds %q, want %q", got, u.Scene)
		}
		scan := e.Must(200, "GET", "/api/v1/scan/"+u.Scene, nil, tenant).Map(t)
		unit := scan["unit"].(map[string]any)
		if unit["room_no"] != u.RoomNo || unit["address"] != "余姚市阳明街道舜水北路1号" || unit["area_name"] != "舜水社区" || scan["my_residence"] != nil {
			t.Fatalf("scan: %v", scan)
		}
	}
	// WeChat is asked once per unit: a second fetch comes from the cache.
	before := e.Sim.Calls("/wxa/getwxacodeunlimit")
	e.Must(200, "GET", fmt.Sprintf("/api/v1/units/%d/wxacode", units[0].ID), nil, police)
	if after := e.Sim.Calls("/wxa/getwxacodeunlimit"); after != before {
		t.Fatalf("code drawn again: %d -> %d calls", before, after)
	}
	if r := e.Do("GET", "/api/v1/scan/ZZZZZZZZZZZZZZZZ", nil, tenant); r.Status != 404 || r.Reason != "not_found" {
		t.Fatalf("unknown scene: %d %s", r.Status, r.Body)
	}
}

func TestHouses_ListShowsUnitsWithActiveResidents(t *testing.T) {
	e := apptest.New(t)
	f := approvedHouse(t, e, "lanlist", "舜水社区", 2, 3)
	var houses []struct {
		ID     uint64     `json:"id"`
		Status string     `json:"status"`
		Units  []unitJSON `json:"units"`
	}
	e.Must(200, "GET", "/api/v1/landlord/houses", nil, f.landlord).Data(t, &houses)
	if len(houses) != 1 || houses[0].Status != "approved" || len(houses[0].Units) != 2 || houses[0].Units[0].Scene == "" {
		t.Fatalf("houses: %+v", houses)
	}
}

func TestPlates_AreaOf20UnitsGives20PlatesWithAddressAndScenes(t *testing.T) {
	e := apptest.New(t)
	f := approvedHouse(t, e, "plates", "新建社区", 20, 2)
	res := e.Must(200, "GET", fmt.Sprintf("/api/v1/console/plates.pdf?area_id=%d", areaID(t, e, "新建社区")), nil, e.ConsoleLogin("police1"))
	if ct := res.Header.Get("Content-Type"); ct != "application/pdf" {
		t.Fatalf("content type %q", ct)
	}
	pages, text := pdfText(t, res.Body)
	if pages != 3 {
		t.Fatalf("%d pages, want 3 (8 plates a page)", pages)
	}
	if n := strings.Count(text, "扫码申报居住信息"); n != 20 {
		t.Fatalf("%d plates in the text, want 20", n)
	}
	// Long addresses wrap on the plate.
	if !strings.Contains(strings.ReplaceAll(text, "\n", ""), "余姚市阳明街道plates路20号") {
		t.Fatalf("address missing from:\n%.500s", text)
	}
	for _, u := range f.units {
		if !strings.Contains(text, u.Scene) {
			t.Fatalf("scene %s missing", u.Scene)
		}
	}
}

func TestHouses_OtherLandlordSeesNothingOfMine(t *testing.T) {
	e := apptest.New(t)
	f := approvedHouse(t, e, "owner", "舜水社区", 1, 2)
	other := e.WxLogin("intruder")
	unit := f.units[0].ID
	for _, c := range []struct{ method, path string }{
		{"GET", fmt.Sprintf("/api/v1/units/%d/wxacode", unit)},
		{"POST", fmt.Sprintf("/api/v1/landlord/houses/%d/units", f.houseID)},
		{"GET", fmt.Sprintf("/api/v1/landlord/units/%d/residents", unit)},
		{"POST", fmt.Sprintf("/api/v1/landlord/units/%d/occupancy", unit)},
	} {
		body := map[string]any{"room_no": "999", "capacity": 1, "occupants": 5}
		if r := e.Do(c.method, c.path, body, other); r.Status != 404 {
			t.Fatalf("%s %s by another landlord: %d %s", c.method, c.path, r.Status, r.Body)
		}
	}
	var houses []any
	e.Must(200, "GET", "/api/v1/landlord/houses", nil, other).Data(t, &houses)
	if len(houses) != 0 {
		t.Fatalf("another landlord sees %v", houses)
	}
}

func TestPlates_WorkerCannotPrintOutsideTheirArea(t *testing.T) {
	e := apptest.New(t)
	f := approvedHouse(t, e, "far", "城西社区", 1, 2) // 凤山街道, not worker1's 舜水社区
	worker := e.ConsoleLogin("worker1")
	if r := e.Do("GET", fmt.Sprintf("/api/v1/console/plates.pdf?house_id=%d", f.houseID), nil, worker); r.Status != 404 {
		t.Fatalf("house outside the area: %d", r.Status)
	}
	if r := e.Do("GET", fmt.Sprintf("/api/v1/console/plates.pdf?area_id=%d", areaID(t, e, "城西社区")), nil, worker); r.Status != 404 {
		t.Fatalf("area outside the scope: %d", r.Status)
	}
	if r := e.Do("GET", fmt.Sprintf("/api/v1/units/%d/wxacode", f.units[0].ID), nil, worker); r.Status != 404 {
		t.Fatalf("code outside the area: %d", r.Status)
	}
	if r := e.Do("POST", fmt.Sprintf("/api/v1/console/houses/%d/approve", f.houseID), nil, worker); r.Status != 404 {
		t.Fatalf("approve outside the area: %d", r.Status)
	}
	// Their own area prints.
	e.Must(200, "GET", "/api/v1/console/plates.pdf", nil, worker)
}

func TestHouses_PoliceCreatesForLandlordWhoFindsItAfterBindingPhone(t *testing.T) {
	e := apptest.New(t)
	police := e.ConsoleLogin("police1")
	var h struct {
		ID     uint64
		Status string
	}
	e.Must(201, "POST", "/api/v1/console/houses", map[string]any{
		"address": "余姚市阳明街道新建路5号", "area_id": areaID(t, e, "新建社区"),
		"landlord_phone": "13700001111", "landlord_name": "赵六",
	}, police).Data(t, &h)
	if h.Status != "approved" {
		t.Fatalf("status %q", h.Status)
	}
	if r := e.Do("POST", "/api/v1/console/houses", map[string]any{
		"address": "余姚市阳明街道新建路5号", "area_id": areaID(t, e, "新建社区"), "landlord_phone": "123", "landlord_name": "赵六",
	}, police); r.Status != 422 || r.Reason != "invalid_landlord_phone" {
		t.Fatalf("bad phone: %d %s", r.Status, r.Body)
	}
	if r := e.Do("POST", "/api/v1/console/houses", map[string]any{
		"address": "余姚市凤山街道城西路99号", "area_id": areaID(t, e, "城西社区"), "landlord_phone": "13700001111", "landlord_name": "赵六",
	}, police); r.Status != 422 {
		t.Fatalf("police1 outside their town: %d %s", r.Status, r.Body)
	}
	if r := e.Do("POST", "/api/v1/console/houses", map[string]any{}, e.ConsoleLogin("worker1")); r.Status != 403 {
		t.Fatalf("worker creating a house: %d", r.Status)
	}
	landlord := e.WxLogin("zhao")
	var houses []any
	e.Must(200, "GET", "/api/v1/landlord/houses", nil, landlord).Data(t, &houses)
	if len(houses) != 0 {
		t.Fatal("house visible before the phone is bound")
	}
	e.Must(200, "POST", "/api/v1/wx/phone", map[string]string{"code": "phone_13700001111"}, landlord)
	e.Must(200, "GET", "/api/v1/landlord/houses", nil, landlord).Data(t, &houses)
	if len(houses) != 1 {
		t.Fatalf("landlord sees %d houses after binding", len(houses))
	}
}

func TestHouses_BadInputIsExplained(t *testing.T) {
	e := apptest.New(t)
	landlord := e.WxLogin("bad")
	for _, c := range []struct {
		body   map[string]any
		reason string
	}{
		{map[string]any{"address": "短", "area_id": areaID(t, e, "舜水社区")}, "invalid_address"},
		{map[string]any{"address": "余姚市阳明街道舜水北路1号", "area_id": areaID(t, e, "阳明街道")}, "invalid_area_id"},
		{map[string]any{"address": "余姚市阳明街道舜水北路1号", "area_id": 999999}, "invalid_area_id"},
		{map[string]any{"address": "余姚市阳明街道舜水北路1号", "area_id": "x"}, "invalid_area_id"},
	} {
		r := e.Do("POST", "/api/v1/landlord/houses", c.body, landlord)
		if r.Status != 422 || r.Reason != c.reason || r.Msg == "" {
			t.Fatalf("%v: %d %s", c.body, r.Status, r.Body)
		}
	}
}

func TestScan_RateLimitedPerUserAndAddress(t *testing.T) {
	e := apptest.New(t, apptest.WithConfig(func(c *config.Config) { c.ScanRateLimit = 5 }))
	f := approvedHouse(t, e, "rl", "舜水社区", 1, 2)
	tenant := e.WxLogin("prober")
	limited := 0
	for i := 0; i < 8; i++ {
		r := e.Do("GET", "/api/v1/scan/"+f.units[0].Scene, nil, tenant)
		if r.Status == 429 && r.Reason == "rate_limited" {
			limited++
		}
	}
	if limited != 3 {
		t.Fatalf("%d of 8 scans limited, want 3 past the limit of 5", limited)
	}
	// Another user from the same address is limited too: it is one prober.
	if r := e.Do("GET", "/api/v1/scan/"+f.units[0].Scene, nil, e.WxLogin("second")); r.Status != 429 {
		t.Fatalf("same address, new user: %d", r.Status)
	}
}
