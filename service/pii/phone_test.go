package pii

import (
	"errors"
	"testing"

	"yaoju/service/errs"
)

func TestValidatePhone_Rules(t *testing.T) {
	cases := []struct {
		name string
		in   string
		want string
		rule string
	}{
		{"bare", "13800138000", "13800138000", ""},
		{"19x prefix", "19912345678", "19912345678", ""},
		{"surrounding spaces", " 13800138000 ", "13800138000", ""},
		{"spaces between groups", "138 0013 8000", "13800138000", ""},
		{"dashes between groups", "138-0013-8000", "13800138000", ""},
		{"+86", "+8613800138000", "13800138000", ""},
		{"+86 and spaces", "+86 138 0013 8000", "13800138000", ""},
		{"86 without plus", "8613800138000", "13800138000", ""},
		{"86- and dashes", "86-138-0013-8000", "13800138000", ""},

		{"empty", "", "", "length"},
		{"only +86", "+86", "", "length"},
		{"10 digits", "1380013800", "", "length"},
		{"12 digits", "138001380001", "", "length"},
		{"+86 then 10 digits", "+861380013800", "", "length"},
		{"landline-like 0571", "05718888888", "", "format"},
		{"12x prefix", "12800138000", "", "format"},
		{"11 digits starting 86", "86138001380", "", "format"},
		{"other country code", "+14155550100", "", "format"},
		{"+85 is not +86", "+8513800138000", "", "format"},
		{"letter O for zero", "138O0138000", "", "format"},
		{"parentheses", "(138)00138000", "", "format"},
		{"full-width digits", "１３８００１３８０００", "", "format"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			got, err := ValidatePhone(c.in)
			rule := ""
			var ve *errs.ValidationError
			if errors.As(err, &ve) {
				if ve.Field != "phone" {
					t.Fatalf("field = %q, want phone", ve.Field)
				}
				rule = ve.Rule
			} else if err != nil {
				t.Fatalf("unexpected error type %T: %v", err, err)
			}
			if rule != c.rule || got != c.want {
				t.Fatalf("ValidatePhone(%q) = %q, rule %q; want %q, rule %q", c.in, got, rule, c.want, c.rule)
			}
		})
	}
}
