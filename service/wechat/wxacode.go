package wechat

import (
	"context"
	"encoding/json"
	"fmt"
	"net/url"

	"github.com/silenceper/wechat/v2/miniprogram/qrcode"
	"github.com/silenceper/wechat/v2/util"
)

const wxaCodeUnlimitURL = "https://api.weixin.qq.com/wxa/getwxacodeunlimit?access_token="

// WXACode returns the mini-program code (getwxacodeunlimit) that opens
// Config.CodePage with scene, in Config.EnvVersion. check_path is false, so
// codes work before the page is published.
//
// It sends silenceper's qrcode.QRCoder through silenceper's
// util.PostJSONWithRespContentType, the two steps of
// qrcode.GetWXACodeUnlimit, because that method formats WeChat's errcode into
// a string and so loses it. Like fetchCode, it accepts only a Content-Type of
// exactly "image/jpeg".
func (c *Client) WXACode(ctx context.Context, scene string) (img []byte, contentType string, err error) {
	checkPath := false
	coder := qrcode.QRCoder{
		Page:       c.cfg.CodePage,
		Scene:      scene,
		CheckPath:  &checkPath,
		EnvVersion: c.cfg.EnvVersion,
	}
	type answer struct {
		body        []byte
		contentType string
	}
	var a answer
	err = c.withToken(ctx, func() error {
		token, err := c.tokens.GetAccessTokenContext(ctx)
		if err != nil {
			return err
		}
		// silenceper's helper takes no context.
		a, err = withContext(ctx, func() (answer, error) {
			body, ct, err := util.PostJSONWithRespContentType(wxaCodeUnlimitURL+url.QueryEscape(token), coder)
			return answer{body, ct}, err
		})
		if err != nil || a.contentType == "image/jpeg" {
			return err
		}
		var ce util.CommonError
		if json.Unmarshal(a.body, &ce) == nil && ce.ErrCode != 0 {
			return &APIError{Code: int(ce.ErrCode), Msg: ce.ErrMsg}
		}
		return fmt.Errorf("unexpected content type %q", a.contentType)
	})
	if err != nil {
		return nil, "", fmt.Errorf("wechat getwxacodeunlimit: %w", err)
	}
	return a.body, a.contentType, nil
}
