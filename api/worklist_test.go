package api_test

import (
	"bytes"
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/xuri/excelize/v2"

	"yaoju/app/apptest"
	"yaoju/model"
	"yaoju/service/pii"
)

type taskJSON struct {
	ID          uint64  `json:"id"`
	Type        string  `json:"type"`
	Status      string  `json:"status"`
	AreaID      uint64  `json:"area_id"`
	ResidenceID *uint64 `json:"residence_id"`
	UnitID      *uint64 `json:"unit_id"`
	Tier        string  `json:"tier"`
	Outcome     string  `json:"outcome"`
	Address     string  `json:"address"`
	RoomNo      string  `json:"room_no"`
	Name        string  `json:"name"`
}

func tasksOf(t *testing.T, e *apptest.Env, token, query string) []taskJSON {
	t.Helper()
	var page struct {
		Items []taskJSON `json:"items"`
		Total int        `json:"total"`
	}
	e.Must(200, "GET", "/api/v1/console/tasks?"+query, nil, token).Data(t, &page)
	return page.Items
}

func countTasks(e *apptest.Env, taskType string) int64 {
	return countRows(e, &model.Task{}, "type = ?", taskType)
}

func TestRule_OverdueCheckinOpensOnce(t *testing.T) {
	e := apptest.New(t)
	f := approvedHouse(t, e, "od", "舜水社区", 1, 2)
	r := declare(t, e, e.WxLogin("alice"), declaration(f.units[0].Scene, aliceID), 201)
	e.Clock.Advance(e.App.Config.CheckinPeriod + e.App.Config.CheckinGrace + time.Minute)
	for i := 0; i < 2; i++ {
		if _, err := e.App.Sweeper.Sweep(context.Background()); err != nil {
			t.Fatal(err)
		}
		if _, err := e.App.Keeper.Rebuild(context.Background()); err != nil { // as after a Redis loss
			t.Fatal(err)
		}
	}
	if _, err := e.App.Sweeper.Sweep(context.Background()); err != nil {
		t.Fatal(err)
	}
	if n := countRows(e, &model.Task{}, "type = ? AND residence_id = ?", model.TaskOverdueCheckin, r.ID); n != 1 {
		t.Fatalf("%d overdue tasks", n)
	}
}

func TestRule_ExpiredOpensOnce(t *testing.T) {
	e := apptest.New(t)
	f := approvedHouse(t, e, "exp", "舜水社区", 1, 2)
	declare(t, e, e.WxLogin("alice"), declaration(f.units[0].Scene, aliceID), 201)
	if n, _ := e.App.Comparer.Expired(context.Background()); n != 0 {
		t.Fatalf("a fresh residence expired: %d", n)
	}
	e.Clock.Advance(366 * 24 * time.Hour)
	for i := 0; i < 2; i++ {
		if _, err := e.App.Comparer.Expired(context.Background()); err != nil {
			t.Fatal(err)
		}
	}
	if n := countTasks(e, model.TaskExpired); n != 1 {
		t.Fatalf("%d expired tasks", n)
	}
}

func TestRule_InfoChangedOpensOnceWhileOpenAndAgainAfterClosing(t *testing.T) {
	e := apptest.New(t)
	f := approvedHouse(t, e, "info", "舜水社区", 1, 2)
	alice := e.WxLogin("alice")
	r := declare(t, e, alice, declaration(f.units[0].Scene, aliceID), 201)
	path := fmt.Sprintf("/api/v1/me/residences/%d", r.ID)
	// No change, no task.
	e.Must(200, "PATCH", path, map[string]any{"phone": "13812345678"}, alice)
	if n := countTasks(e, model.TaskInfoChanged); n != 0 {
		t.Fatalf("unchanged phone opened %d", n)
	}
	e.Must(200, "PATCH", path, map[string]any{"phone": "13900009999"}, alice)
	e.Must(200, "PATCH", path, map[string]any{"workplace": "另一家工厂"}, alice)
	if n := countTasks(e, model.TaskInfoChanged); n != 1 {
		t.Fatalf("%d info_changed tasks while one is open", n)
	}
	if r := e.Do("PATCH", path, map[string]any{"phone": "12345"}, alice); r.Status != 422 || r.Reason != "invalid_phone" {
		t.Fatalf("bad phone: %d %s", r.Status, r.Body)
	}
	worker := e.ConsoleLogin("worker1")
	task := tasksOf(t, e, worker, "type=info_changed")[0]
	e.Must(200, "POST", fmt.Sprintf("/api/v1/console/tasks/%d/close", task.ID), map[string]any{"outcome": "corrected", "note": "已核实"}, worker)
	e.Must(200, "PATCH", path, map[string]any{"workplace": "第三家工厂"}, alice)
	if n := countTasks(e, model.TaskInfoChanged); n != 2 {
		t.Fatalf("a change after closing opened %d in all, want 2", n)
	}
}

