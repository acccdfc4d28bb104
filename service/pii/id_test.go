package pii

import (
	"errors"
	"testing"
	"time"

	"yaoju/service/errs"
)

// today is fixed so that the "future birth date" cases do not drift.
var today = time.Date(2025, 6, 15, 10, 0, 0, 0, time.FixedZone("CST", 8*3600))

// withCheck appends the GB 11643 check character to 17 digits. It is written
// out again here rather than calling idCheckChar, so that the test checks the
// algorithm instead of restating it.
func withCheck(t testing.TB, first17 string) string {
	t.Helper()
	if len(first17) != 17 {
		t.Fatalf("withCheck: %q is not 17 digits", first17)
	}
	w := []int{7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2}
	sum := 0
	for i, c := range first17 {
		sum += int(c-'0') * w[i]
	}
	return first17 + string("10X98765432"[sum%11])
}

// withCheckX finds a sequence number after the 14-digit prefix whose check
// character is X.
func withCheckX(t testing.TB, first14 string) string {
	t.Helper()
	for seq := 0; seq < 1000; seq++ {
		id := withCheck(t, first14+string(rune('0'+seq/100))+string(rune('0'+seq/10%10))+string(rune('0'+seq%10)))
		if id[17] == 'X' {
			return id
		}
	}
	t.Fatalf("no X check character after %s", first14)
	return ""
}

func ruleOf(err error) string {
	var ve *errs.ValidationError
	if errors.As(err, &ve) && ve.Field == "id_number" {
		return ve.Rule
	}
	if err != nil {
		return "unexpected:" + err.Error()
	}
	return ""
}

func TestValidateIDNumber_Rules(t *testing.T) {
	valid := withCheck(t, "33028119900307123")
	withX := withCheckX(t, "33028119850101")
	lowerX := withX[:17] + "x"
	badCheck := valid[:17] + string("0123456789"[(valid[17]-'0'+1)%10])
	if valid[17] == 'X' {
		t.Fatal("pick a prefix whose check char is a digit")
	}

	cases := []struct {
		name string
		in   string
		want string // the normalised number when valid
		rule string // the errs rule when invalid
	}{
		{"GB 11643 example is valid", "11010519491231002X", "11010519491231002X", ""},
		{"computed number is valid", valid, valid, ""},
		{"check character X", withX, withX, ""},
		{"lowercase x is normalised", lowerX, withX, ""},
		{"surrounding spaces are trimmed", "  " + valid + "\t", valid, ""},
		{"ideographic space is trimmed", "\u3000" + valid, valid, ""},
		{"born today is valid", withCheck(t, "33028120250615123"), withCheck(t, "33028120250615123"), ""},
		{"born 1900-01-01 is valid", withCheck(t, "33028119000101123"), withCheck(t, "33028119000101123"), ""},
		{"leap day is valid", withCheck(t, "33028120000229123"), withCheck(t, "33028120000229123"), ""},
		{"Taiwan residents' permit 83", withCheck(t, "83000019900101123"), withCheck(t, "83000019900101123"), ""},
		{"Hong Kong residents' permit 81", withCheck(t, "81000019900101123"), withCheck(t, "81000019900101123"), ""},
		{"Xinjiang directly administered county 6590", withCheck(t, "65900119900101123"), withCheck(t, "65900119900101123"), ""},

		{"bad checksum", badCheck, "", "checksum"},
		{"adjacent digits swapped", valid[:14] + valid[15:16] + valid[14:15] + valid[16:], "", "checksum"},
		{"19990230 does not exist", withCheck(t, "33028119990230123"), "", "birth_date"},
		{"not a leap year", withCheck(t, "33028119000229123"), "", "birth_date"},
		{"month 13", withCheck(t, "33028119991301123"), "", "birth_date"},
		{"day 00", withCheck(t, "33028119990100123"), "", "birth_date"},
		{"born tomorrow", withCheck(t, "33028120250616123"), "", "birth_date"},
		{"born far in the future", withCheck(t, "33028129990101123"), "", "birth_date"},
		{"born before 1900", withCheck(t, "33028118991231123"), "", "birth_date"},
		{"GB 11643 example born 1880", "440524188001010014", "", "birth_date"},
		{"region 99", withCheck(t, "99028119900307123"), "", "region"},
		{"region 00", withCheck(t, "00028119900307123"), "", "region"},
		{"region 16 is not a province", withCheck(t, "16028119900307123"), "", "region"},
		{"mainland prefecture 00", withCheck(t, "33008119900307123"), "", "region"},
		{"15-digit legacy number", "330281900307123", "", "legacy15"},
		{"letters", "33028119900307A23X", "", "format"},
		{"X not last", "3302811990030X1234", "", "format"},
		{"inner space", "330281 19900307123", "", "format"},
		{"full-width digits", "３３０２８１１９９００３０７１２３４", "", "format"},
		{"empty", "", "", "length"},
		{"only spaces", "   ", "", "length"},
		{"17 digits", valid[:17], "", "length"},
		{"19 digits", valid + "1", "", "length"},
		{"17 digits and x", valid[:16] + "x", "", "length"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			got, err := ValidateIDNumber(c.in, today)
			if rule := ruleOf(err); rule != c.rule {
				t.Fatalf("ValidateIDNumber(%q) rule = %q, want %q", c.in, rule, c.rule)
			}
			if got != c.want {
				t.Fatalf("ValidateIDNumber(%q) = %q, want %q", c.in, got, c.want)
			}
		})
	}
}

