package api

import (
	"time"

	"github.com/gin-gonic/gin"

	"yaoju/model"
	"yaoju/service/audit"
	"yaoju/service/auth"
	"yaoju/service/errs"
)

func (h *handler) stats(c *gin.Context) {
	scope, good := h.scopeFilter(c)
	if !good {
		return
	}
	s, err := h.Stats.Summary(c.Request.Context(), scope)
	if err != nil {
		fail(c, err)
		return
	}
	ok(c, gin.H{
		"period_from": date(s.PeriodFrom), "active_residents": s.ActiveResidents,
		"declared_this_month": s.DeclaredThisMonth, "self_declared_share": s.SelfDeclaredShare,
		"late_declarations": s.LateDeclarations, "checkin_on_time_rate": s.CheckinOnTimeRate,
		"overdue": s.Overdue, "tasks_open": s.TasksOpen, "tasks_closed": s.TasksClosed,
		"median_close_hours": s.MedianCloseHours, "unregistered_found": s.UnregisteredFound,
		"expired_found": s.ExpiredFound, "registration_rate": s.RegistrationRate, "tier_counts": s.TierCounts,
	})
}

func (h *handler) statsSeries(c *gin.Context) {
	scope, good := h.scopeFilter(c)
	if !good {
		return
	}
	today := model.StartOfDay(h.Now())
	from, to := today.AddDate(0, 0, -29), today
	for name, dst := range map[string]*time.Time{"from": &from, "to": &to} {
		if raw := c.Query(name); raw != "" {
			d, err := time.ParseInLocation(time.DateOnly, raw, model.Shanghai)
			if err != nil {
				fail(c, errs.Invalid(name, "format"))
				return
			}
			*dst = d
		}
	}
	metric := c.DefaultQuery("metric", "active_residents")
	points, err := h.Stats.Series(c.Request.Context(), scope, metric, from, to)
	if err != nil {
		fail(c, err)
		return
	}
	out := make([]gin.H, len(points))
	for i, p := range points {
		out[i] = gin.H{"date": p.Date, "value": p.Value}
	}
	ok(c, out)
}

func (h *handler) auditLog(c *gin.Context) {
	pg, good := pageParams(c)
	if !good {
		return
	}
	rows, total, err := h.Audit.List(c.Request.Context(), audit.Filter{
		Actor: c.Query("actor"), Action: c.Query("action"), Offset: pg.Offset(), Limit: pg.Size,
	})
	if err != nil {
		fail(c, err)
		return
	}
	items := make([]gin.H, len(rows))
	for i, r := range rows {
		items[i] = gin.H{"id": r.ID, "at": ts(r.At), "actor_kind": r.ActorKind, "actor_id": r.ActorID,
			"actor": r.ActorName, "action": r.Action, "object_type": r.ObjectType, "object_id": r.ObjectID,
			"ip": r.IP, "detail": r.Detail}
	}
	okPage(c, pg, items, total)
}

func (h *handler) createAccount(c *gin.Context) {
	var req struct {
		Username string `json:"username"`
		Password string `json:"password"`
		Role     string `json:"role"`
		AreaID   uint64 `json:"area_id"`
	}
	if !bind(c, &req) {
		return
	}
	ctx := c.Request.Context()
	a, err := h.Console.CreateAccount(ctx, auth.NewAccount(req), func(id uint64) bool {
		_, err := h.Areas.Get(ctx, id)
		return err == nil
	})
	if err != nil {
		fail(c, err)
		return
	}
	if err := h.Audit.Record(ctx, nil, actor(c), "account.create", "account", a.ID, a.Username); err != nil {
		fail(c, err)
		return
	}
	created(c, gin.H{"id": a.ID, "username": a.Username, "role": a.Role, "area_id": a.AreaID})
}
