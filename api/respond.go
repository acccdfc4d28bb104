package api

import (
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"strconv"
	"time"

	"github.com/gin-gonic/gin"

	"yaoju/model"
	"yaoju/service/errs"
)

// problem is how one kind of error is answered.
type problem struct {
	status int
	code   int
	reason string
	msg    string
}

// The only table that maps domain errors to HTTP answers.
var (
	problemBadRequest   = problem{http.StatusBadRequest, 40000, "bad_request", "请求格式不正确"}
	problemTooLarge     = problem{http.StatusRequestEntityTooLarge, 41300, "too_large", "提交的内容太大"}
	problemUnauthorized = problem{http.StatusUnauthorized, 40100, "unauthorized", "请先登录"}
	problemInternal     = problem{http.StatusInternalServerError, 50000, "internal", "系统繁忙，请稍后再试"}

	sentinelProblems = []struct {
		err error
		problem
	}{
		{errs.ErrNotFound, problem{http.StatusNotFound, 40400, "not_found", "没有找到相关记录"}},
		{errs.ErrConflict, problem{http.StatusConflict, 40900, "conflict", "该记录已存在或状态已变化，请刷新后再试"}},
		{errs.ErrNotActive, problem{http.StatusConflict, 40901, "not_active", "该居住登记已注销，无需签到"}},
		{errs.ErrNotApproved, problem{http.StatusConflict, 40902, "not_approved", "该房屋尚未通过审核，审核通过后才能申报居住和打印门牌"}},
		{errs.ErrInvalidCode, problem{http.StatusUnauthorized, 40101, "unauthorized", "微信登录凭证无效，请重新进入小程序"}},
		{errs.ErrBadCredentials, problem{http.StatusUnauthorized, 40102, "unauthorized", "用户名或密码错误"}},
		{errs.ErrUnauthorized, problemUnauthorized},
		{errs.ErrForbidden, problem{http.StatusForbidden, 40300, "forbidden", "没有权限进行此操作"}},
		{errs.ErrLocked, problem{http.StatusTooManyRequests, 42901, "rate_limited", "密码错误次数过多，账号已临时锁定，请稍后再试"}},
		{errs.ErrRateLimited, problem{http.StatusTooManyRequests, 42900, "rate_limited", "操作太频繁，请稍后再试"}},
		{errs.ErrSceneMismatch, problem{http.StatusUnprocessableEntity, 42201, "scene_mismatch", "扫描的不是您登记住址的门牌码，请在住处门口扫码签到"}},
		{errs.ErrUnavailable, problem{http.StatusServiceUnavailable, 50300, "unavailable", "服务暂时不可用，请稍后再试"}},
	}
)

// fieldMessages says, per field, what a person should fix. A "field.rule"
// entry is more precise than the field's own.
var fieldMessages = map[string]string{
	"id_number":            "身份证号码不正确，请核对后重新填写",
	"id_number.checksum":   "身份证号码校验位不正确，请核对后重新填写",
	"id_number.birth_date": "身份证号码中的出生日期不正确，请核对",
	"id_number.legacy15":   "请填写18位第二代居民身份证号码",
	"id_number.region":     "身份证号码前两位地区码不正确，请核对",
	"phone":                "手机号码不正确，请填写11位中国大陆手机号",
	"move_in_date":         "入住日期不正确，格式为年-月-日，如 2026-12-01",
	"move_in_date.future":  "入住日期不能晚于今天",
	"move_in_date.too_old": "入住日期不能早于一年前，请联系社区登记",
	"name":                 "姓名应为2到30个字",
	"hometown":             "户籍地址不能超过100个字",
	"workplace":            "工作单位不能超过100个字",
	"relation":             "与户主关系请从列表中选择",
	"reason":               "来本地事由请从列表中选择",
	"housing_type":         "住所类型请从列表中选择",
	"address":              "地址应为5到200个字",
	"room_no":              "房号应为1到32个字",
	"capacity":             "可住人数应为1到50之间的整数",
	"area_id":              "请选择房屋所在的社区",
	"area_id.community":    "请选择房屋所在的社区（社区一级）",
	"scene":                "门牌码无效，请重新扫描门口的二维码",
	"code":                 "微信登录凭证不能为空",
	"username":             "请填写用户名",
	"password":             "请填写密码（8到72个字符）",
	"role":                 "角色应为 worker、police 或 admin",
	"occupants":            "实住人数应为0到100之间的整数",
	"outcome":              "处理结果应为 still_living、left、corrected 或 not_found",
	"note":                 "备注不能超过500个字",
	"page":                 "页码应为正整数",
	"page_size":            "每页条数应为1到100之间的整数",
	"landlord_phone":       "房东手机号不正确，请填写11位中国大陆手机号",
	"landlord_name":        "房东姓名应为1到32个字",
	"template_ids":         "订阅模板列表不正确",
	"status":               "状态参数不正确",
	"type":                 "类型参数不正确",
	"tier":                 "风险等级应为 green、yellow 或 red",
	"unit_id":              "请选择房间",
	"house_id":             "请选择房屋",
	"metric":               "统计指标不正确",
	"from":                 "开始日期不正确",
	"to":                   "结束日期不正确",
	"q":                    "搜索内容太长",
	"id":                   "编号不正确",
	"decision":             "审核结果应为 accept、approve 或 reject",
}

