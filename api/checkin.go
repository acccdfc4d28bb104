package api

import (
	"io"
	"net/http"

	"github.com/gin-gonic/gin"

	"yaoju/model"
	"yaoju/service/errs"
	"yaoju/service/notify"
	"yaoju/service/pii"
	"yaoju/service/wechat"
)

func (h *handler) checkin(c *gin.Context) {
	id, good := idParam(c, "id")
	var req struct {
		Scene string `json:"scene"`
	}
	if !good || !bind(c, &req) {
		return
	}
	res, err := h.Checkins.Checkin(c.Request.Context(), principal(c).UserID, id, req.Scene)
	if err != nil {
		fail(c, err)
		return
	}
	ok(c, gin.H{"checked_in_at": ts(res.CheckedInAt), "next_checkin_due": ts(res.NextCheckinDue)})
}

func (h *handler) subscribe(c *gin.Context) {
	var req struct {
		TemplateIDs []string `json:"template_ids"`
	}
	if !bind(c, &req) {
		return
	}
	credits, err := h.Credits.Accept(c.Request.Context(), principal(c).UserID, req.TemplateIDs)
	if err != nil {
		fail(c, err)
		return
	}
	ok(c, gin.H{"credits": credits})
}

// wxCallback is WeChat's message push: GET verifies the URL by echoing
// echostr; POST carries subscription events that add credits.
func (h *handler) wxCallback(c *gin.Context) {
	if !h.WeChat.VerifyPush(c.Query("signature"), c.Query("timestamp"), c.Query("nonce")) {
		fail(c, errs.ErrForbidden)
		return
	}
	if c.Request.Method == http.MethodGet {
		c.String(http.StatusOK, c.Query("echostr"))
		return
	}
	body, err := io.ReadAll(c.Request.Body)
	if err != nil {
		fail(c, err)
		return
	}
	events, err := wechat.ParseSubscriptionEvents(c.ContentType(), body)
	if err != nil {
		abort(c, problemBadRequest, nil)
		return
	}
	for _, ev := range events {
		if ev.Status != "accept" {
			continue
		}
		if err := h.Credits.AcceptByOpenID(c.Request.Context(), ev.OpenID, ev.TemplateID); err != nil {
			fail(c, err)
			return
		}
	}
	c.String(http.StatusOK, "success")
}

func notificationJSON(n model.Notification) gin.H {
	return gin.H{
		"id": n.ID, "residence_id": n.ResidenceID, "channel": n.Channel, "template": n.Template,
		"status": n.Status, "attempts": n.Attempts, "last_error": n.LastError, "sent_at": ts(n.SentAt),
		"created_at": ts(n.CreatedAt), "phone_masked": pii.MaskPhone(n.Phone),
	}
}

func (h *handler) consoleNotifications(c *gin.Context) {
	scope, good := h.scope(c)
	residenceID, good2 := queryID(c, "residence_id")
	pg, good3 := pageParams(c)
	if !good || !good2 || !good3 {
		return
	}
	rows, total, err := h.Outbox.List(c.Request.Context(), notify.Filter{
		Scope: scope, ResidenceID: residenceID, Status: c.Query("status"), Offset: pg.Offset(), Limit: pg.Size,
	})
	if err != nil {
		fail(c, err)
		return
	}
	items := make([]gin.H, len(rows))
	for i, n := range rows {
		items[i] = notificationJSON(n)
	}
	okPage(c, pg, items, total)
}
