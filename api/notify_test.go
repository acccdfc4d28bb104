package api_test

import (
	"crypto/sha1"
	"encoding/hex"
	"fmt"
	"sort"
	"strings"
	"testing"
	"time"

	"yaoju/app"
	"yaoju/app/apptest"
	"yaoju/config"
	"yaoju/model"
	"yaoju/service/wechat/wxsim"
)

// dueReminder declares a tenant with a WeChat credit and makes their
// check-in fall due, so that the sweeper queues one WeChat reminder.
func dueReminder(t *testing.T, e *apptest.Env, name string) residenceJSON {
	t.Helper()
	f := approvedHouse(t, e, name, "舜水社区", 1, 2)
	token := e.WxLogin(name)
	e.Must(200, "POST", "/api/v1/me/subscriptions", map[string]any{"template_ids": []string{e.App.Config.ReminderTemplate}}, token)
	r := declare(t, e, token, declaration(f.units[0].Scene, aliceID), 201)
	e.Clock.Advance(e.App.Config.CheckinPeriod + time.Minute)
	if _, err := e.App.Sweeper.Sweep(t.Context()); err != nil {
		t.Fatal(err)
	}
	return r
}

func notificationOf(t *testing.T, e *apptest.Env, residenceID uint64) model.Notification {
	t.Helper()
	var n model.Notification
	if err := e.App.DB.Where("residence_id = ? AND template = ?", residenceID, "checkin_reminder").First(&n).Error; err != nil {
		t.Fatal(err)
	}
	return n
}

func TestSender_RefusedSubscriptionFallsBackToSMS(t *testing.T) {
	e := apptest.New(t)
	r := dueReminder(t, e, "refuser")
	e.Sim.Refuse("o_refuser")
	if _, err := e.App.Sender.Flush(t.Context()); err != nil {
		t.Fatal(err)
	}
	if _, err := e.App.Sender.Flush(t.Context()); err != nil { // the SMS goes at once
		t.Fatal(err)
	}
	n := notificationOf(t, e, r.ID)
	if n.Channel != "sms" || n.Status != "sent" || n.Attempts != 2 || !strings.Contains(n.LastError, "43101") && n.LastError != "" {
		t.Fatalf("after 43101: %+v", n)
	}
	if len(e.Sim.Messages()) != 0 {
		t.Fatal("a WeChat message was recorded for a refused user")
	}
}

func TestSender_RateLimitIsRetriedThenFailedAndShownInTheConsole(t *testing.T) {
	e := apptest.New(t)
	r := dueReminder(t, e, "limited")
	e.Sim.Fail("/cgi-bin/message/subscribe/send", wxsim.Failure{Errcode: 45009, Times: 100})
	for i := 0; i < 5; i++ {
		if _, err := e.App.Sender.Flush(t.Context()); err != nil {
			t.Fatal(err)
		}
		e.Clock.Advance(time.Hour) // past the backoff
	}
	n := notificationOf(t, e, r.ID)
	if n.Status != "failed" || n.Attempts != 5 || !strings.Contains(n.LastError, "45009") {
		t.Fatalf("after five rate-limited attempts: %+v", n)
	}
	var page struct {
		Items []map[string]any `json:"items"`
	}
	e.Must(200, "GET", fmt.Sprintf("/api/v1/console/notifications?residence_id=%d&status=failed", r.ID), nil, e.ConsoleLogin("worker1")).Data(t, &page)
	if len(page.Items) != 1 || page.Items[0]["attempts"] != 5.0 || page.Items[0]["channel"] != "wechat" ||
		!strings.Contains(page.Items[0]["last_error"].(string), "45009") {
		t.Fatalf("console shows: %+v", page.Items)
	}
}

func TestSender_TransientFailureRetriesAndSucceeds(t *testing.T) {
	e := apptest.New(t)
	r := dueReminder(t, e, "flaky")
	e.Sim.Fail("/cgi-bin/message/subscribe/send", wxsim.Failure{HTTPStatus: 500, Times: 1})
	e.App.Sender.Flush(t.Context())
	if n := notificationOf(t, e, r.ID); n.Status != "pending" || n.Attempts != 1 {
		t.Fatalf("after one 500: %+v", n)
	}
	e.Clock.Advance(time.Minute)
	e.App.Sender.Flush(t.Context())
	if n := notificationOf(t, e, r.ID); n.Status != "sent" || n.Attempts != 2 || n.Channel != "wechat" {
		t.Fatalf("after the retry: %+v", n)
	}
	if len(e.Sim.Messages()) != 1 {
		t.Fatalf("%d messages", len(e.Sim.Messages()))
	}
}

func signed(token string) string {
	ts, nonce := "1700000000", "n0nce"
	parts := []string{token, ts, nonce}
	sort.Strings(parts)
	sum := sha1.Sum([]byte(strings.Join(parts, "")))
	return fmt.Sprintf("signature=%s&timestamp=%s&nonce=%s", hex.EncodeToString(sum[:]), ts, nonce)
}

func TestCallback_VerifiesAndCountsAcceptedSubscriptions(t *testing.T) {
	e := apptest.New(t)
	e.WxLogin("pushed") // the user exists
	query := signed(app.SimulatorPushToken)
	r := e.Do("GET", "/api/v1/wx/callback?"+query+"&echostr=hello", nil, "")
	if r.Status != 200 || string(r.Body) != "hello" {
		t.Fatalf("echo: %d %s", r.Status, r.Body)
	}
	if r := e.Do("GET", "/api/v1/wx/callback?"+signed("wrong")+"&echostr=hello", nil, ""); r.Status != 403 {
		t.Fatalf("bad signature: %d", r.Status)
	}
	event := `{"ToUserName":"gh_x","FromUserName":"o_pushed","CreateTime":"1700000000","MsgType":"event",
		"Event":"subscribe_msg_popup_event","List":[{"TemplateId":"checkin_reminder","SubscribeStatusString":"accept","PopupScene":"0"},
		{"TemplateId":"other","SubscribeStatusString":"reject","PopupScene":"0"}]}`
	if r := e.Do("POST", "/api/v1/wx/callback?"+query, event, ""); r.Status != 200 {
		t.Fatalf("push: %d %s", r.Status, r.Body)
	}
	var credits []model.SubscriptionCredit
	e.App.DB.Find(&credits)
	if len(credits) != 1 || credits[0].TemplateID != "checkin_reminder" || credits[0].Credits != 1 {
		t.Fatalf("credits: %+v", credits)
	}
}

func TestReminder_LongTermSubscriptionNeedsNoCredit(t *testing.T) {
	e := apptest.New(t, apptest.WithConfig(func(c *config.Config) { c.SubscribeMode = "long_term" }))
	f := approvedHouse(t, e, "longterm", "舜水社区", 1, 2)
	r := declare(t, e, e.WxLogin("longterm"), declaration(f.units[0].Scene, aliceID), 201)
	e.Clock.Advance(e.App.Config.CheckinPeriod + time.Minute)
	e.App.Sweeper.Sweep(t.Context())
	e.App.Sender.Flush(t.Context())
	if n := notificationOf(t, e, r.ID); n.Channel != "wechat" || n.Status != "sent" {
		t.Fatalf("long-term reminder: %+v", n)
	}
}
