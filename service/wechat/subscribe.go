package wechat

import (
	"context"
	"fmt"

	"github.com/silenceper/wechat/v2/miniprogram/subscribe"
)

// SubscribeMessage is one subscription message (订阅消息).
type SubscribeMessage struct {
	ToUser     string // openid
	TemplateID string
	Page       string // opened on tap, may carry a query: "pages/checkin/index?id=7"
	// MiniprogramState is "developer", "trial" or "formal"; when empty it
	// follows Config.EnvVersion.
	MiniprogramState string
	Data             map[string]string // template keyword -> value, e.g. "thing1": "..."
}

// SendSubscribe sends m. errors.Is(err, ErrNotSubscribed) means the user
// holds no subscription for the template: fall back to SMS.
func (c *Client) SendSubscribe(ctx context.Context, m SubscribeMessage) error {
	msg := &subscribe.Message{
		ToUser:           m.ToUser,
		TemplateID:       m.TemplateID,
		Page:             m.Page,
		MiniprogramState: m.MiniprogramState,
		Lang:             "zh_CN",
		Data:             make(map[string]*subscribe.DataItem, len(m.Data)),
	}
	if msg.MiniprogramState == "" {
		msg.MiniprogramState = miniprogramState(c.cfg.EnvVersion)
	}
	for k, v := range m.Data {
		msg.Data[k] = &subscribe.DataItem{Value: v}
	}
	err := c.withToken(ctx, func() error {
		// subscribe.Send takes no context.
		_, err := withContext(ctx, func() (struct{}, error) {
			return struct{}{}, c.mp.GetSubscribe().Send(msg)
		})
		return err
	})
	if err != nil {
		return fmt.Errorf("wechat subscribe/send: %w", err)
	}
	return nil
}

// miniprogramState names an env_version the way subscribe/send does.
func miniprogramState(envVersion string) string {
	switch envVersion {
	case "develop":
		return "developer"
	case "trial":
		return "trial"
	}
	return "formal"
}
