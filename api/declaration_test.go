package api_test

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"gorm.io/gorm"

	"yaoju/app/apptest"
	"yaoju/model"
	"yaoju/service/pii"
)

// idNumber makes a valid 18-digit ID number from a 17-digit body.
func idNumber(body17 string) string { return pii.CompleteIDNumber(body17) }

const (
	aliceID = "33028119900101002" // + check digit
	bobID   = "11010519850315123"
)

func today() string { return time.Now().In(model.Shanghai).Format("2006-01-02") }

func declaration(scene, id string) map[string]any {
	return map[string]any{
		"scene": scene, "name": "张三丰", "id_number": idNumber(id), "phone": "13812345678",
		"hometown": "安徽省阜阳市", "workplace": "余姚某某电器厂", "move_in_date": today(), "relation": "本人",
	}
}

type residenceJSON struct {
	ID             uint64 `json:"id"`
	UnitID         uint64 `json:"unit_id"`
	Address        string `json:"address"`
	RoomNo         string `json:"room_no"`
	Name           string `json:"name"`
	IDNumberMasked string `json:"id_number_masked"`
	PhoneMasked    string `json:"phone_masked"`
	Workplace      string `json:"workplace"`
	MoveInDate     string `json:"move_in_date"`
	DeclaredAt     string `json:"declared_at"`
	Late           bool   `json:"late"`
	Status         string `json:"status"`
	EndReason      string `json:"end_reason"`
	NextCheckinDue string `json:"next_checkin_due"`
	Tier           string `json:"tier"`
}

func declare(t *testing.T, e *apptest.Env, token string, body map[string]any, want int) residenceJSON {
	t.Helper()
	var r residenceJSON
	e.Must(want, "POST", "/api/v1/declarations", body, token).Data(t, &r)
	return r
}

func TestDeclaration_DeclareRedeclareMoveLeaveDeregister(t *testing.T) {
	e := apptest.New(t)
	first := approvedHouse(t, e, "one", "舜水社区", 1, 2)
	second := approvedHouse(t, e, "two", "新建社区", 2, 2)
	tenant := e.WxLogin("alice")

	r := declare(t, e, tenant, declaration(first.units[0].Scene, aliceID), 201)
	full := idNumber(aliceID)
	if r.Status != "active" || r.IDNumberMasked != pii.MaskIDNumber(full) || r.PhoneMasked != "138****5678" ||
		r.Address == "" || r.RoomNo != first.units[0].RoomNo || r.NextCheckinDue == "" || r.Late || r.MoveInDate != today() {
		t.Fatalf("declared: %+v", r)
	}
	// The scan now shows the tenant's residence.
	scan := e.Must(200, "GET", "/api/v1/scan/"+first.units[0].Scene, nil, tenant).Map(t)
	if mine, ok := scan["my_residence"].(map[string]any); !ok || uint64(mine["id"].(float64)) != r.ID {
		t.Fatalf("scan after declaring: %v", scan)
	}

	again := declare(t, e, tenant, declaration(first.units[0].Scene, aliceID), 200)
	if again.ID != r.ID {
		t.Fatalf("re-declaring made residence %d, want %d back", again.ID, r.ID)
	}

	moved := declare(t, e, tenant, declaration(second.units[0].Scene, aliceID), 201)
	var mine struct{ Items []residenceJSON }
	e.Must(200, "GET", "/api/v1/me/residences", nil, tenant).Data(t, &mine)
	if len(mine.Items) != 2 {
		t.Fatalf("residences: %+v", mine.Items)
	}
	for _, it := range mine.Items {
		switch it.ID {
		case r.ID:
			if it.Status != "ended" || it.EndReason != "moved" {
				t.Fatalf("old residence: %+v", it)
			}
		case moved.ID:
			if it.Status != "active" {
				t.Fatalf("new residence: %+v", it)
			}
		}
	}
	// The old landlord is told.
	var notices []model.Notification
	e.App.DB.Where("residence_id = ? AND template = ?", r.ID, "tenant_moved").Find(&notices)
	if len(notices) != 1 {
		t.Fatalf("old landlord notices: %d", len(notices))
	}
	// The old landlord no longer lists the tenant.
	var residents []residenceJSON
	e.Must(200, "GET", fmt.Sprintf("/api/v1/landlord/units/%d/residents", first.units[0].ID), nil, first.landlord).Data(t, &residents)
	if len(residents) != 0 {
		t.Fatalf("old unit residents: %+v", residents)
	}

	left := e.Must(200, "POST", fmt.Sprintf("/api/v1/me/residences/%d/leave", moved.ID), nil, tenant)
	var leftRes residenceJSON
	left.Data(t, &leftRes)
	if leftRes.Status != "ended" || leftRes.EndReason != "left" {
		t.Fatalf("left: %+v", leftRes)
	}
	if r := e.Do("POST", fmt.Sprintf("/api/v1/me/residences/%d/leave", moved.ID), nil, tenant); r.Status != 409 || r.Reason != "not_active" {
		t.Fatalf("leaving twice: %d %s", r.Status, r.Body)
	}

	// A landlord de-registers another tenant.
	bob := e.WxLogin("bob")
	bobRes := declare(t, e, bob, declaration(second.units[1].Scene, bobID), 201)
	e.Must(200, "GET", fmt.Sprintf("/api/v1/landlord/units/%d/residents", second.units[1].ID), nil, second.landlord).Data(t, &residents)
	if len(residents) != 1 || residents[0].Name != "张**" || !strings.Contains(residents[0].IDNumberMasked, "****") {
		t.Fatalf("landlord's view: %+v", residents)
	}
	var dereg residenceJSON
	e.Must(200, "POST", fmt.Sprintf("/api/v1/landlord/residences/%d/deregister", bobRes.ID), map[string]any{"reason": "合同到期搬走"}, second.landlord).Data(t, &dereg)
	if dereg.Status != "ended" {
		t.Fatalf("deregistered: %+v", dereg)
	}
	// Every ending removed the residence from the schedule.
	for _, id := range []uint64{r.ID, moved.ID, bobRes.ID} {
		if n := scheduled(t, e, id); n != 0 {
			t.Fatalf("ended residence %d still scheduled", id)
		}
	}
}