func TestValidateIDNumber_TodayIsTheCallersCalendarDate(t *testing.T) {
	// 00:30 on 15 June in Beijing is still 14 June in UTC: a child born on
	// 15 June must be accepted that night.
	lateNight := time.Date(2025, 6, 15, 0, 30, 0, 0, time.FixedZone("CST", 8*3600))
	id := withCheck(t, "33028120250615123")
	if _, err := ValidateIDNumber(id, lateNight); err != nil {
		t.Fatalf("born today refused: %v", err)
	}
}

func TestBirthDateAndGender_FromValidNumber(t *testing.T) {
	cases := []struct {
		id     string
		birth  time.Time
		gender string
	}{
		{"11010519491231002X", time.Date(1949, 12, 31, 0, 0, 0, 0, time.UTC), "female"},
		{withCheck(t, "33028119900307123"), time.Date(1990, 3, 7, 0, 0, 0, 0, time.UTC), "male"},
		{withCheck(t, "33028120000229124"), time.Date(2000, 2, 29, 0, 0, 0, 0, time.UTC), "female"},
	}
	for _, c := range cases {
		if _, err := ValidateIDNumber(c.id, today); err != nil {
			t.Fatalf("fixture %s invalid: %v", c.id, err)
		}
		if got := BirthDate(c.id); !got.Equal(c.birth) {
			t.Errorf("BirthDate(%s) = %v, want %v", c.id, got, c.birth)
		}
		if got := Gender(c.id); got != c.gender {
			t.Errorf("Gender(%s) = %q, want %q", c.id, got, c.gender)
		}
	}
	for _, bad := range []string{"", "330281900307123", "33028119990230123X", "abcdefghijklmnopqr"} {
		if !BirthDate(bad).IsZero() {
			t.Errorf("BirthDate(%q) is not zero", bad)
		}
	}
	if Gender("330281900307123") != "" || Gender("3302811990030712?X") != "" {
		t.Error("Gender of a malformed number is not empty")
	}
}

func TestCompleteIDNumber_GivesValidNumbers(t *testing.T) {
	today := time.Date(2026, 12, 3, 0, 0, 0, 0, time.UTC)
	for _, first17 := range []string{"11010519491231002", "33028119900101002", "34122119880312101"} {
		id := CompleteIDNumber(first17)
		if got, err := ValidateIDNumber(id, today); err != nil || got != id {
			t.Fatalf("%s: %v", id, err)
		}
	}
	if CompleteIDNumber("11010519491231002") != "11010519491231002X" {
		t.Fatal("the standard's own example does not end in X")
	}
}
