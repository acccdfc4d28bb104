package api

import (
	"github.com/gin-gonic/gin"

	"yaoju/service/auth"
	"yaoju/service/pii"
)

func (h *handler) wxLogin(c *gin.Context) {
	var req struct {
		Code string `json:"code"`
	}
	if !bind(c, &req) {
		return
	}
	login, err := h.MiniProgram.Login(c.Request.Context(), req.Code)
	if err != nil {
		fail(c, err)
		return
	}
	ok(c, gin.H{"token": login.Token, "expires_at": ts(login.ExpiresAt), "user": gin.H{
		"id": login.User.ID, "roles": login.Roles, "phone_masked": pii.MaskPhone(login.User.Phone),
	}})
}

func (h *handler) wxPhone(c *gin.Context) {
	var req struct {
		Code string `json:"code"`
	}
	if !bind(c, &req) {
		return
	}
	phone, err := h.MiniProgram.BindPhone(c.Request.Context(), principal(c).UserID, req.Code)
	if err != nil {
		fail(c, err)
		return
	}
	ok(c, gin.H{"phone_masked": pii.MaskPhone(phone)})
}

// logout revokes whichever kind of token is presented.
func (h *handler) logout(c *gin.Context) {
	token := bearer(c)
	if _, err := h.Sessions.Lookup(c.Request.Context(), token); err != nil {
		fail(c, err)
		return
	}
	if err := h.Sessions.Revoke(c.Request.Context(), token); err != nil {
		fail(c, err)
		return
	}
	ok(c, gin.H{})
}

func (h *handler) consoleLogin(c *gin.Context) {
	var req struct {
		Username string `json:"username"`
		Password string `json:"password"`
	}
	if !bind(c, &req) {
		return
	}
	login, err := h.Console.Login(c.Request.Context(), req.Username, req.Password)
	if err != nil {
		fail(c, err)
		return
	}
	a := login.Account
	ok(c, gin.H{"token": login.Token, "expires_at": ts(login.ExpiresAt), "user": gin.H{
		"id": a.ID, "username": a.Username, "role": a.Role, "area_id": a.AreaID,
	}})
}

func (h *handler) consoleMe(c *gin.Context) {
	p := principal(c)
	ok(c, gin.H{"id": p.AccountID, "username": p.Username, "role": p.Role, "area_id": p.AreaID, "kind": auth.KindConsole})
}
