package pii

import (
	"strings"
	"testing"
	"unicode/utf8"
)

func FuzzValidateIDNumber(f *testing.F) {
	for _, s := range []string{"11010519491231002X", "11010519491231002x", " 330281199003071231 ", "330281900307123", "99028119900307123X", "33028119990230123X", "３３０２８１"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		checkID(t, s)
		// Random input almost never carries a right check character; give
		// every 17-digit start one too, so the valid path is fuzzed as well.
		if len(s) >= 17 && allDigits(s[:17]) {
			checkID(t, withCheck(t, s[:17]))
		}
	})
}

// checkID is the property of ValidateIDNumber: no panic, a valid result is a
// fixed point, and its mask never shows the birth date.
func checkID(t *testing.T, s string) {
	t.Helper()
	got, err := ValidateIDNumber(s, today)
	_ = BirthDate(s)
	_ = Gender(s)
	if m := MaskIDNumber(s); utf8.RuneCountInString(m) == 18 && string([]rune(m)[6:14]) != "********" {
		t.Fatalf("MaskIDNumber(%q) = %q shows the middle", s, m)
	}
	if err != nil {
		if got != "" {
			t.Fatalf("error %v with result %q", err, got)
		}
		return
	}
	again, err := ValidateIDNumber(got, today)
	if err != nil || again != got {
		t.Fatalf("%q validated to %q, which re-validates to %q, %v", s, got, again, err)
	}
	if len(got) != 18 || BirthDate(got).IsZero() || Gender(got) == "" {
		t.Fatalf("valid %q has no birth date or gender", got)
	}
	m := MaskIDNumber(got)
	if m != got[:6]+"********"+got[14:] || strings.Contains(m, got[6:14]) {
		t.Fatalf("MaskIDNumber(%q) = %q", got, m)
	}
}

func FuzzValidatePhone(f *testing.F) {
	for _, s := range []string{"13800138000", "+86 138-0013-8000", "8613800138000", "12800138000", "1380013800"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		got, err := ValidatePhone(s)
		if m := MaskPhone(s); utf8.RuneCountInString(m) == 11 && string([]rune(m)[3:7]) != "****" {
			t.Fatalf("MaskPhone(%q) = %q shows the middle", s, m)
		}
		if err != nil {
			if got != "" {
				t.Fatalf("error %v with result %q", err, got)
			}
			return
		}
		again, err := ValidatePhone(got)
		if err != nil || again != got {
			t.Fatalf("%q validated to %q, which re-validates to %q, %v", s, got, again, err)
		}
		if len(got) != 11 || got[0] != '1' || got[1] < '3' {
			t.Fatalf("valid phone %q", got)
		}
		if m := MaskPhone(got); m != got[:3]+"****"+got[7:] {
			t.Fatalf("MaskPhone(%q) = %q", got, m)
		}
	})
}
