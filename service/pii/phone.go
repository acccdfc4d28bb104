package pii

import (
	"strings"

	"yaoju/service/errs"
)

// ValidatePhone checks a mainland mobile number and returns its bare 11
// digits. It accepts the country code written as +86 or 86 and spaces or
// dashes between digit groups ("+86 138-0013-8000").
//
// Errors are errs.Invalid("phone", rule):
//   - "format": a character other than a digit, space or dash (after the
//     country code), or a number that does not start 13-19;
//   - "length": not 11 digits once the country code is removed.
func ValidatePhone(s string) (string, error) {
	s = strings.TrimSpace(s)
	hadPlus := strings.HasPrefix(s, "+")
	if hadPlus {
		s = strings.TrimPrefix(s, "+")
		if !strings.HasPrefix(s, "86") {
			return "", errs.Invalid("phone", "format")
		}
	}
	digits := make([]byte, 0, 13)
	for i := 0; i < len(s); i++ {
		switch c := s[i]; {
		case isDigit(c):
			digits = append(digits, c)
		case c == ' ' || c == '-':
		default:
			return "", errs.Invalid("phone", "format")
		}
	}
	// A mobile number starts with 1, so a leading 86 before 11 digits can only
	// be the country code; with a + it must be one.
	if len(digits) == 13 && digits[0] == '8' && digits[1] == '6' {
		digits = digits[2:]
	} else if hadPlus {
		return "", errs.Invalid("phone", "length")
	}
	if len(digits) != 11 {
		return "", errs.Invalid("phone", "length")
	}
	if digits[0] != '1' || digits[1] < '3' {
		return "", errs.Invalid("phone", "format")
	}
	return string(digits), nil
}
