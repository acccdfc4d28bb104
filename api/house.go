package api

import (
	"net/http"

	"github.com/gin-gonic/gin"

	"yaoju/model"
	"yaoju/service/auth"
	"yaoju/service/house"
	"yaoju/service/pii"
)

func houseJSON(h model.House) gin.H {
	return gin.H{
		"id": h.ID, "address": h.Address, "area_id": h.AreaID, "status": h.Status,
		"landlord_name": h.LandlordName, "landlord_phone_masked": pii.MaskPhone(h.LandlordPhone),
		"created_at": ts(h.CreatedAt), "approved_at": ts(h.ApprovedAt),
	}
}

func unitJSON(u model.Unit) gin.H {
	return gin.H{"id": u.ID, "house_id": u.HouseID, "room_no": u.RoomNo, "capacity": u.Capacity, "scene": u.Scene}
}

type newHouseRequest struct {
	Address       string `json:"address"`
	AreaID        uint64 `json:"area_id"`
	LandlordName  string `json:"landlord_name"`
	LandlordPhone string `json:"landlord_phone"`
}

func (r newHouseRequest) house() house.NewHouse {
	return house.NewHouse{Address: r.Address, AreaID: r.AreaID, LandlordName: r.LandlordName, LandlordPhone: r.LandlordPhone}
}

func (h *handler) landlordCreateHouse(c *gin.Context) {
	var req newHouseRequest
	if !bind(c, &req) {
		return
	}
	house, err := h.Houses.Create(c.Request.Context(), principal(c).UserID, req.house())
	if err != nil {
		fail(c, err)
		return
	}
	body := houseJSON(house)
	body["units"] = []gin.H{}
	created(c, body)
}

func (h *handler) landlordHouses(c *gin.Context) {
	houses, err := h.Houses.Mine(c.Request.Context(), principal(c).UserID)
	if err != nil {
		fail(c, err)
		return
	}
	ok(c, housesWithUnitsJSON(houses))
}

func housesWithUnitsJSON(houses []house.HouseWithUnits) []gin.H {
	out := make([]gin.H, len(houses))
	for i, hw := range houses {
		units := make([]gin.H, len(hw.Units))
		for j, u := range hw.Units {
			units[j] = unitJSON(u.Unit)
			units[j]["active_residents"] = u.ActiveResidents
			units[j]["reported_occupants"] = u.ReportedOccupants
		}
		out[i] = houseJSON(hw.House)
		out[i]["units"] = units
	}
	return out
}

type newUnitRequest struct {
	RoomNo   string `json:"room_no"`
	Capacity int    `json:"capacity"`
}

func (h *handler) landlordAddUnit(c *gin.Context) {
	houseID, good := idParam(c, "id")
	var req newUnitRequest
	if !good || !bind(c, &req) {
		return
	}
	u, err := h.Houses.AddUnit(c.Request.Context(), principal(c).UserID, houseID, req.RoomNo, req.Capacity)
	if err != nil {
		fail(c, err)
		return
	}
	created(c, unitJSON(u))
}

// unitCode answers the unit's mini-program code to its landlord or to a
// console user whose area holds the unit.
func (h *handler) unitCode(c *gin.Context) {
	unitID, good := idParam(c, "id")
	if !good {
		return
	}
	ctx := c.Request.Context()
	p := principal(c)
	var unit house.UnitView
	var err error
	if p.Kind == auth.KindWeChat {
		unit, err = h.Houses.OwnedUnit(ctx, p.UserID, unitID)
	} else {
		scope, good := h.scope(c)
		if !good {
			return
		}
		unit, err = h.Houses.ScopedUnit(ctx, scope, unitID)
	}
	if err != nil {
		fail(c, err)
		return
	}
	img, contentType, err := h.Codes.Image(ctx, unit.Unit)
	if err != nil {
		fail(c, err)
		return
	}
	c.Header("Cache-Control", "private, max-age=86400")
	c.Data(200, contentType, img)
}

func (h *handler) consoleHouses(c *gin.Context) {
	scope, good := h.scopeFilter(c)
	pg, good2 := pageParams(c)
	if !good || !good2 {
		return
	}
	houses, total, err := h.Houses.List(c.Request.Context(), house.ConsoleFilter{
		Scope: scope, Status: c.Query("status"), Offset: pg.Offset(), Limit: pg.Size,
	})
	if err != nil {
		fail(c, err)
		return
	}
	okPage(c, pg, housesWithUnitsJSON(houses), total)
}

func (h *handler) consoleCreateHouse(c *gin.Context) {
	var req newHouseRequest
	if !bind(c, &req) {
		return
	}
	scope, good := h.scope(c)
	if !good {
		return
	}
	house, err := h.Houses.CreateApproved(c.Request.Context(), scope, principal(c).AccountID, req.house())
	if err != nil {
		fail(c, err)
		return
	}
	created(c, houseJSON(house))
}

func (h *handler) consoleApproveHouse(c *gin.Context) {
	houseID, good := idParam(c, "id")
	scope, good2 := h.scope(c)
	if !good || !good2 {
		return
	}
	approved, err := h.Houses.Approve(c.Request.Context(), scope, principal(c).AccountID, houseID)
	if err != nil {
		fail(c, err)
		return
	}
	ok(c, houseJSON(approved))
}

func (h *handler) consoleAddUnit(c *gin.Context) {
	houseID, good := idParam(c, "id")
	var req newUnitRequest
	if !good || !bind(c, &req) {
		return
	}
	scope, good := h.scope(c)
	if !good {
		return
	}
	u, err := h.Houses.AddUnitAsConsole(c.Request.Context(), scope, houseID, req.RoomNo, req.Capacity)
	if err != nil {
		fail(c, err)
		return
	}
	created(c, unitJSON(u))
}

// plates streams an A4 PDF of door plates for an area or a house.
func (h *handler) plates(c *gin.Context) {
	scope, good := h.scope(c)
	areaID, good2 := queryID(c, "area_id")
	houseID, good3 := queryID(c, "house_id")
	if !good || !good2 || !good3 {
		return
	}
	next, err := h.Houses.Plates(c.Request.Context(), h.Codes, house.PlateFilter{Scope: scope, AreaID: areaID, HouseID: houseID})
	if err != nil {
		fail(c, err)
		return
	}
	c.Header("Content-Type", "application/pdf")
	c.Header("Content-Disposition", `inline; filename="plates.pdf"`)
	c.Status(200)
	// The status is sent; a failure now can only cut the document short, and
	// the connection is dropped so that the client sees it as broken.
	if err := h.Plates.Render(c.Writer, next); err != nil {
		h.Log.Error("plates cut short", "request_id", c.GetString(requestIDKey), "err", err.Error())
		panic(http.ErrAbortHandler)
	}
}
