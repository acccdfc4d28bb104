package wxsim

import (
	"net/http"
	"time"
)

// tokenLifetime is WeChat's: expires_in 7200.
const tokenLifetime = 7200 * time.Second

// stableRenewal: in normal mode WeChat hands out a new stable token during
// the old one's last 5 minutes, so expires_in is always at least 300.
const stableRenewal = 5 * time.Minute

// token answers GET /cgi-bin/token: a new token on every call. Earlier
// tokens stay valid until they expire.
func (s *Simulator) token(w http.ResponseWriter, r *http.Request, _ string) {
	q := r.URL.Query()
	if code := checkCredentials(q.Get("grant_type"), "client_credential", q.Get("appid"), q.Get("secret")); code != 0 {
		writeError(w, code)
		return
	}
	s.mu.Lock()
	token := s.issue(q.Get("appid"))
	s.mu.Unlock()
	writeJSON(w, map[string]any{"access_token": token, "expires_in": int(tokenLifetime.Seconds())})
}

// stableToken answers POST /cgi-bin/stable_token. In normal mode the current
// token comes back with its remaining lifetime; force_refresh revokes it and
// issues a new one.
func (s *Simulator) stableToken(w http.ResponseWriter, r *http.Request, _ string) {
	var req struct {
		GrantType    string `json:"grant_type"`
		AppID        string `json:"appid"`
		Secret       string `json:"secret"`
		ForceRefresh bool   `json:"force_refresh"`
	}
	if !decodeBody(w, r, &req) {
		return
	}
	if code := checkCredentials(req.GrantType, "client_credential", req.AppID, req.Secret); code != 0 {
		writeError(w, code)
		return
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	current, ok := s.stable[req.AppID]
	left := time.Until(s.tokens[current].expires)
	if req.ForceRefresh {
		delete(s.tokens, current)
	}
	if !ok || req.ForceRefresh || left <= stableRenewal {
		current = s.issue(req.AppID)
		s.stable[req.AppID] = current
		left = tokenLifetime
	}
	writeJSON(w, map[string]any{"access_token": current, "expires_in": int(left.Seconds())})
}

// issue makes a token for appID; the caller holds s.mu.
func (s *Simulator) issue(appID string) string {
	token := "SIM_" + randomHex(32)
	s.tokens[token] = issued{appID: appID, expires: time.Now().Add(tokenLifetime)}
	return token
}

// checkCredentials accepts any non-empty appid and secret.
func checkCredentials(grantType, wantGrantType, appID, secret string) int {
	switch {
	case grantType != wantGrantType:
		return 40002
	case appID == "":
		return 40013
	case secret == "":
		return 40125
	}
	return 0
}