// scheduled counts the schedule entries of a residence.
func scheduled(t *testing.T, e *apptest.Env, residenceID uint64) int {
	t.Helper()
	n := 0
	for _, stage := range []string{"due", "escalate"} {
		key := e.App.Config.RedisPrefix + "{sched}:" + stage
		if _, err := e.App.Redis.ZScore(t.Context(), key, fmt.Sprint(residenceID)).Result(); err == nil {
			n++
		}
	}
	return n
}

func TestDeclaration_LateIsAcceptedAndMarked(t *testing.T) {
	e := apptest.New(t)
	f := approvedHouse(t, e, "late", "舜水社区", 1, 2)
	body := declaration(f.units[0].Scene, aliceID)
	body["move_in_date"] = time.Now().In(model.Shanghai).AddDate(0, 0, -5).Format("2006-01-02")
	r := declare(t, e, e.WxLogin("late"), body, 201)
	if !r.Late {
		t.Fatal("a declaration 5 days after moving in is not marked late")
	}
	var tasks int64
	e.App.DB.Model(&model.Task{}).Where("residence_id = ? AND type = ?", r.ID, model.TaskLateDeclaration).Count(&tasks)
	if tasks != 1 {
		t.Fatalf("late_declaration tasks: %d", tasks)
	}
}

func TestDeclaration_InvalidFieldsAreExplained(t *testing.T) {
	e := apptest.New(t)
	f := approvedHouse(t, e, "val", "舜水社区", 1, 2)
	tenant := e.WxLogin("val")
	full := idNumber(aliceID)
	bad := func(field string, value any) map[string]any {
		b := declaration(f.units[0].Scene, aliceID)
		b[field] = value
		return b
	}
	cases := []struct {
		name   string
		body   map[string]any
		status int
		reason string
	}{
		{"bad checksum", bad("id_number", full[:17]+map[bool]string{true: "1", false: "2"}[full[17] != '1']), 422, "invalid_id_number"},
		{"bad birth date", bad("id_number", idNumber("33028119990230002")), 422, "invalid_id_number"},
		{"legacy 15 digits", bad("id_number", "330281900101002"), 422, "invalid_id_number"},
		{"empty id", bad("id_number", ""), 422, "invalid_id_number"},
		{"landline phone", bad("phone", "0574-62345678"), 422, "invalid_phone"},
		{"short phone", bad("phone", "1381234567"), 422, "invalid_phone"},
		{"future move-in", bad("move_in_date", time.Now().AddDate(0, 0, 3).Format("2006-01-02")), 422, "invalid_move_in_date"},
		{"move-in too old", bad("move_in_date", time.Now().AddDate(-2, 0, 0).Format("2006-01-02")), 422, "invalid_move_in_date"},
		{"move-in not a date", bad("move_in_date", "2026/12/01"), 422, "invalid_move_in_date"},
		{"name too short", bad("name", "张"), 422, "invalid_name"},
		{"name with digits", bad("name", "张三3"), 422, "invalid_name"},
		{"hometown too long", bad("hometown", strings.Repeat("省", 101)), 422, "invalid_hometown"},
		{"relation not in the list", bad("relation", "老板"), 422, "invalid_relation"},
		{"unknown scene", bad("scene", "AAAAAAAAAAAAAAAA"), 404, "not_found"},
		{"phone as a number", bad("phone", 13812345678), 422, "invalid_phone"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			r := e.Do("POST", "/api/v1/declarations", c.body, tenant)
			if r.Status != c.status || r.Reason != c.reason || !containsHan(r.Msg) {
				t.Fatalf("got %d %s", r.Status, r.Body)
			}
		})
	}
	var n int64
	e.App.DB.Model(&model.Residence{}).Count(&n)
	if n != 0 {
		t.Fatalf("%d residences written by invalid declarations", n)
	}
}

