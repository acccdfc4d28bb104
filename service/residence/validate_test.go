package residence

import (
	"errors"
	"testing"
	"time"

	"yaoju/model"
	"yaoju/service/errs"
)

var fixedNow = time.Date(2026, 12, 3, 10, 0, 0, 0, model.Shanghai)

func rule(err error) string {
	var v *errs.ValidationError
	if errors.As(err, &v) {
		return v.Field + "." + v.Rule
	}
	if err != nil {
		return err.Error()
	}
	return ""
}

func TestMoveInDate_Rules(t *testing.T) {
	cases := []struct{ in, want string }{
		{"2026-12-03", ""},
		{"2025-12-03", ""},
		{"2025-12-02", "move_in_date.too_old"},
		{"2026-12-04", "move_in_date.future"},
		{"2026-2-3", "move_in_date.format"},
		{"", "move_in_date.format"},
		{"2026-02-30", "move_in_date.format"},
	}
	for _, c := range cases {
		if _, err := MoveInDate(c.in, fixedNow); rule(err) != c.want {
			t.Errorf("%q: got %q, want %q", c.in, rule(err), c.want)
		}
	}
}

func TestMoveInDate_TodayIsShanghaiToday(t *testing.T) {
	// 23:30 UTC on 2 December is already 3 December in Shanghai.
	now := time.Date(2026, 12, 2, 23, 30, 0, 0, time.UTC)
	if _, err := MoveInDate("2026-12-03", now); err != nil {
		t.Fatalf("Shanghai's today refused: %v", err)
	}
}

func TestValidName_Rules(t *testing.T) {
	cases := []struct{ in, want, rule string }{
		{"张三", "张三", ""},
		{"  欧阳  娜娜 ", "欧阳 娜娜", ""},
		{"阿依古丽·买买提", "阿依古丽·买买提", ""},
		{"John Smith", "John Smith", ""},
		{"张", "", "name.length"},
		{"张三3", "", "name.characters"},
		{"<script>", "", "name.characters"},
	}
	for _, c := range cases {
		got, err := ValidName(c.in)
		if rule(err) != c.rule || (c.rule == "" && got != c.want) {
			t.Errorf("%q: got %q %q", c.in, got, rule(err))
		}
	}
}

func FuzzDeclarationValidate(f *testing.F) {
	f.Add("abc", "张三", "11010519491231002X", "13812345678", "安徽", "厂", "2026-12-01", "本人")
	f.Add("", "", "", "", "", "", "", "")
	f.Add("x", "\x00\xff", "110105194912310021", "+86 138-1234-5678", "\u202e", "a", "9999-99-99", "其他")
	f.Fuzz(func(t *testing.T, scene, name, id, phone, hometown, workplace, moveIn, relation string) {
		d := Declaration{Scene: scene, Name: name, IDNumber: id, Phone: phone, Hometown: hometown,
			Workplace: workplace, MoveInDate: moveIn, Relation: relation}
		out, err := d.validate(fixedNow)
		if err != nil {
			var v *errs.ValidationError
			if !errors.As(err, &v) {
				t.Fatalf("non-validation error %v", err)
			}
			return
		}
		if len(out.Phone) != 11 || len(out.IDNumber) != 18 || out.moveIn.After(fixedNow) {
			t.Fatalf("accepted bad declaration %+v", out)
		}
	})
}
