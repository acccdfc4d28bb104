package wechat

import (
	"context"
	"errors"
	"maps"
	"testing"
)

func TestSendSubscribe_RecordedWithTemplateOpenIDPageAndData(t *testing.T) {
	e := newEnv(t)
	data := map[string]string{"thing1": "每月扫码签到", "time2": "2025-03-01 09:00"}
	err := e.client.SendSubscribe(context.Background(), SubscribeMessage{
		ToUser:     "o_alice",
		TemplateID: "tmpl-checkin",
		Page:       "pages/checkin/index?id=7",
		Data:       data,
	})
	if err != nil {
		t.Fatal(err)
	}
	msgs := e.sim.Messages()
	if len(msgs) != 1 {
		t.Fatalf("%d messages recorded", len(msgs))
	}
	m := msgs[0]
	if m.ToUser != "o_alice" || m.TemplateID != "tmpl-checkin" || m.Page != "pages/checkin/index?id=7" {
		t.Fatalf("recorded %+v", m)
	}
	if !maps.Equal(m.Data, data) {
		t.Fatalf("data %v, want %v", m.Data, data)
	}
	if m.MiniprogramState != "developer" {
		t.Fatalf("miniprogram_state %q, want developer for EnvVersion develop", m.MiniprogramState)
	}
}

func TestSendSubscribe_RefusedUserIsNotSubscribed(t *testing.T) {
	e := newEnv(t)
	e.sim.Refuse("o_bob")
	err := e.client.SendSubscribe(context.Background(), SubscribeMessage{
		ToUser: "o_bob", TemplateID: "tmpl-checkin", Data: map[string]string{"thing1": "x"},
	})
	if !errors.Is(err, ErrNotSubscribed) || IsTransient(err) {
		t.Fatalf("got %v, want ErrNotSubscribed, not transient", err)
	}
	if n := len(e.sim.Messages()); n != 0 {
		t.Fatalf("%d messages recorded", n)
	}
}