func TestRule_UnregisteredFromLandlordAndWorkerIsOneCase(t *testing.T) {
	e := apptest.New(t)
	f := approvedHouse(t, e, "unreg", "舜水社区", 1, 4)
	declare(t, e, e.WxLogin("alice"), declaration(f.units[0].Scene, aliceID), 201)
	occupancy := fmt.Sprintf("/api/v1/landlord/units/%d/occupancy", f.units[0].ID)
	e.Must(200, "POST", occupancy, map[string]any{"occupants": 1}, f.landlord)
	if n := countTasks(e, model.TaskUnregistered); n != 0 {
		t.Fatalf("matching occupancy opened %d", n)
	}
	e.Must(200, "POST", occupancy, map[string]any{"occupants": 3}, f.landlord)
	e.Must(200, "POST", occupancy, map[string]any{"occupants": 3}, f.landlord)
	worker := e.ConsoleLogin("worker1")
	var reported taskJSON
	e.Must(201, "POST", "/api/v1/console/reports/unregistered", map[string]any{"unit_id": f.units[0].ID, "note": "走访发现2人未登记"}, worker).Data(t, &reported)
	if n := countTasks(e, model.TaskUnregistered); n != 1 || reported.Type != "unregistered" {
		t.Fatalf("%d unregistered tasks; reported %+v", n, reported)
	}
	if r := e.Do("POST", occupancy, map[string]any{"occupants": -1}, f.landlord); r.Status != 422 || r.Reason != "invalid_occupants" {
		t.Fatalf("negative occupants: %d %s", r.Status, r.Body)
	}
}

func TestRule_OvercrowdedOpensOnce(t *testing.T) {
	e := apptest.New(t)
	f := approvedHouse(t, e, "crowd", "舜水社区", 1, 1)
	declare(t, e, e.WxLogin("alice"), declaration(f.units[0].Scene, aliceID), 201)
	if n := countTasks(e, model.TaskOvercrowded); n != 0 {
		t.Fatal("one resident in a room for one is overcrowded")
	}
	declare(t, e, e.WxLogin("bob"), declaration(f.units[0].Scene, bobID), 201)
	declare(t, e, e.WxLogin("carol"), declaration(f.units[0].Scene, "44030619920815123"), 201)
	if n := countTasks(e, model.TaskOvercrowded); n != 1 {
		t.Fatalf("%d overcrowded tasks", n)
	}
}

func TestRule_LateDeclarationOpensOnce(t *testing.T) {
	e := apptest.New(t)
	f := approvedHouse(t, e, "latedecl", "舜水社区", 1, 2)
	alice := e.WxLogin("alice")
	body := declaration(f.units[0].Scene, aliceID)
	body["move_in_date"] = time.Now().In(model.Shanghai).AddDate(0, 0, -10).Format("2006-01-02")
	declare(t, e, alice, body, 201)
	declare(t, e, alice, body, 200)
	if n := countTasks(e, model.TaskLateDeclaration); n != 1 {
		t.Fatalf("%d late_declaration tasks", n)
	}
}

