package console_test

// SCRATCH: a stand-in for the endpoints not written yet, shaped by API.md,
// to look at the pages. Deleted before handing back.

import (
	"encoding/json"
	"fmt"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"yaoju/app/apptest"
)

func stub(real http.Handler) http.Handler {
	now := time.Now()
	ts := func(d time.Duration) string { return now.Add(-d).Format(time.RFC3339) }
	env := func(w http.ResponseWriter, status int, data any) {
		w.Header().Set("Content-Type", "application/json; charset=utf-8")
		w.WriteHeader(status)
		json.NewEncoder(w).Encode(map[string]any{"code": 0, "msg": "ok", "data": data})
	}
	page := func(items any, total int) map[string]any {
		return map[string]any{"items": items, "total": total, "page": 1, "page_size": 20}
	}
	tasks := []map[string]any{
		{"id": 11, "type": "overdue_checkin", "status": "open", "area_id": 4, "residence_id": 1, "unit_id": 1, "tier": "red", "opened_at": ts(50 * time.Hour), "closed_at": nil, "outcome": "", "note": ""},
		{"id": 12, "type": "info_changed", "status": "in_progress", "area_id": 4, "residence_id": 2, "unit_id": 2, "tier": "yellow", "opened_at": ts(30 * time.Hour), "closed_at": nil, "outcome": "", "note": ""},
		{"id": 13, "type": "unregistered", "status": "open", "area_id": 5, "residence_id": nil, "unit_id": 3, "tier": "green", "opened_at": ts(3 * time.Hour), "closed_at": nil, "outcome": "", "note": ""},
		{"id": 14, "type": "late_declaration", "status": "closed", "area_id": 4, "residence_id": 1, "unit_id": 1, "tier": "green", "opened_at": ts(300 * time.Hour), "closed_at": ts(200 * time.Hour), "outcome": "corrected", "note": "已现场更正工作单位<script>alert(1)</script>"},
	}
	res := []map[string]any{
		{"id": 1, "unit_id": 1, "address": "余姚市阳明街道舜水南路18号", "room_no": "301", "name": "张*", "id_number_masked": "330281********123X", "phone_masked": "139****5678", "workplace": "余姚市某电器厂", "hometown": "安徽省阜阳市", "relation": "租客", "move_in_date": "2026-06-01", "declared_at": ts(4000 * time.Hour), "late": true, "status": "active", "end_reason": "", "next_checkin_due": ts(-100 * time.Hour), "last_checkin_at": ts(600 * time.Hour), "tier": "red", "area_id": 4, "source": "scan"},
		{"id": 2, "unit_id": 2, "address": "余姚市阳明街道舜水南路20号", "room_no": "102", "name": "李*海", "id_number_masked": "330281********3421", "phone_masked": "138****0000", "status": "ended", "end_reason": "left", "ended_at": ts(48 * time.Hour), "tier": "green", "area_id": 4, "source": "worker"},
	}
	mux := http.NewServeMux()
	mux.HandleFunc("GET /api/v1/console/tasks", func(w http.ResponseWriter, r *http.Request) { env(w, 200, page(tasks, 4)) })
	mux.HandleFunc("POST /api/v1/console/tasks/{id}/start", func(w http.ResponseWriter, r *http.Request) {
		for _, t := range tasks {
			if fmt.Sprint(t["id"]) == r.PathValue("id") {
				t["status"] = "in_progress"
				env(w, 200, t)
				return
			}
		}
	})
	mux.HandleFunc("POST /api/v1/console/tasks/{id}/close", func(w http.ResponseWriter, r *http.Request) {
		var body map[string]string
		json.NewDecoder(r.Body).Decode(&body)
		for _, t := range tasks {
			if fmt.Sprint(t["id"]) == r.PathValue("id") {
				t["status"], t["outcome"], t["note"], t["closed_at"] = "closed", body["outcome"], body["note"], ts(0)
				env(w, 200, t)
				return
			}
		}
	})
	mux.HandleFunc("GET /api/v1/console/residences", func(w http.ResponseWriter, r *http.Request) { env(w, 200, page(res, 2)) })
	mux.HandleFunc("GET /api/v1/console/residences/{id}", func(w http.ResponseWriter, r *http.Request) {
		d := map[string]any{}
		for k, v := range res[0] {
			d[k] = v
		}
		d["checkins"] = []map[string]any{{"at": ts(600 * time.Hour), "due_at": ts(610 * time.Hour), "on_time": true, "source": "scan"}, {"at": ts(1300 * time.Hour), "due_at": ts(1400 * time.Hour), "on_time": false, "source": "worker"}}
		d["notifications"] = []map[string]any{{"id": 1, "channel": "wechat", "template": "checkin_due", "status": "failed", "attempts": 1, "last_error": "errcode 43101: user refuse to accept the msg", "sent_at": nil, "created_at": ts(101 * time.Hour)}, {"id": 2, "channel": "sms", "template": "checkin_due", "status": "sent", "attempts": 1, "last_error": "", "sent_at": ts(100 * time.Hour)}}
		d["tasks"] = []map[string]any{tasks[0], tasks[3]}
		env(w, 200, d)
	})
	mux.HandleFunc("GET /api/v1/console/residences/{id}/id-number", func(w http.ResponseWriter, r *http.Request) {
		env(w, 200, map[string]string{"id_number": "33028119900307123X"})
	})
	mux.HandleFunc("GET /api/v1/console/stats", func(w http.ResponseWriter, r *http.Request) {
		env(w, 200, map[string]any{"active_residents": 1284, "declared_this_month": 96, "self_declared_share": 0.873, "checkin_on_time_rate": 0.912, "overdue": 37, "tasks_open": 22, "tasks_closed": 310, "median_close_hours": 18.5, "unregistered_found": 9, "expired_found": 4, "tier_counts": map[string]int{"green": 1050, "yellow": 190, "red": 44}})
	})
	mux.HandleFunc("GET /api/v1/console/stats/series", func(w http.ResponseWriter, r *http.Request) {
		var pts []map[string]any
		for i := 29; i >= 0; i-- {
			pts = append(pts, map[string]any{"date": now.AddDate(0, 0, -i).Format(time.DateOnly), "value": (i*7)%13 + 2})
		}
		env(w, 200, pts)
	})
	mux.HandleFunc("GET /api/v1/console/notifications", func(w http.ResponseWriter, r *http.Request) {
		env(w, 200, page([]map[string]any{{"id": 1, "channel": "wechat", "template": "checkin_due", "status": "failed", "attempts": 3, "last_error": "errcode 43101: user refuse to accept the msg", "sent_at": nil}, {"id": 2, "channel": "sms", "template": "checkin_due", "status": "sent", "attempts": 1, "sent_at": ts(2 * time.Hour)}, {"id": 3, "channel": "sms", "template": "moved_out", "status": "pending", "attempts": 0, "sent_at": nil}}, 45))
	})
	mux.HandleFunc("GET /api/v1/console/audit", func(w http.ResponseWriter, r *http.Request) {
		env(w, 200, page([]map[string]any{{"id": 9, "at": ts(time.Minute), "actor_kind": "account", "actor_name": "police1", "action": "residence.id_number.read", "object_type": "residence", "object_id": 1, "ip": "10.0.3.17", "detail": ""}, {"id": 8, "at": ts(time.Hour), "actor_kind": "user", "actor_name": "", "action": "residence.declare", "object_type": "residence", "object_id": 1, "ip": "223.104.3.9", "detail": ""}}, 2))
	})
	mux.HandleFunc("POST /api/v1/console/accounts", func(w http.ResponseWriter, r *http.Request) {
		var body map[string]any
		json.NewDecoder(r.Body).Decode(&body)
		env(w, 201, map[string]any{"id": 9, "username": body["username"], "role": body["role"], "area_id": body["area_id"]})
	})
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if _, pattern := mux.Handler(r); pattern != "" && strings.HasPrefix(r.URL.Path, "/api/v1/console/") && r.URL.Path != "/api/v1/console/login" {
			mux.ServeHTTP(w, r)
			return
		}
		real.ServeHTTP(w, r)
	})
}

