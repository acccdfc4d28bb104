package wechat

import (
	"crypto/sha1"
	"encoding/hex"
	"slices"
	"testing"
)

func TestVerifySignature_SortedSHA1OfTokenTimestampNonce(t *testing.T) {
	// Sorted: "1700000000" < "nonce42" < "push-token".
	sum := sha1.Sum([]byte("1700000000" + "nonce42" + "push-token"))
	good := hex.EncodeToString(sum[:])
	if !VerifySignature("push-token", good, "1700000000", "nonce42") {
		t.Fatal("a correct signature was refused")
	}
	if e := newEnv(t); !e.client.VerifyPush(good, "1700000000", "nonce42") {
		t.Fatal("VerifyPush does not use Config.PushToken")
	}
	for _, c := range []struct{ token, sig, ts, nonce string }{
		{"push-token", good, "1700000001", "nonce42"},
		{"other-token", good, "1700000000", "nonce42"},
		{"push-token", "", "1700000000", "nonce42"},
		{"push-token", good[:39], "1700000000", "nonce42"},
	} {
		if VerifySignature(c.token, c.sig, c.ts, c.nonce) {
			t.Errorf("accepted %+v", c)
		}
	}
}

func TestParseSubscriptionEvents_JSONAndXML(t *testing.T) {
	accept := SubscriptionEvent{OpenID: "o_alice", TemplateID: "tmpl-checkin", Status: "accept"}
	reject := SubscriptionEvent{OpenID: "o_alice", TemplateID: "tmpl-permit", Status: "reject"}
	for _, c := range []struct {
		name, contentType, body string
		want                    []SubscriptionEvent
	}{
		{
			// One template: "List" is an object, and CreateTime a string.
			name: "json popup, one template", contentType: "application/json",
			body: `{"ToUserName":"gh_123","FromUserName":"o_alice","CreateTime":"1620973045","MsgType":"event",
				"Event":"subscribe_msg_popup_event","List":{"TemplateId":"tmpl-checkin","SubscribeStatusString":"accept","PopupScene":"0"}}`,
			want: []SubscriptionEvent{accept},
		},
		{
			name: "json popup, two templates", contentType: "application/json; charset=utf-8",
			body: `{"ToUserName":"gh_123","FromUserName":"o_alice","CreateTime":1620973045,"MsgType":"event",
				"Event":"subscribe_msg_popup_event","List":[
				{"TemplateId":"tmpl-checkin","SubscribeStatusString":"accept","PopupScene":"0"},
				{"TemplateId":"tmpl-permit","SubscribeStatusString":"reject","PopupScene":"0"}]}`,
			want: []SubscriptionEvent{accept, reject},
		},
		{
			name: "json change", contentType: "",
			body: `{"ToUserName":"gh_123","FromUserName":"o_alice","CreateTime":"1610968440","MsgType":"event",
				"Event":"subscribe_msg_change_event","List":{"TemplateId":"tmpl-permit","SubscribeStatusString":"reject"}}`,
			want: []SubscriptionEvent{reject},
		},
		{
			name: "xml popup", contentType: "text/xml",
			body: `<xml><ToUserName><![CDATA[gh_123]]></ToUserName><FromUserName><![CDATA[o_alice]]></FromUserName>
				<CreateTime>1610969440</CreateTime><MsgType><![CDATA[event]]></MsgType>
				<Event><![CDATA[subscribe_msg_popup_event]]></Event>
				<SubscribeMsgPopupEvent>
				<List><TemplateId><![CDATA[tmpl-checkin]]></TemplateId><SubscribeStatusString><![CDATA[accept]]></SubscribeStatusString><PopupScene>2</PopupScene></List>
				<List><TemplateId><![CDATA[tmpl-permit]]></TemplateId><SubscribeStatusString><![CDATA[reject]]></SubscribeStatusString><PopupScene>2</PopupScene></List>
				</SubscribeMsgPopupEvent></xml>`,
			want: []SubscriptionEvent{accept, reject},
		},
		{
			name: "xml change", contentType: "",
			body: `<xml><ToUserName><![CDATA[gh_123]]></ToUserName><FromUserName><![CDATA[o_alice]]></FromUserName>
				<CreateTime>1610969440</CreateTime><MsgType><![CDATA[event]]></MsgType>
				<Event><![CDATA[subscribe_msg_change_event]]></Event>
				<SubscribeMsgChangeEvent><List><TemplateId><![CDATA[tmpl-permit]]></TemplateId>
				<SubscribeStatusString><![CDATA[reject]]></SubscribeStatusString></List></SubscribeMsgChangeEvent></xml>`,
			want: []SubscriptionEvent{reject},
		},
		{
			name: "other event", contentType: "application/json",
			body: `{"FromUserName":"o_alice","MsgType":"event","Event":"subscribe_msg_sent_event","List":{"TemplateId":"t","ErrorCode":"0"}}`,
			want: nil,
		},
	} {
		t.Run(c.name, func(t *testing.T) {
			got, err := ParseSubscriptionEvents(c.contentType, []byte(c.body))
			if err != nil {
				t.Fatal(err)
			}
			if !slices.Equal(got, c.want) {
				t.Fatalf("got %+v, want %+v", got, c.want)
			}
		})
	}
}

func TestParseSubscriptionEvents_BadOrEncryptedBodyIsAnError(t *testing.T) {
	for _, c := range []struct{ contentType, body string }{
		{"application/json", `{"Event":`},
		{"text/xml", `<xml><Event>`},
		{"application/json", `{"ToUserName":"gh_123","Encrypt":"c2VjcmV0"}`},
		{"text/xml", `<xml><ToUserName>gh_123</ToUserName><Encrypt>c2VjcmV0</Encrypt></xml>`},
	} {
		if _, err := ParseSubscriptionEvents(c.contentType, []byte(c.body)); err == nil {
			t.Errorf("%s %s: no error", c.contentType, c.body)
		}
	}
}