// overdueTask declares in a house and lets the check-in run overdue, so
// that the worker has a residence task.
func overdueTask(t *testing.T, e *apptest.Env, landlord, tenant, id, community string) (residenceJSON, taskJSON) {
	t.Helper()
	f := approvedHouse(t, e, landlord, community, 1, 2)
	r := declare(t, e, e.WxLogin(tenant), declaration(f.units[0].Scene, id), 201)
	var row model.Residence
	e.App.DB.First(&row, r.ID)
	e.App.DB.Model(&row).Update("next_checkin_due", e.Clock.Now().Add(-e.App.Config.CheckinGrace-time.Hour))
	e.App.Keeper.Rebuild(context.Background())
	if _, err := e.App.Sweeper.Sweep(context.Background()); err != nil {
		t.Fatal(err)
	}
	var task model.Task
	if err := e.App.DB.Where("residence_id = ? AND type = ?", r.ID, model.TaskOverdueCheckin).First(&task).Error; err != nil {
		t.Fatalf("no overdue task: %v", err)
	}
	return r, taskJSON{ID: task.ID, ResidenceID: task.ResidenceID, AreaID: task.AreaID}
}

func TestClose_EachOutcomeChangesTheResidence(t *testing.T) {
	e := apptest.New(t)
	worker := e.ConsoleLogin("worker1")
	closeTask := func(task taskJSON, body map[string]any) taskJSON {
		var out taskJSON
		e.Must(200, "POST", fmt.Sprintf("/api/v1/console/tasks/%d/close", task.ID), body, worker).Data(t, &out)
		if out.Status != "closed" || out.Outcome != body["outcome"] {
			t.Fatalf("closed task: %+v", out)
		}
		return out
	}
	load := func(id uint64) model.Residence {
		var r model.Residence
		e.App.DB.First(&r, id)
		return r
	}

	r1, t1 := overdueTask(t, e, "o1", "t1", "33028119900101001", "舜水社区")
	var started taskJSON
	e.Must(200, "POST", fmt.Sprintf("/api/v1/console/tasks/%d/start", t1.ID), nil, worker).Data(t, &started)
	if started.Status != "in_progress" {
		t.Fatalf("started: %+v", started)
	}
	closeTask(t1, map[string]any{"outcome": "still_living", "note": "本人在家"})
	got := load(r1.ID)
	if got.Status != "active" || got.NextCheckinDue == nil || !got.NextCheckinDue.After(e.Clock.Now()) || scheduled(t, e, r1.ID) != 1 {
		t.Fatalf("still_living: %+v, scheduled %d", got, scheduled(t, e, r1.ID))
	}
	if n := countRows(e, &model.Checkin{}, "residence_id = ? AND source = ?", r1.ID, "worker"); n != 1 {
		t.Fatalf("worker check-ins: %d", n)
	}
	if r := e.Do("POST", fmt.Sprintf("/api/v1/console/tasks/%d/close", t1.ID), map[string]any{"outcome": "left"}, worker); r.Status != 409 {
		t.Fatalf("closing twice: %d", r.Status)
	}

	r2, t2 := overdueTask(t, e, "o2", "t2", "33028119900101002", "舜水社区")
	closeTask(t2, map[string]any{"outcome": "left", "note": "已搬走"})
	if got := load(r2.ID); got.Status != "ended" || got.EndReason != "left" || got.EndedBy != "worker" || scheduled(t, e, r2.ID) != 0 {
		t.Fatalf("left: %+v", got)
	}

	r3, t3 := overdueTask(t, e, "o3", "t3", "33028119900101003", "舜水社区")
	closeTask(t3, map[string]any{"outcome": "corrected", "note": "换了手机号", "corrections": map[string]any{"phone": "13600001111"}})
	if got := load(r3.ID); got.Phone != "13600001111" || got.Status != "active" {
		t.Fatalf("corrected: %+v", got)
	}

	r4, t4 := overdueTask(t, e, "o4", "t4", "33028119900101004", "舜水社区")
	closeTask(t4, map[string]any{"outcome": "not_found"})
	if got := load(r4.ID); got.Status != "active" {
		t.Fatalf("not_found changed the residence: %+v", got)
	}
	if r := e.Do("POST", fmt.Sprintf("/api/v1/console/tasks/%d/close", t4.ID+1000), map[string]any{"outcome": "maybe"}, worker); r.Status != 422 || r.Reason != "invalid_outcome" {
		t.Fatalf("bad outcome: %d %s", r.Status, r.Body)
	}
}