func TestScratch_Pages(t *testing.T) {
	e := apptest.New(t)
	e.App.Handler = stub(e.App.Handler)
	b := openBrowser(t, e)
	for _, phone := range []bool{false, true} {
		suffix := "desk"
		if phone {
			suffix = "phone"
			b.run("phone", chromedp.EmulateViewport(390, 844, chromedp.EmulateScale(2), chromedp.EmulateMobile))
		}
		b.loginAs("admin")
		b.waitText("#task-list", "逾期未签到")
		b.shot("s-tasks-" + suffix)
		id := map[bool]string{false: "11", true: "13"}[phone]
		b.click(`#task-list .task[data-id="` + id + `"] .btn-close`)
		b.click(`dialog[open] input[value="left"]`)
		b.shot("s-close-" + suffix)
		b.click(`dialog[open] button[type=submit]`)
		b.waitText(`#task-list .task[data-id="`+id+`"]`, "已离开")
		b.visit("residences", "居住人员")
		b.waitText("#residence-list", "舜水南路18号")
		b.shot("s-residences-" + suffix)
		b.click(`#residence-list a[href="#/residences/1"]`)
		b.click("#reveal-id")
		b.waitText("#id-number", "33028119900307123X")
		b.shot("s-detail-" + suffix)
		b.visit("stats", "统计")
		b.waitJS(`!!document.querySelector('#chart svg')`, "chart")
		b.shot("s-stats-" + suffix)
		b.visit("notifications", "通知记录")
		b.waitText("#notification-list", "43101")
		b.shot("s-notifications-" + suffix)
		b.visit("audit", "审计")
		b.waitText("#audit-list", "police1")
		b.shot("s-audit-" + suffix)
		b.visit("accounts", "账号")
		b.shot("s-accounts-" + suffix)
		b.noHorizontalOverflow("accounts")
		b.logout()
	}
}