func problemFor(err error) (problem, any) {
	var invalid *errs.ValidationError
	if errors.As(err, &invalid) {
		msg, ok := fieldMessages[invalid.Field+"."+invalid.Rule]
		if !ok {
			msg, ok = fieldMessages[invalid.Field]
		}
		if !ok {
			msg = "填写的内容不正确：" + invalid.Field
		}
		return problem{http.StatusUnprocessableEntity, 42200, "invalid_" + invalid.Field, msg}, nil
	}
	var notEligible *errs.NotEligible
	if errors.As(err, &notEligible) {
		return problem{http.StatusUnprocessableEntity, 42202, "not_eligible", "居住未满6个月，暂不能申领居住证"},
			gin.H{"eligible_from": date(notEligible.From)}
	}
	var tooLarge *http.MaxBytesError
	if errors.As(err, &tooLarge) {
		return problemTooLarge, nil
	}
	for _, s := range sentinelProblems {
		if errors.Is(err, s.err) {
			return s.problem, nil
		}
	}
	return problemInternal, nil
}

// ok answers 200 with the envelope.
func ok(c *gin.Context, data any) { c.JSON(http.StatusOK, gin.H{"code": 0, "msg": "ok", "data": data}) }

// created answers 201 with the envelope.
func created(c *gin.Context, data any) {
	c.JSON(http.StatusCreated, gin.H{"code": 0, "msg": "ok", "data": data})
}

// fail answers err through the table; unknown errors are logged with the
// request id and answered without detail.
func fail(c *gin.Context, err error) {
	p, data := problemFor(err)
	if p.status >= 500 {
		c.Error(err) // logged with the request by observe
	}
	abort(c, p, data)
}

func abort(c *gin.Context, p problem, data any) {
	body := gin.H{"code": p.code, "msg": p.msg, "reason": p.reason}
	if data != nil {
		body["data"] = data
	}
	c.AbortWithStatusJSON(p.status, body)
}

// bind decodes a JSON body into v. Malformed JSON is bad_request; a value of
// the wrong type is invalid_<field>.
func bind(c *gin.Context, v any) bool {
	dec := json.NewDecoder(c.Request.Body)
	dec.UseNumber()
	err := dec.Decode(v)
	if err == nil || errors.Is(err, io.EOF) {
		return true
	}
	var typeErr *json.UnmarshalTypeError
	var tooLarge *http.MaxBytesError
	switch {
	case errors.As(err, &tooLarge):
		abort(c, problemTooLarge, nil)
	case errors.As(err, &typeErr) && typeErr.Field != "":
		fail(c, errs.Invalid(typeErr.Field, "type"))
	default:
		abort(c, problemBadRequest, nil)
	}
	return false
}

// idParam reads a numeric path parameter; anything else is not found.
func idParam(c *gin.Context, name string) (uint64, bool) {
	id, err := strconv.ParseUint(c.Param(name), 10, 64)
	if err != nil || id == 0 {
		fail(c, errs.ErrNotFound)
		return 0, false
	}
	return id, true
}

// queryID reads an optional numeric query parameter.
func queryID(c *gin.Context, name string) (uint64, bool) {
	raw := c.Query(name)
	if raw == "" {
		return 0, true
	}
	id, err := strconv.ParseUint(raw, 10, 64)
	if err != nil || id == 0 {
		fail(c, errs.Invalid(name, ""))
		return 0, false
	}
	return id, true
}

// page is the list convention: ?page=1&page_size=20, at most 100.
type page struct{ Page, Size int }

func (p page) Offset() int { return (p.Page - 1) * p.Size }

func pageParams(c *gin.Context) (page, bool) {
	p := page{Page: 1, Size: 20}
	for name, dst := range map[string]*int{"page": &p.Page, "page_size": &p.Size} {
		raw := c.Query(name)
		if raw == "" {
			continue
		}
		n, err := strconv.Atoi(raw)
		if err != nil || n < 1 || n > 1_000_000 {
			fail(c, errs.Invalid(name, ""))
			return p, false
		}
		*dst = n
	}
	p.Size = min(p.Size, 100)
	return p, true
}

func okPage(c *gin.Context, p page, items any, total int64) {
	ok(c, gin.H{"items": items, "total": total, "page": p.Page, "page_size": p.Size})
}

// ts renders a time as RFC 3339 in Asia/Shanghai; a nil or zero time is null.
func ts(t any) any {
	switch v := t.(type) {
	case time.Time:
		if v.IsZero() {
			return nil
		}
		return v.In(model.Shanghai).Format(time.RFC3339)
	case *time.Time:
		if v == nil || v.IsZero() {
			return nil
		}
		return v.In(model.Shanghai).Format(time.RFC3339)
	}
	return nil
}

// date renders the calendar date in Asia/Shanghai.
func date(t time.Time) string { return t.In(model.Shanghai).Format(time.DateOnly) }