func TestWorklist_WorkerSeesOnlyTheirCommunity(t *testing.T) {
	e := apptest.New(t)
	_, mine := overdueTask(t, e, "a", "ta", "33028119900101005", "舜水社区")
	theirsRes, theirs := overdueTask(t, e, "b", "tb", "33028119900101006", "新建社区")
	worker := e.ConsoleLogin("worker1") // 舜水社区
	list := tasksOf(t, e, worker, "")
	if len(list) == 0 {
		t.Fatal("worker sees no tasks")
	}
	for _, task := range list {
		if task.ID == theirs.ID {
			t.Fatal("worker lists another community's task")
		}
	}
	if list := tasksOf(t, e, worker, fmt.Sprintf("area_id=%d", theirs.AreaID)); len(list) != 0 {
		t.Fatalf("filtering by another community shows %d", len(list))
	}
	for _, c := range []struct{ method, path string }{
		{"POST", fmt.Sprintf("/api/v1/console/tasks/%d/start", theirs.ID)},
		{"POST", fmt.Sprintf("/api/v1/console/tasks/%d/close", theirs.ID)},
		{"GET", fmt.Sprintf("/api/v1/console/residences/%d", theirsRes.ID)},
		{"GET", fmt.Sprintf("/api/v1/console/residences/%d/id-number", theirsRes.ID)},
	} {
		if r := e.Do(c.method, c.path, map[string]any{"outcome": "left"}, worker); r.Status != 404 && r.Status != 403 {
			t.Fatalf("%s %s: %d %s", c.method, c.path, r.Status, r.Body)
		}
	}
	var notices struct{ Items []any }
	e.Must(200, "GET", fmt.Sprintf("/api/v1/console/notifications?residence_id=%d", theirsRes.ID), nil, worker).Data(t, &notices)
	if len(notices.Items) != 0 {
		t.Fatalf("worker sees another community's notifications: %v", notices.Items)
	}
	var residences struct{ Items []residenceJSON }
	e.Must(200, "GET", "/api/v1/console/residences", nil, worker).Data(t, &residences)
	for _, r := range residences.Items {
		if r.ID == theirsRes.ID {
			t.Fatal("worker lists another community's residence")
		}
	}
	var still model.Task
	e.App.DB.First(&still, theirs.ID)
	if still.Status != "open" {
		t.Fatal("another community's task changed")
	}
	// police1 covers both communities of the town.
	police := tasksOf(t, e, e.ConsoleLogin("police1"), "")
	if len(police) < 2 {
		t.Fatalf("police sees %d tasks", len(police))
	}
	if list := tasksOf(t, e, worker, ""); list[0].ID != mine.ID && list[len(list)-1].ID != mine.ID {
		t.Fatal("worker does not see their own task")
	}
}

func TestWorklist_WorstTierFirst(t *testing.T) {
	e := apptest.New(t)
	_, a := overdueTask(t, e, "w1", "w1", "33028119900101007", "舜水社区")
	_, b := overdueTask(t, e, "w2", "w2", "33028119900101008", "舜水社区")
	e.App.DB.Model(&model.Task{}).Where("id = ?", a.ID).Updates(map[string]any{"tier": "green", "tier_rank": 2})
	e.App.DB.Model(&model.Task{}).Where("id = ?", b.ID).Updates(map[string]any{"tier": "red", "tier_rank": 0})
	list := tasksOf(t, e, e.ConsoleLogin("worker1"), "type=overdue_checkin")
	if len(list) != 2 || list[0].ID != b.ID || list[0].Tier != "red" {
		t.Fatalf("order: %+v", list)
	}
	if list[0].Address == "" || list[0].RoomNo == "" || list[0].Name != "张三丰" {
		t.Fatalf("the task does not say where or who: %+v", list[0])
	}
}

