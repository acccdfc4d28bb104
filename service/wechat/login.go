package wechat

import (
	"context"
	"fmt"

	"github.com/silenceper/wechat/v2/miniprogram/business"
)

// Login exchanges a wx.login code for the user's openid and, when the app is
// bound to an open-platform account, unionid (jscode2session).
func (c *Client) Login(ctx context.Context, code string) (openID, unionID string, err error) {
	// silenceper pastes js_code into the query string unescaped; a code that
	// WeChat would never issue must not get to add or cut parameters.
	if !plausibleCode(code) {
		return "", "", fmt.Errorf("wechat jscode2session: %w", ErrInvalidCode)
	}
	res, err := c.mp.GetAuth().Code2SessionContext(ctx, code)
	if res.ErrCode != 0 {
		// silenceper formats the errcode into a string; its result keeps it.
		err = &APIError{Code: int(res.ErrCode), Msg: res.ErrMsg}
	}
	if err != nil {
		return "", "", fmt.Errorf("wechat jscode2session: %w", translate(err))
	}
	return res.OpenID, res.UnionID, nil
}

// PhoneNumber exchanges a getPhoneNumber button code for the user's number,
// without country code (purePhoneNumber).
func (c *Client) PhoneNumber(ctx context.Context, code string) (string, error) {
	var info business.PhoneInfo
	err := c.withToken(ctx, func() (err error) {
		info, err = c.mp.GetBusiness().GetPhoneNumberWithContext(ctx, &business.GetPhoneNumberRequest{Code: code})
		return err
	})
	if err != nil {
		return "", fmt.Errorf("wechat getuserphonenumber: %w", err)
	}
	return info.PurePhoneNumber, nil
}

// plausibleCode: WeChat's codes are short runs of letters, digits, '-' and '_'.
func plausibleCode(code string) bool {
	if code == "" || len(code) > 128 {
		return false
	}
	for _, r := range code {
		ok := r >= '0' && r <= '9' || r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r == '-' || r == '_'
		if !ok {
			return false
		}
	}
	return true
}
