package api

import (
	"errors"
	"strconv"
	"time"

	"github.com/gin-gonic/gin"

	"yaoju/model"
	"yaoju/service/audit"
	"yaoju/service/auth"
	"yaoju/service/errs"
	"yaoju/service/pii"
	"yaoju/service/residence"
)

// actor is the caller, for the audit log.
func actor(c *gin.Context) audit.Actor {
	p := principal(c)
	if p.Kind == auth.KindConsole {
		return audit.Actor{Kind: model.ActorAccount, ID: p.AccountID, Name: p.Username, IP: c.ClientIP()}
	}
	return audit.Actor{Kind: model.ActorUser, ID: p.UserID, IP: c.ClientIP()}
}

// residenceJSON renders a residence with the ID number and phone masked.
// Landlords also see the name masked (DESIGN: PII); tenants see their own,
// and console users need it for their visits.
func residenceJSON(v residence.View, maskName bool) gin.H {
	name := v.Name
	if maskName {
		name = pii.MaskName(name)
	}
	return gin.H{
		"id": v.ID, "unit_id": v.UnitID, "address": v.Address, "room_no": v.RoomNo, "name": name,
		"id_number_masked": v.IDMasked, "phone_masked": pii.MaskPhone(v.Phone), "workplace": v.Workplace,
		"hometown": v.Hometown, "relation": v.Relation, "reason": v.Reason, "housing_type": v.HousingType,
		"move_in_date": date(v.MoveInDate), "declared_at": ts(v.DeclaredAt), "late": v.Late,
		"status": v.Status, "end_reason": v.EndReason, "ended_at": ts(v.EndedAt),
		"next_checkin_due": ts(v.NextCheckinDue), "last_checkin_at": ts(v.LastCheckinAt), "tier": v.Tier,
		"area_id": v.AreaID, "source": v.Source,
	}
}

func residencesJSON(list []residence.View, maskName bool) []gin.H {
	out := make([]gin.H, len(list))
	for i, v := range list {
		out[i] = residenceJSON(v, maskName)
	}
	return out
}

func (h *handler) scan(c *gin.Context) {
	p := principal(c)
	ctx := c.Request.Context()
	// Codes are unguessable; the limits stop anyone trying to enumerate them.
	// They fail open: a Redis outage must not stop tenants at their doors.
	for _, key := range []string{"scan:user:" + strconv.FormatUint(p.UserID, 10), "scan:ip:" + c.ClientIP()} {
		if err := h.Limiter.Allow(ctx, key, h.ScanRateLimit, time.Minute); errors.Is(err, errs.ErrRateLimited) {
			fail(c, err)
			return
		}
	}
	s, err := h.Residences.Scan(ctx, p.UserID, c.Param("scene"))
	if err != nil {
		fail(c, err)
		return
	}
	var mine any
	if s.Mine != nil {
		mine = residenceJSON(*s.Mine, false)
	}
	u := s.Unit
	ok(c, gin.H{
		"unit": gin.H{
			"id": u.Unit.ID, "room_no": u.Unit.RoomNo, "address": u.House.Address, "area_name": u.AreaName,
			"landlord_name_masked": pii.MaskName(u.House.LandlordName), "accepting": u.House.Status == model.HouseApproved,
		},
		"my_residence": mine,
	})
}

type declarationRequest struct {
	Scene       string `json:"scene"`
	Name        string `json:"name"`
	IDNumber    string `json:"id_number"`
	Phone       string `json:"phone"`
	Hometown    string `json:"hometown"`
	Workplace   string `json:"workplace"`
	MoveInDate  string `json:"move_in_date"`
	Relation    string `json:"relation"`
	Reason      string `json:"reason"`
	HousingType string `json:"housing_type"`
}

func (h *handler) declare(c *gin.Context) {
	var req declarationRequest
	if !bind(c, &req) {
		return
	}
	v, isNew, err := h.Residences.Declare(c.Request.Context(), principal(c).UserID, residence.Declaration(req), actor(c))
	if err != nil {
		fail(c, err)
		return
	}
	if isNew {
		created(c, residenceJSON(v, false))
		return
	}
	ok(c, residenceJSON(v, false))
}

func (h *handler) myResidences(c *gin.Context) {
	list, err := h.Residences.Mine(c.Request.Context(), principal(c).UserID)
	if err != nil {
		fail(c, err)
		return
	}
	items := residencesJSON(list, false)
	ok(c, gin.H{"items": items, "total": len(items), "page": 1, "page_size": len(items)})
}

func (h *handler) updateResidence(c *gin.Context) {
	id, good := idParam(c, "id")
	var req struct {
		Phone     *string `json:"phone"`
		Workplace *string `json:"workplace"`
	}
	if !good || !bind(c, &req) {
		return
	}
	v, err := h.Residences.Update(c.Request.Context(), principal(c).UserID, id,
		residence.Changes{Phone: req.Phone, Workplace: req.Workplace}, actor(c))
	if err != nil {
		fail(c, err)
		return
	}
	ok(c, residenceJSON(v, false))
}

func (h *handler) leave(c *gin.Context) {
	id, good := idParam(c, "id")
	if !good {
		return
	}
	v, err := h.Residences.Leave(c.Request.Context(), principal(c).UserID, id, actor(c))
	if err != nil {
		fail(c, err)
		return
	}
	ok(c, residenceJSON(v, false))
}

func (h *handler) unitResidents(c *gin.Context) {
	unitID, good := idParam(c, "id")
	if !good {
		return
	}
	list, err := h.Residences.Residents(c.Request.Context(), principal(c).UserID, unitID)
	if err != nil {
		fail(c, err)
		return
	}
	ok(c, residencesJSON(list, true))
}

func (h *handler) deregister(c *gin.Context) {
	id, good := idParam(c, "id")
	var req struct {
		Reason string `json:"reason"`
	}
	if !good || !bind(c, &req) {
		return
	}
	v, err := h.Residences.Deregister(c.Request.Context(), principal(c).UserID, id, req.Reason, actor(c))
	if err != nil {
		fail(c, err)
		return
	}
	ok(c, residenceJSON(v, true))
}

func (h *handler) reportOccupancy(c *gin.Context) {
	unitID, good := idParam(c, "id")
	var req struct {
		Occupants *int `json:"occupants"`
	}
	if !good || !bind(c, &req) {
		return
	}
	if req.Occupants == nil {
		fail(c, errs.Invalid("occupants", "required"))
		return
	}
	if err := h.Residences.ReportOccupancy(c.Request.Context(), principal(c).UserID, unitID, *req.Occupants); err != nil {
		fail(c, err)
		return
	}
	ok(c, gin.H{})
}
