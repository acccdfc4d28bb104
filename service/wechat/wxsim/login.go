package wxsim

import (
	"crypto/rand"
	"encoding/base64"
	"net/http"
	"strings"
	"time"
)

// jscode2session answers GET /sns/jscode2session: "test_<name>" logs in as
// "o_<name>" with a fresh session_key.
func (s *Simulator) jscode2session(w http.ResponseWriter, r *http.Request, _ string) {
	q := r.URL.Query()
	if code := checkCredentials(q.Get("grant_type"), "authorization_code", q.Get("appid"), q.Get("secret")); code != 0 {
		writeError(w, code)
		return
	}
	name, ok := strings.CutPrefix(q.Get("js_code"), "test_")
	if !ok || name == "" {
		writeError(w, 40029)
		return
	}
	key := make([]byte, 16)
	_, _ = rand.Read(key)
	writeJSON(w, map[string]any{
		"openid":      "o_" + name,
		"session_key": base64.StdEncoding.EncodeToString(key),
	})
}

// phoneNumber answers POST /wxa/business/getuserphonenumber: the code
// "phone_<11 digits>" is that mainland number.
func (s *Simulator) phoneNumber(w http.ResponseWriter, r *http.Request, appID string) {
	var req struct {
		Code string `json:"code"`
	}
	if !decodeBody(w, r, &req) {
		return
	}
	phone, ok := strings.CutPrefix(req.Code, "phone_")
	if !ok || !isDigits(phone, 11) {
		writeError(w, 40029)
		return
	}
	writeJSON(w, map[string]any{
		"errcode": 0,
		"errmsg":  "ok",
		"phone_info": map[string]any{
			"phoneNumber":     phone,
			"purePhoneNumber": phone,
			"countryCode":     "86",
			"watermark":       map[string]any{"timestamp": time.Now().Unix(), "appid": appID},
		},
	})
}

func isDigits(s string, n int) bool {
	if len(s) != n {
		return false
	}
	for _, c := range s {
		if c < '0' || c > '9' {
			return false
		}
	}
	return true
}