func containsHan(s string) bool {
	for _, r := range s {
		if r >= 0x4e00 && r <= 0x9fff {
			return true
		}
	}
	return false
}

func TestDeclaration_PendingHouseRefused(t *testing.T) {
	e := apptest.New(t)
	landlord := e.WxLogin("pend")
	var h struct{ ID uint64 }
	e.Must(201, "POST", "/api/v1/landlord/houses", map[string]any{"address": "余姚市阳明街道待审路1号", "area_id": areaID(t, e, "舜水社区")}, landlord).Data(t, &h)
	var u unitJSON
	e.Must(201, "POST", fmt.Sprintf("/api/v1/landlord/houses/%d/units", h.ID), map[string]any{"room_no": "1", "capacity": 1}, landlord).Data(t, &u)
	r := e.Do("POST", "/api/v1/declarations", declaration(u.Scene, aliceID), e.WxLogin("t"))
	if r.Status != 409 || r.Reason != "not_approved" {
		t.Fatalf("declaring in a pending house: %d %s", r.Status, r.Body)
	}
}

func TestDeclaration_OtherTenantAndLandlordGet404AndChangeNothing(t *testing.T) {
	e := apptest.New(t)
	f := approvedHouse(t, e, "authz", "舜水社区", 1, 2)
	alice := e.WxLogin("alice")
	r := declare(t, e, alice, declaration(f.units[0].Scene, aliceID), 201)
	mallory := e.WxLogin("mallory")
	otherLandlord := approvedHouse(t, e, "other", "舜水社区", 1, 2).landlord
	attempts := []struct {
		token, method, path string
		body                any
	}{
		{mallory, "PATCH", fmt.Sprintf("/api/v1/me/residences/%d", r.ID), map[string]any{"phone": "13900000000"}},
		{mallory, "POST", fmt.Sprintf("/api/v1/me/residences/%d/checkin", r.ID), map[string]any{"scene": f.units[0].Scene}},
		{mallory, "POST", fmt.Sprintf("/api/v1/me/residences/%d/leave", r.ID), nil},
		{otherLandlord, "GET", fmt.Sprintf("/api/v1/landlord/units/%d/residents", f.units[0].ID), nil},
		{otherLandlord, "POST", fmt.Sprintf("/api/v1/landlord/residences/%d/deregister", r.ID), map[string]any{"reason": "x"}},
		{alice, "POST", fmt.Sprintf("/api/v1/landlord/residences/%d/deregister", r.ID), map[string]any{"reason": "x"}},
	}
	for _, a := range attempts {
		if res := e.Do(a.method, a.path, a.body, a.token); res.Status != 404 {
			t.Fatalf("%s %s: %d %s", a.method, a.path, res.Status, res.Body)
		}
	}
	var mine struct{ Items []residenceJSON }
	e.Must(200, "GET", "/api/v1/me/residences", nil, mallory).Data(t, &mine)
	if len(mine.Items) != 0 {
		t.Fatalf("mallory lists %+v", mine.Items)
	}
	var after model.Residence
	e.App.DB.First(&after, r.ID)
	if after.Status != "active" || after.Phone != "13812345678" || after.LastCheckinAt != nil {
		t.Fatalf("residence changed by others: %+v", after)
	}
	// Someone else declaring Alice's ID number, in her unit or elsewhere, is
	// refused: it would move her out.
	elsewhere := approvedHouse(t, e, "elsewhere", "新建社区", 1, 2)
	for _, scene := range []string{f.units[0].Scene, elsewhere.units[0].Scene} {
		if res := e.Do("POST", "/api/v1/declarations", declaration(scene, aliceID), mallory); res.Status != 409 {
			t.Fatalf("declaring another's ID number: %d %s", res.Status, res.Body)
		}
	}
	e.App.DB.First(&after, r.ID)
	if after.Status != "active" {
		t.Fatal("another user's declaration ended Alice's residence")
	}
}

