package api

import (
	"net/http"
	"regexp"
	"strings"

	"github.com/gin-gonic/gin"
)

// summaries describe the routes in the machine-readable contract; the paths
// and methods come from the router itself, so the two cannot drift apart.
var summaries = map[string]string{
	"POST /api/v1/wx/login":                            "Sign in with a wx.login code",
	"POST /api/v1/wx/phone":                            "Bind the phone number from getPhoneNumber",
	"POST /api/v1/logout":                              "Revoke the presented token",
	"GET /api/v1/wx/callback":                          "WeChat message push: URL verification (echostr)",
	"POST /api/v1/wx/callback":                         "WeChat message push: subscription events",
	"GET /api/v1/scan/{scene}":                         "What a scanned door code shows",
	"POST /api/v1/declarations":                        "Declare residence in the scanned unit",
	"GET /api/v1/me/residences":                        "The tenant's residences",
	"PATCH /api/v1/me/residences/{id}":                 "Change phone or workplace",
	"POST /api/v1/me/residences/{id}/checkin":          "Monthly check-in with the scanned scene",
	"POST /api/v1/me/residences/{id}/leave":            "Declare having left",
	"POST /api/v1/me/subscriptions":                    "Record accepted subscription templates",
	"POST /api/v1/landlord/houses":                     "Register a house (pending)",
	"GET /api/v1/landlord/houses":                      "The landlord's houses with units",
	"POST /api/v1/landlord/houses/{id}/units":          "Add a unit with a new scene code",
	"GET /api/v1/units/{id}/wxacode":                   "The unit's mini-program code (image/jpeg)",
	"GET /api/v1/landlord/units/{id}/residents":        "Residents of a unit, masked",
	"POST /api/v1/landlord/units/{id}/occupancy":       "Report how many people live in a unit",
	"POST /api/v1/landlord/residences/{id}/deregister": "De-register a tenant who left",
	"GET /api/v1/areas":                                "The area tree",
	"POST /api/v1/console/login":                       "Console sign-in",
	"GET /api/v1/console/me":                           "The signed-in console account",
	"GET /api/v1/console/houses":                       "Houses in the caller's area",
	"POST /api/v1/console/houses":                      "Create an approved house for a landlord (police, admin)",
	"POST /api/v1/console/houses/{id}/approve":         "Approve a house",
	"POST /api/v1/console/houses/{id}/units":           "Add a unit to a house",
	"GET /api/v1/console/plates.pdf":                   "A4 PDF of door plates for ?area_id= or ?house_id=",
	"GET /api/v1/console/notifications":                "Notification attempts",
	"GET /api/v1/console/tasks":                        "The worklist, worst tier first",
	"POST /api/v1/console/tasks/{id}/start":            "Start a task",
	"POST /api/v1/console/tasks/{id}/close":            "Close a task with an outcome",
	"POST /api/v1/console/reports/unregistered":        "Report an unregistered occupant",
	"GET /api/v1/console/residences":                   "Search residences, masked",
	"GET /api/v1/console/residences/{id}":              "A residence with check-ins, notifications and tasks",
	"GET /api/v1/console/residences/{id}/id-number":    "The full ID number (police, admin; audited)",
	"GET /api/v1/console/stats":                        "Statistics of an area",
	"GET /api/v1/console/stats/series":                 "A statistic day by day",
	"GET /api/v1/console/audit":                        "The audit log (admin)",
	"POST /api/v1/console/accounts":                    "Create a console account (admin)",
	"GET /healthz":                                     "The process runs",
	"GET /readyz":                                      "The database and Redis answer",
	"GET /metrics":                                     "Prometheus metrics",
}

var pathParam = regexp.MustCompile(`:([a-z_]+)`)

// openAPI describes the routes as OpenAPI 3.
func openAPI(routes gin.RoutesInfo) gin.H {
	paths := gin.H{}
	for _, r := range routes {
		if !strings.HasPrefix(r.Path, "/api/") && !strings.HasPrefix(r.Path, "/healthz") &&
			!strings.HasPrefix(r.Path, "/readyz") && r.Path != "/metrics" {
			continue
		}
		path := pathParam.ReplaceAllString(r.Path, "{$1}")
		op := gin.H{
			"summary": summaries[r.Method+" "+path],
			"responses": gin.H{
				"200":     gin.H{"description": "ok", "content": gin.H{"application/json": gin.H{"schema": gin.H{"$ref": "#/components/schemas/Envelope"}}}},
				"default": gin.H{"description": "error", "content": gin.H{"application/json": gin.H{"schema": gin.H{"$ref": "#/components/schemas/Error"}}}},
			},
		}
		var params []gin.H
		for _, m := range pathParam.FindAllStringSubmatch(r.Path, -1) {
			params = append(params, gin.H{"name": m[1], "in": "path", "required": true, "schema": gin.H{"type": "string"}})
		}
		if params != nil {
			op["parameters"] = params
		}
		switch {
		case strings.HasPrefix(path, "/api/v1/console/") && path != "/api/v1/console/login":
			op["security"] = []gin.H{{"consoleToken": []string{}}}
		case strings.HasPrefix(path, "/api/v1/me/"), strings.HasPrefix(path, "/api/v1/landlord/"),
			path == "/api/v1/declarations", strings.HasPrefix(path, "/api/v1/scan/"), path == "/api/v1/wx/phone":
			op["security"] = []gin.H{{"miniProgramToken": []string{}}}
		}
		item, _ := paths[path].(gin.H)
		if item == nil {
			item = gin.H{}
			paths[path] = item
		}
		item[strings.ToLower(r.Method)] = op
	}
	return gin.H{
		"openapi": "3.0.3",
		"info":    gin.H{"title": "yaoju", "version": "1", "description": "See API.md: envelope, error reasons and list conventions."},
		"paths":   paths,
		"components": gin.H{
			"securitySchemes": gin.H{
				"miniProgramToken": gin.H{"type": "http", "scheme": "bearer"},
				"consoleToken":     gin.H{"type": "http", "scheme": "bearer"},
			},
			"schemas": gin.H{
				"Envelope": gin.H{"type": "object", "required": []string{"code", "msg"}, "properties": gin.H{
					"code": gin.H{"type": "integer", "enum": []int{0}}, "msg": gin.H{"type": "string"}, "data": gin.H{},
				}},
				"Error": gin.H{"type": "object", "required": []string{"code", "msg", "reason"}, "properties": gin.H{
					"code": gin.H{"type": "integer"}, "msg": gin.H{"type": "string"}, "reason": gin.H{"type": "string"},
					"data": gin.H{"type": "object"},
				}},
			},
		},
	}
}

// serveOpenAPI adds GET /openapi.json; call it after every other route.
func serveOpenAPI(r *gin.Engine) {
	spec := openAPI(r.Routes())
	r.GET("/openapi.json", func(c *gin.Context) { c.JSON(http.StatusOK, spec) })
}
