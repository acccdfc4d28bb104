package console_test

import (
	"fmt"
	"strconv"
	"testing"
	"time"

	"yaoju/app"
	"yaoju/app/apptest"
	"yaoju/service/pii"
)

const demoPassword = app.DemoPassword

// areas maps the demo area names to their ids, from the public tree.
func areas(t *testing.T, e *apptest.Env) map[string]uint64 {
	t.Helper()
	type node struct {
		ID       uint64 `json:"id"`
		Name     string `json:"name"`
		Children []node `json:"children"`
	}
	var tree []node
	e.Must(200, "GET", "/api/v1/areas", nil, "").Data(t, &tree)
	out := map[string]uint64{}
	var walk func(n node)
	walk = func(n node) {
		out[n.Name] = n.ID
		for _, c := range n.Children {
			walk(c)
		}
	}
	for _, n := range tree {
		walk(n)
	}
	return out
}

// The demo communities: 舜水社区 and 新建社区 are under police1's 阳明街道;
// worker1 works in 舜水社区.
const (
	commShunshui = "舜水社区"
	commXinjian  = "新建社区"
)

type unit struct {
	ID     uint64 `json:"id"`
	RoomNo string `json:"room_no"`
	Scene  string `json:"scene"`
}

// landlordHouse registers a pending house in the mini-program, as the
// landlord o_<landlord> would, and adds the rooms.
func landlordHouse(t *testing.T, e *apptest.Env, landlord, address string, areaID uint64, rooms ...string) (houseID uint64, units []unit) {
	t.Helper()
	token := e.WxLogin(landlord)
	var h struct {
		ID     uint64 `json:"id"`
		Status string `json:"status"`
	}
	e.Must(201, "POST", "/api/v1/landlord/houses", map[string]any{"address": address, "area_id": areaID}, token).Data(t, &h)
	if h.Status != "pending" {
		t.Fatalf("a landlord's new house is %q, want pending", h.Status)
	}
	for _, r := range rooms {
		var u unit
		e.Must(201, "POST", fmt.Sprintf("/api/v1/landlord/houses/%d/units", h.ID), map[string]any{"room_no": r, "capacity": 2}, token).Data(t, &u)
		units = append(units, u)
	}
	return h.ID, units
}

// approvedUnit is a unit of an approved house in the community, ready for
// declarations.
func approvedUnit(t *testing.T, e *apptest.Env, areaID uint64, address string) unit {
	t.Helper()
	houseID, units := landlordHouse(t, e, "lan_"+strconv.FormatUint(areaID, 10), address, areaID, "301")
	e.Must(200, "POST", fmt.Sprintf("/api/v1/console/houses/%d/approve", houseID), nil, e.ConsoleLogin("police1"))
	return units[0]
}

// declare has the tenant o_<tenant> scan the unit's plate and declare,
// moving in daysAgo days ago (more than 3 makes the declaration late).
func declare(t *testing.T, e *apptest.Env, tenant string, u unit, name, idNumber string, daysAgo int) uint64 {
	t.Helper()
	token := e.WxLogin(tenant)
	var r struct {
		ID uint64 `json:"id"`
	}
	e.Must(201, "POST", "/api/v1/declarations", map[string]any{
		"scene": u.Scene, "name": name, "id_number": idNumber, "phone": "13912345678",
		"hometown": "安徽省阜阳市", "workplace": "余姚市某电器厂", "relation": "租客",
		"move_in_date": e.Clock.Now().AddDate(0, 0, -daysAgo).Format(time.DateOnly),
	}, token).Data(t, &r)
	return r.ID
}

// idNumber makes a valid 18-digit ID number (region 330281, 余姚) with the
// ISO 7064 MOD 11-2 check character.
func idNumber(birth string, seq int) string {
	return pii.CompleteIDNumber(fmt.Sprintf("330281%s%03d", birth, seq%1000))
}
