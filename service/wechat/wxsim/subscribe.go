package wxsim

import (
	"fmt"
	"net/http"
	"time"
)

// subscribeSend answers POST /cgi-bin/message/subscribe/send: it checks the
// message as WeChat does, answers 43101 for refused openids and records the
// others.
func (s *Simulator) subscribeSend(w http.ResponseWriter, r *http.Request, _ string) {
	var req struct {
		ToUser     string `json:"touser"`
		TemplateID string `json:"template_id"`
		Page       string `json:"page"`
		Data       map[string]struct {
			Value any `json:"value"`
		} `json:"data"`
		MiniprogramState string `json:"miniprogram_state"`
	}
	if !decodeBody(w, r, &req) {
		return
	}
	switch {
	case req.ToUser == "":
		writeError(w, 40003)
		return
	case req.TemplateID == "":
		writeError(w, 40037)
		return
	case len(req.Data) == 0:
		writeError(w, 47003)
		return
	}
	switch req.MiniprogramState {
	case "", "developer", "trial", "formal":
	default:
		writeError(w, 47003)
		return
	}
	data := make(map[string]string, len(req.Data))
	for k, v := range req.Data {
		if v.Value == nil || v.Value == "" {
			writeError(w, 47003) // "argument invalid! data.<key>.value is empty"
			return
		}
		data[k] = fmt.Sprint(v.Value)
	}

	s.mu.Lock()
	defer s.mu.Unlock()
	if s.refused[req.ToUser] {
		writeError(w, 43101)
		return
	}
	s.messages = append(s.messages, Message{
		ToUser:           req.ToUser,
		TemplateID:       req.TemplateID,
		Page:             req.Page,
		MiniprogramState: req.MiniprogramState,
		Data:             data,
		At:               time.Now(),
	})
	writeJSON(w, map[string]any{"errcode": 0, "errmsg": "ok", "msgid": len(s.messages)})
}
