package wechat

import (
	"bytes"
	"crypto/subtle"
	"encoding/json"
	"encoding/xml"
	"errors"
	"fmt"
	"strings"

	"github.com/silenceper/wechat/v2/util"
)

// VerifySignature checks a message push (消息推送) request: signature is the
// hex SHA-1 of token, timestamp and nonce, sorted and joined.
func VerifySignature(token, signature, timestamp, nonce string) bool {
	want := util.Signature(token, timestamp, nonce) // sorts its arguments
	return subtle.ConstantTimeCompare([]byte(want), []byte(signature)) == 1
}

// VerifyPush is VerifySignature with Config.PushToken. Without a token
// nothing verifies: an empty token would be a signature anyone can make.
func (c *Client) VerifyPush(signature, timestamp, nonce string) bool {
	return c.cfg.PushToken != "" && VerifySignature(c.cfg.PushToken, signature, timestamp, nonce)
}

// SubscriptionEvent is one template's subscription change for one user.
type SubscriptionEvent struct {
	OpenID     string
	TemplateID string
	Status     string // "accept" or "reject"
}

const (
	eventPopup  = "subscribe_msg_popup_event"  // the user answered wx.requestSubscribeMessage
	eventChange = "subscribe_msg_change_event" // the user changed it in the settings page
)

// ParseSubscriptionEvents reads a plaintext message push in either format,
// JSON or XML (told by contentType, else by the first byte). Pushes of other
// events give no events and no error, so the callback can acknowledge them.
//
// silenceper's message.PushReceiver is not used: in JSON it decodes
// CreateTime into an int64, and WeChat's documented JSON sends it as a
// string ("CreateTime": "1620973045"), which fails the whole decode.
func ParseSubscriptionEvents(contentType string, body []byte) ([]SubscriptionEvent, error) {
	var (
		p   push
		err error
	)
	if isXML(contentType, body) {
		err = p.fromXML(body)
	} else {
		err = p.fromJSON(body)
	}
	switch {
	case err != nil:
		return nil, fmt.Errorf("wechat push: %w", err)
	case p.encrypted:
		return nil, errors.New("wechat push: encrypted (安全模式); configure the push in plaintext mode")
	case p.event != eventPopup && p.event != eventChange:
		return nil, nil
	}
	events := make([]SubscriptionEvent, 0, len(p.items))
	for _, it := range p.items {
		if it.TemplateID == "" {
			continue
		}
		events = append(events, SubscriptionEvent{OpenID: p.openID, TemplateID: it.TemplateID, Status: it.Status})
	}
	return events, nil
}

type push struct {
	openID, event string
	encrypted     bool
	items         []pushItem
}

type pushItem struct {
	TemplateID string `json:"TemplateId" xml:"TemplateId"`
	Status     string `json:"SubscribeStatusString" xml:"SubscribeStatusString"`
}

func isXML(contentType string, body []byte) bool {
	switch ct := strings.ToLower(contentType); {
	case strings.Contains(ct, "xml"):
		return true
	case strings.Contains(ct, "json"):
		return false
	}
	return bytes.HasPrefix(bytes.TrimSpace(body), []byte("<"))
}

// fromXML reads the XML format, where each template is a <List> inside
// <SubscribeMsgPopupEvent> or <SubscribeMsgChangeEvent>.
func (p *push) fromXML(body []byte) error {
	var x struct {
		FromUserName string     `xml:"FromUserName"`
		Event        string     `xml:"Event"`
		Encrypt      string     `xml:"Encrypt"`
		Popup        []pushItem `xml:"SubscribeMsgPopupEvent>List"`
		Change       []pushItem `xml:"SubscribeMsgChangeEvent>List"`
	}
	if err := xml.Unmarshal(body, &x); err != nil {
		return err
	}
	*p = push{openID: x.FromUserName, event: x.Event, encrypted: x.Encrypt != ""}
	p.items = append(x.Popup, x.Change...)
	return nil
}

// fromJSON reads the JSON format, where "List" is an object when the user
// answered for one template and an array for several.
func (p *push) fromJSON(body []byte) error {
	var j struct {
		FromUserName string          `json:"FromUserName"`
		Event        string          `json:"Event"`
		Encrypt      string          `json:"Encrypt"`
		List         json.RawMessage `json:"List"`
	}
	if err := json.Unmarshal(body, &j); err != nil {
		return err
	}
	*p = push{openID: j.FromUserName, event: j.Event, encrypted: j.Encrypt != ""}
	switch list := bytes.TrimSpace(j.List); {
	case len(list) == 0 || bytes.Equal(list, []byte("null")):
	case list[0] == '[':
		return json.Unmarshal(list, &p.items)
	default:
		p.items = make([]pushItem, 1)
		return json.Unmarshal(list, &p.items[0])
	}
	return nil
}
