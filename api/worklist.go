package api

import (
	"github.com/gin-gonic/gin"

	"yaoju/model"
	"yaoju/service/residence"
	"yaoju/service/worklist"
)

func taskJSON(t model.Task) gin.H {
	return gin.H{
		"id": t.ID, "type": t.Type, "status": t.Status, "area_id": t.AreaID, "residence_id": t.ResidenceID,
		"unit_id": t.UnitID, "tier": t.Tier, "opened_at": ts(t.OpenedAt), "started_at": ts(t.StartedAt),
		"closed_at": ts(t.ClosedAt), "outcome": t.Outcome, "note": t.Note, "detail": t.Detail,
	}
}

func tasksJSON(list []model.Task) []gin.H {
	out := make([]gin.H, len(list))
	for i, t := range list {
		out[i] = taskJSON(t)
	}
	return out
}

func (h *handler) tasks(c *gin.Context) {
	scope, good := h.scopeFilter(c)
	pg, good2 := pageParams(c)
	if !good || !good2 {
		return
	}
	list, total, err := h.Worklist.List(c.Request.Context(), worklist.Filter{
		Scope: scope, Status: c.Query("status"), Type: c.Query("type"), Offset: pg.Offset(), Limit: pg.Size,
	})
	if err != nil {
		fail(c, err)
		return
	}
	items := make([]gin.H, len(list))
	for i, it := range list {
		items[i] = taskJSON(it.Task)
		items[i]["address"], items[i]["room_no"], items[i]["name"] = it.Address, it.RoomNo, it.Name
	}
	okPage(c, pg, items, total)
}

func (h *handler) startTask(c *gin.Context) {
	id, good := idParam(c, "id")
	scope, good2 := h.scope(c)
	if !good || !good2 {
		return
	}
	t, err := h.Worklist.Start(c.Request.Context(), scope, id, principal(c).AccountID)
	if err != nil {
		fail(c, err)
		return
	}
	ok(c, taskJSON(t))
}

func (h *handler) closeTask(c *gin.Context) {
	id, good := idParam(c, "id")
	var req struct {
		Outcome     string `json:"outcome"`
		Note        string `json:"note"`
		Corrections struct {
			Phone     *string `json:"phone"`
			Workplace *string `json:"workplace"`
		} `json:"corrections"`
	}
	if !good || !bind(c, &req) {
		return
	}
	scope, good := h.scope(c)
	if !good {
		return
	}
	t, err := h.Worklist.Close(c.Request.Context(), scope, id, actor(c), worklist.Closing{
		Outcome: req.Outcome, Note: req.Note,
		Corrections: residence.Changes{Phone: req.Corrections.Phone, Workplace: req.Corrections.Workplace},
	})
	if err != nil {
		fail(c, err)
		return
	}
	ok(c, taskJSON(t))
}

func (h *handler) reportUnregistered(c *gin.Context) {
	var req struct {
		UnitID uint64 `json:"unit_id"`
		Note   string `json:"note"`
	}
	if !bind(c, &req) {
		return
	}
	scope, good := h.scope(c)
	if !good {
		return
	}
	t, err := h.Worklist.ReportUnregistered(c.Request.Context(), scope, req.UnitID, req.Note, actor(c))
	if err != nil {
		fail(c, err)
		return
	}
	created(c, taskJSON(t))
}

func (h *handler) consoleResidences(c *gin.Context) {
	scope, good := h.scopeFilter(c)
	pg, good2 := pageParams(c)
	if !good || !good2 {
		return
	}
	list, total, err := h.Residences.Search(c.Request.Context(), residence.Filter{
		Scope: scope, Q: c.Query("q"), Status: c.Query("status"), Tier: c.Query("tier"), Offset: pg.Offset(), Limit: pg.Size,
	})
	if err != nil {
		fail(c, err)
		return
	}
	okPage(c, pg, residencesJSON(list, false), total)
}

func (h *handler) consoleResidence(c *gin.Context) {
	id, good := idParam(c, "id")
	scope, good2 := h.scope(c)
	if !good || !good2 {
		return
	}
	d, err := h.Residences.Detail(c.Request.Context(), scope, id)
	if err != nil {
		fail(c, err)
		return
	}
	body := residenceJSON(d.View, false)
	checkins := make([]gin.H, len(d.Checkins))
	for i, ch := range d.Checkins {
		checkins[i] = gin.H{"id": ch.ID, "at": ts(ch.At), "due_at": ts(ch.DueAt), "on_time": ch.OnTime, "source": ch.Source}
	}
	notifications := make([]gin.H, len(d.Notifications))
	for i, n := range d.Notifications {
		notifications[i] = notificationJSON(n)
	}
	body["checkins"], body["notifications"], body["tasks"] = checkins, notifications, tasksJSON(d.Tasks)
	ok(c, body)
}

func (h *handler) consoleIDNumber(c *gin.Context) {
	id, good := idParam(c, "id")
	scope, good2 := h.scope(c)
	if !good || !good2 {
		return
	}
	number, err := h.Residences.IDNumber(c.Request.Context(), scope, id, actor(c))
	if err != nil {
		fail(c, err)
		return
	}
	c.Header("Cache-Control", "no-store")
	ok(c, gin.H{"id_number": number})
}
