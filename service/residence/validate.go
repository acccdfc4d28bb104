package residence

import (
	"slices"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

	"yaoju/model"
	"yaoju/service/errs"
	"yaoju/service/pii"
)

// Code lists, after GB/T 31000-2015 (社会治安综合治理基础数据规范).
var (
	// Relations to the householder (与户主关系).
	Relations = []string{"本人", "户主", "配偶", "子女", "父母", "兄弟姐妹", "祖父母", "孙子女", "其他亲属", "同事", "朋友", "租客", "其他"}
	// Reasons for coming (来本地事由).
	Reasons = []string{"务工", "经商", "投亲靠友", "就学", "培训", "就医", "随迁", "出差", "旅游", "其他"}
	// HousingTypes (住所类型).
	HousingTypes = []string{"租赁", "单位宿舍", "借住", "工地现场", "自购房", "旅店", "其他"}
)

// Declaration is what a tenant submits after scanning a plate.
type Declaration struct {
	Scene       string
	Name        string
	IDNumber    string
	Phone       string
	Hometown    string
	Workplace   string
	MoveInDate  string
	Relation    string
	Reason      string
	HousingType string
}

// declared is a Declaration that passed validation.
type declared struct {
	Declaration
	moveIn time.Time
}

func (d Declaration) validate(now time.Time) (declared, error) {
	var out declared
	d.Scene = strings.TrimSpace(d.Scene)
	if d.Scene == "" {
		return out, errs.Invalid("scene", "required")
	}
	var err error
	if d.Name, err = ValidName(d.Name); err != nil {
		return out, err
	}
	if d.IDNumber, err = pii.ValidateIDNumber(d.IDNumber, now.In(model.Shanghai)); err != nil {
		return out, err
	}
	if d.Phone, err = pii.ValidatePhone(d.Phone); err != nil {
		return out, err
	}
	if d.Hometown, err = text("hometown", d.Hometown, 100); err != nil {
		return out, err
	}
	if d.Workplace, err = text("workplace", d.Workplace, 100); err != nil {
		return out, err
	}
	if d.Relation == "" {
		d.Relation = "本人"
	}
	for field, v := range map[string]struct {
		value string
		list  []string
	}{"relation": {d.Relation, Relations}, "reason": {d.Reason, Reasons}, "housing_type": {d.HousingType, HousingTypes}} {
		if v.value != "" && !slices.Contains(v.list, v.value) {
			return out, errs.Invalid(field, "code")
		}
	}
	moveIn, err := MoveInDate(d.MoveInDate, now)
	if err != nil {
		return out, err
	}
	return declared{Declaration: d, moveIn: moveIn}, nil
}

// ValidName accepts 2 to 30 letters (Chinese or Latin), with the middle dot
// and spaces of minority and foreign names.
func ValidName(s string) (string, error) {
	s = strings.Join(strings.Fields(s), " ")
	if n := utf8.RuneCountInString(s); n < 2 || n > 30 {
		return "", errs.Invalid("name", "length")
	}
	for _, r := range s {
		if !unicode.IsLetter(r) && r != '·' && r != '•' && r != ' ' && r != '.' {
			return "", errs.Invalid("name", "characters")
		}
	}
	return s, nil
}

// MoveInDate parses YYYY-MM-DD in Asia/Shanghai: not in the future, not
// more than a year back.
func MoveInDate(s string, now time.Time) (time.Time, error) {
	d, err := time.ParseInLocation(time.DateOnly, strings.TrimSpace(s), model.Shanghai)
	if err != nil {
		return d, errs.Invalid("move_in_date", "format")
	}
	today := model.StartOfDay(now)
	if d.After(today) {
		return d, errs.Invalid("move_in_date", "future")
	}
	if d.Before(today.AddDate(-1, 0, 0)) {
		return d, errs.Invalid("move_in_date", "too_old")
	}
	return d, nil
}

// text trims free text and limits its length.
func text(field, s string, max int) (string, error) {
	s = strings.TrimSpace(s)
	if utf8.RuneCountInString(s) > max {
		return s, errs.Invalid(field, "length")
	}
	for _, r := range s {
		if unicode.IsControl(r) {
			return s, errs.Invalid(field, "characters")
		}
	}
	return s, nil
}