func TestConsoleResidences_SearchAndAuditedIDNumber(t *testing.T) {
	e := apptest.New(t)
	f := approvedHouse(t, e, "search", "舜水社区", 1, 2)
	r := declare(t, e, e.WxLogin("alice"), declaration(f.units[0].Scene, aliceID), 201)
	police := e.ConsoleLogin("police1")
	for _, q := range []string{idNumber(aliceID), "13812345678", "5678", "张三", "search路"} {
		var page struct{ Items []residenceJSON }
		e.Must(200, "GET", "/api/v1/console/residences?q="+q, nil, police).Data(t, &page)
		if len(page.Items) != 1 || page.Items[0].ID != r.ID {
			t.Fatalf("search %q: %+v", q, page.Items)
		}
	}
	detail := e.Must(200, "GET", fmt.Sprintf("/api/v1/console/residences/%d", r.ID), nil, police)
	for _, field := range []string{`"checkins"`, `"notifications"`, `"tasks"`} {
		if !strings.Contains(string(detail.Body), field) {
			t.Fatalf("detail lacks %s: %s", field, detail.Body)
		}
	}
	if strings.Contains(string(detail.Body), idNumber(aliceID)) {
		t.Fatal("detail shows the full ID number")
	}
	// Workers may not read the full number at all.
	if r := e.Do("GET", fmt.Sprintf("/api/v1/console/residences/%d/id-number", r.ID), nil, e.ConsoleLogin("worker1")); r.Status != 403 {
		t.Fatalf("worker reading the ID: %d", r.Status)
	}
	full := e.Must(200, "GET", fmt.Sprintf("/api/v1/console/residences/%d/id-number", r.ID), nil, police).Map(t)
	if full["id_number"] != idNumber(aliceID) {
		t.Fatalf("id-number: %v", full)
	}
	var audit struct {
		Items []map[string]any `json:"items"`
	}
	e.Must(200, "GET", "/api/v1/console/audit?action=residence.read_id_number", nil, e.ConsoleLogin("admin")).Data(t, &audit)
	if len(audit.Items) != 1 || audit.Items[0]["actor"] != "police1" || audit.Items[0]["ip"] == "" {
		t.Fatalf("audit: %+v", audit.Items)
	}
	if r := e.Do("GET", "/api/v1/console/audit", nil, police); r.Status != 403 {
		t.Fatalf("police reading the audit log: %d", r.Status)
	}
}

func TestExport_WorkbookIsMaskedScopedAndAudited(t *testing.T) {
	e := apptest.New(t)
	here := approvedHouse(t, e, "xl1", "舜水社区", 1, 2)
	there := approvedHouse(t, e, "xl2", "城西社区", 1, 2)
	declare(t, e, e.WxLogin("a"), declaration(here.units[0].Scene, aliceID), 201)
	declare(t, e, e.WxLogin("b"), declaration(there.units[0].Scene, bobID), 201)
	res := e.Must(200, "GET", "/api/v1/console/export/residences.xlsx", nil, e.ConsoleLogin("worker1"))
	book, err := excelize.OpenReader(bytes.NewReader(res.Body))
	if err != nil {
		t.Fatal(err)
	}
	rows, _ := book.GetRows("Sheet1")
	if len(rows) != 2 || rows[1][2] != pii.MaskIDNumber(idNumber(aliceID)) || rows[1][3] != "138****5678" {
		t.Fatalf("rows: %v", rows)
	}
	if strings.Contains(string(res.Body), idNumber(aliceID)) {
		t.Fatal("full ID number in the workbook")
	}
	if n := countRows(e, &model.Audit{}, "action = ? AND actor_name = ?", "residence.export", "worker1"); n != 1 {
		t.Fatalf("export audited %d times", n)
	}
}
