package api_test

import (
	"fmt"
	"testing"
	"time"

	"yaoju/app/apptest"
	"yaoju/model"
)

func TestStats_CountsAreScopedAndAddUp(t *testing.T) {
	e := apptest.New(t)
	here := approvedHouse(t, e, "st1", "舜水社区", 3, 4)
	there := approvedHouse(t, e, "st2", "城西社区", 1, 4)
	a := declare(t, e, e.WxLogin("a"), declaration(here.units[0].Scene, "33028119900101011"), 201)
	late := declaration(here.units[1].Scene, "33028119900101012")
	late["move_in_date"] = time.Now().In(model.Shanghai).AddDate(0, 0, -7).Format("2006-01-02")
	declare(t, e, e.WxLogin("b"), late, 201)
	declare(t, e, e.WxLogin("c"), declaration(there.units[0].Scene, "33028119900101013"), 201)
	e.Must(200, "POST", fmt.Sprintf("/api/v1/me/residences/%d/checkin", a.ID), map[string]string{"scene": here.units[0].Scene}, e.WxLogin("a"))
	worker := e.ConsoleLogin("worker1")
	task := tasksOf(t, e, worker, "type=late_declaration")[0]
	e.Must(200, "POST", fmt.Sprintf("/api/v1/console/tasks/%d/close", task.ID), map[string]any{"outcome": "still_living"}, worker)

	var mine, city struct {
		ActiveResidents   int64            `json:"active_residents"`
		DeclaredThisMonth int64            `json:"declared_this_month"`
		SelfDeclaredShare float64          `json:"self_declared_share"`
		CheckinOnTimeRate *float64         `json:"checkin_on_time_rate"`
		TasksOpen         int64            `json:"tasks_open"`
		TasksClosed       int64            `json:"tasks_closed"`
		MedianCloseHours  *float64         `json:"median_close_hours"`
		RegistrationRate  *float64         `json:"registration_rate"`
		TierCounts        map[string]int64 `json:"tier_counts"`
	}
	e.Must(200, "GET", "/api/v1/console/stats", nil, worker).Data(t, &mine)
	e.Must(200, "GET", "/api/v1/console/stats", nil, e.ConsoleLogin("admin")).Data(t, &city)
	if mine.ActiveResidents != 2 || city.ActiveResidents != 3 {
		t.Fatalf("active: worker %d, city %d", mine.ActiveResidents, city.ActiveResidents)
	}
	if mine.TierCounts["green"]+mine.TierCounts["yellow"]+mine.TierCounts["red"] != mine.ActiveResidents {
		t.Fatalf("tiers %v do not add up to %d", mine.TierCounts, mine.ActiveResidents)
	}
	if mine.DeclaredThisMonth < 1 || mine.SelfDeclaredShare != 1 || mine.TasksClosed != 1 || mine.MedianCloseHours == nil {
		t.Fatalf("worker's figures: %+v", mine)
	}
	if mine.CheckinOnTimeRate == nil || *mine.CheckinOnTimeRate != 1 {
		t.Fatalf("on-time rate: %v", mine.CheckinOnTimeRate)
	}
	if city.RegistrationRate == nil || *city.RegistrationRate <= 0 {
		t.Fatalf("registration rate: %v", city.RegistrationRate)
	}
	// A worker asking for another community's figures gets nothing of it.
	var other struct {
		ActiveResidents int64 `json:"active_residents"`
	}
	e.Must(200, "GET", fmt.Sprintf("/api/v1/console/stats?area_id=%d", areaID(t, e, "城西社区")), nil, worker).Data(t, &other)
	if other.ActiveResidents != 0 {
		t.Fatalf("worker sees %d residents of another community", other.ActiveResidents)
	}

	var series []struct {
		Date  string `json:"date"`
		Value int64  `json:"value"`
	}
	today := time.Now().In(model.Shanghai).Format("2006-01-02")
	from := time.Now().In(model.Shanghai).AddDate(0, 0, -6).Format("2006-01-02")
	e.Must(200, "GET", "/api/v1/console/stats/series?metric=declarations&from="+from+"&to="+today, nil, worker).Data(t, &series)
	if len(series) != 7 || series[6].Date != today || series[6].Value != 2 {
		t.Fatalf("series: %+v", series)
	}
	if r := e.Do("GET", "/api/v1/console/stats/series?metric=nonsense", nil, worker); r.Status != 422 || r.Reason != "invalid_metric" {
		t.Fatalf("bad metric: %d %s", r.Status, r.Body)
	}
}