func TestDeclaration_IDNumberNeverStoredOrLoggedInPlain(t *testing.T) {
	e := apptest.New(t)
	f := approvedHouse(t, e, "pii", "舜水社区", 1, 2)
	tenant := e.WxLogin("pii")
	full := idNumber(aliceID)
	r := declare(t, e, tenant, declaration(f.units[0].Scene, aliceID), 201)
	bodies := [][]byte{
		e.Must(200, "GET", "/api/v1/me/residences", nil, tenant).Body,
		e.Must(200, "GET", "/api/v1/scan/"+f.units[0].Scene, nil, tenant).Body,
		e.Must(200, "GET", fmt.Sprintf("/api/v1/landlord/units/%d/residents", f.units[0].ID), nil, f.landlord).Body,
		e.Must(200, "PATCH", fmt.Sprintf("/api/v1/me/residences/%d", r.ID), map[string]any{"workplace": "新单位"}, tenant).Body,
	}
	for _, b := range bodies {
		if strings.Contains(string(b), full) || strings.Contains(string(b), "13812345678") {
			t.Fatalf("full ID or phone in a response: %s", b)
		}
	}
	if strings.Contains(e.Logs.String(), full) || strings.Contains(e.Logs.String(), "13812345678") {
		t.Fatal("full ID number or phone in the logs")
	}
	// The person row holds ciphertext and a blind index, nothing readable.
	var p model.Person
	e.App.DB.First(&p)
	if strings.Contains(string(p.IDCipher), full) || p.IDIndex == full || p.IDMasked != pii.MaskIDNumber(full) {
		t.Fatalf("person row: %+v", p)
	}
	if plain, err := e.App.Sealer.Open(p.IDCipher); err != nil || plain != full {
		t.Fatalf("ciphertext does not open to the number: %v", err)
	}
	if apptest.MySQL() {
		return
	}
	// The SQLite files on disk (database and write-ahead log) never hold it.
	files, _ := filepath.Glob(filepath.Join(e.App.Config.DataDir, "yaoju.db*"))
	if len(files) == 0 {
		t.Fatal("no database file")
	}
	for _, name := range files {
		raw, _ := os.ReadFile(name)
		if strings.Contains(string(raw), full) || strings.Contains(string(raw), full[:17]) {
			t.Fatalf("plain ID number in %s", name)
		}
	}
}

func TestDeclaration_FailureHalfwayLeavesNoRows(t *testing.T) {
	e := apptest.New(t)
	first := approvedHouse(t, e, "tx1", "舜水社区", 1, 2)
	second := approvedHouse(t, e, "tx2", "舜水社区", 1, 2)
	tenant := e.WxLogin("tx")
	old := declare(t, e, tenant, declaration(first.units[0].Scene, aliceID), 201)

	counts := func() map[string]int64 {
		out := map[string]int64{}
		for _, table := range []string{"persons", "residences", "notifications", "tasks", "audits"} {
			var n int64
			e.App.DB.Table(table).Count(&n)
			out[table] = n
		}
		return out
	}
	before := counts()
	// The database refuses the last insert of the declaration: its audit row.
	injected := errors.New("injected failure")
	err := e.App.DB.Callback().Create().Before("gorm:create").Register("test:fail_audit", func(db *gorm.DB) {
		if db.Statement.Table == "audits" {
			db.AddError(injected)
		}
	})
	if err != nil {
		t.Fatal(err)
	}
	body := declaration(second.units[0].Scene, aliceID)
	body["move_in_date"] = time.Now().AddDate(0, 0, -10).Format("2006-01-02") // late: a task too
	if r := e.Do("POST", "/api/v1/declarations", body, tenant); r.Status != 500 || r.Reason != "internal" {
		t.Fatalf("with the failure injected: %d %s", r.Status, r.Body)
	}
	e.App.DB.Callback().Create().Remove("test:fail_audit")
	if after := counts(); fmt.Sprint(after) != fmt.Sprint(before) {
		t.Fatalf("rows changed: %v -> %v", before, after)
	}
	var still model.Residence
	e.App.DB.First(&still, old.ID)
	if still.Status != "active" {
		t.Fatal("the old residence ended although the move failed")
	}
	if strings.Contains(e.Logs.String(), idNumber(aliceID)) {
		t.Fatal("the failure logged the ID number")
	}
}
