// Package api is yaoju's HTTP face: the Gin router, middleware, handlers and
// the response envelope. Handlers parse, authorize, call one service method
// and render; the rules live in service/.
package api

import (
	"context"
	"log/slog"
	"net/http"
	"time"

	"github.com/gin-gonic/gin"
	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/promhttp"

	"yaoju/api/console"
	"yaoju/model"
	"yaoju/service/area"
	"yaoju/service/audit"
	"yaoju/service/auth"
	"yaoju/service/checkin"
	"yaoju/service/errs"
	"yaoju/service/house"
	"yaoju/service/notify"
	"yaoju/service/plate"
	"yaoju/service/ratelimit"
	"yaoju/service/residence"
	"yaoju/service/stats"
	"yaoju/service/wechat"
	"yaoju/service/worklist"
)

// Deps is everything the handlers use, built in main.
type Deps struct {
	Log      *slog.Logger
	Registry *prometheus.Registry
	// Ready answers whether the database and Redis respond.
	Ready func(ctx context.Context) error

	Sessions    *auth.Sessions
	MiniProgram *auth.MiniProgram
	Console     *auth.Console
	Areas       *area.Service
	Audit       *audit.Service
	Limiter     *ratelimit.Limiter
	Houses      *house.Service
	Codes       *house.Codes
	Plates      *plate.Renderer
	Residences  *residence.Service
	Checkins    *checkin.Service
	Credits     *notify.Credits
	Outbox      *notify.Outbox
	WeChat      *wechat.Client
	Worklist    *worklist.Service
	Stats       *stats.Service

	MaxBodyBytes  int64
	ScanRateLimit int
	Now           func() time.Time
}

type handler struct{ Deps }

// NewRouter builds the whole HTTP surface.
func NewRouter(d Deps) *gin.Engine {
	gin.SetMode(gin.ReleaseMode)
	h := &handler{d}
	r := gin.New()
	r.HandleMethodNotAllowed = true
	r.NoRoute(func(c *gin.Context) { fail(c, errs.ErrNotFound) })
	r.NoMethod(func(c *gin.Context) { fail(c, errs.ErrNotFound) })
	r.Use(requestID(), observe(d.Log, newHTTPMetrics(d.Registry)), recovery(d.Log), limitBody(d.MaxBodyBytes))

	r.GET("/healthz", func(c *gin.Context) { ok(c, gin.H{"status": "ok"}) })
	r.GET("/readyz", h.ready)
	r.GET("/metrics", gin.WrapH(promhttp.HandlerFor(d.Registry, promhttp.HandlerOpts{})))
	r.StaticFS("/console", http.FS(console.Files()))
	r.GET("/", func(c *gin.Context) { c.Redirect(http.StatusFound, "/console/") })

	v1 := r.Group("/api/v1")
	v1.POST("/wx/login", h.wxLogin)
	v1.POST("/console/login", h.consoleLogin)
	v1.GET("/areas", h.areaTree)

	v1.POST("/logout", h.logout)
	v1.GET("/wx/callback", h.wxCallback)
	v1.POST("/wx/callback", h.wxCallback)
	v1.GET("/units/:id/wxacode", h.authenticate(""), h.unitCode)

	wx := v1.Group("", h.authenticate(auth.KindWeChat))
	wx.POST("/wx/phone", h.wxPhone)
	wx.GET("/scan/:scene", h.scan)
	wx.POST("/declarations", h.declare)
	wx.GET("/me/residences", h.myResidences)
	wx.PATCH("/me/residences/:id", h.updateResidence)
	wx.POST("/me/residences/:id/leave", h.leave)
	wx.POST("/me/residences/:id/checkin", h.checkin)
	wx.POST("/me/subscriptions", h.subscribe)

	landlord := wx.Group("/landlord")
	landlord.POST("/houses", h.landlordCreateHouse)
	landlord.GET("/houses", h.landlordHouses)
	landlord.POST("/houses/:id/units", h.landlordAddUnit)
	landlord.GET("/units/:id/residents", h.unitResidents)
	landlord.POST("/units/:id/occupancy", h.reportOccupancy)
	landlord.POST("/residences/:id/deregister", h.deregister)

	console := v1.Group("/console", h.authenticate(auth.KindConsole))
	console.GET("/me", h.consoleMe)
	console.GET("/houses", h.consoleHouses)
	console.POST("/houses", roles(model.RolePolice, model.RoleAdmin), h.consoleCreateHouse)
	console.POST("/houses/:id/approve", h.consoleApproveHouse)
	console.POST("/houses/:id/units", h.consoleAddUnit)
	console.GET("/plates.pdf", h.plates)
	console.GET("/notifications", h.consoleNotifications)
	console.GET("/tasks", h.tasks)
	console.POST("/tasks/:id/start", h.startTask)
	console.POST("/tasks/:id/close", h.closeTask)
	console.POST("/reports/unregistered", h.reportUnregistered)
	console.GET("/residences", h.consoleResidences)
	console.GET("/residences/:id", h.consoleResidence)
	console.GET("/residences/:id/id-number", roles(model.RolePolice, model.RoleAdmin), h.consoleIDNumber)
	console.GET("/export/residences.xlsx", h.exportResidences)
	console.GET("/stats", h.stats)
	console.GET("/stats/series", h.statsSeries)
	console.GET("/audit", roles(model.RoleAdmin), h.auditLog)
	console.POST("/accounts", roles(model.RoleAdmin), h.createAccount)
	serveOpenAPI(r)
	return r
}

func (h *handler) ready(c *gin.Context) {
	ctx, cancel := context.WithTimeout(c.Request.Context(), 2*time.Second)
	defer cancel()
	if err := h.Ready(ctx); err != nil {
		h.Log.Warn("not ready", "err", err.Error())
		c.AbortWithStatusJSON(http.StatusServiceUnavailable, gin.H{"code": 50300, "msg": "服务暂时不可用", "reason": "unavailable"})
		return
	}
	ok(c, gin.H{"status": "ready"})
}

func (h *handler) areaTree(c *gin.Context) {
	tree, err := h.Areas.Tree(c.Request.Context())
	if err != nil {
		fail(c, err)
		return
	}
	ok(c, tree)
}
