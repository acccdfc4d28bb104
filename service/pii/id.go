// Package pii is the one place that handles plain personal data: it validates
// ID numbers and phones, masks them for display, and seals them for storage.
// Nothing outside this package should hold a plain ID number for longer than a
// request needs it.
package pii

import (
	"strings"
	"time"

	"yaoju/service/errs"
)

// ID number rules, 《公民身份号码》 GB 11643-1999: six digits of the address
// code (GB/T 2260), eight of the birth date, three of sequence (odd for men),
// and one check character by ISO 7064 MOD 11-2.
var (
	idWeights  = [17]int{7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2}
	idCheckSum = "10X98765432"
)

// idEarliest is the earliest birth date accepted: nobody alive was born before it.
var idEarliest = time.Date(1900, 1, 1, 0, 0, 0, 0, time.UTC)

// ValidateIDNumber checks a 居民身份证号码 and returns it normalised: surrounding
// space trimmed and a lowercase check character x written as X.
//
// The rules, in the order they are checked (the first one broken is reported
// as errs.Invalid("id_number", rule)):
//   - "format": a character other than an ASCII digit, or an X anywhere but
//     last (full-width digits are refused, not converted);
//   - "legacy15": a 15-digit number of the first generation, which must be
//     replaced by the 18-digit one;
//   - "length": empty, or not 18 characters;
//   - "region": the first two digits are not a province-level code, see validRegion;
//   - "birth_date": digits 7-14 are not a real date between 1900-01-01 and today;
//   - "checksum": the check character does not match.
//
// today decides "not in the future"; only its calendar date (in its own
// location) is used.
func ValidateIDNumber(s string, today time.Time) (string, error) {
	s = strings.TrimSpace(s)
	if s == "" {
		return "", errs.Invalid("id_number", "length")
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		if isDigit(c) {
			continue
		}
		// X is the check character only: it may only end an 18-character number.
		if (c == 'X' || c == 'x') && i == len(s)-1 && len(s) == 18 {
			continue
		}
		if (c == 'X' || c == 'x') && i == len(s)-1 {
			// A trailing X on a number of the wrong length is a length error:
			// the user most likely dropped or doubled a digit.
			return "", errs.Invalid("id_number", "length")
		}
		return "", errs.Invalid("id_number", "format")
	}
	if len(s) == 15 {
		return "", errs.Invalid("id_number", "legacy15")
	}
	if len(s) != 18 {
		return "", errs.Invalid("id_number", "length")
	}
	s = s[:17] + strings.ToUpper(s[17:])
	if !validRegion(s[:6]) {
		return "", errs.Invalid("id_number", "region")
	}
	birth, ok := parseBirth(s[6:14])
	if !ok || birth.Before(idEarliest) || birth.After(civilDate(today)) {
		return "", errs.Invalid("id_number", "birth_date")
	}
	if idCheckChar(s[:17]) != s[17] {
		return "", errs.Invalid("id_number", "checksum")
	}
	return s, nil
}

// validRegion checks the address code just enough to catch a mistyped or
// made-up number; it does not carry the full GB/T 2260 table, whose codes
// change every year while old numbers keep the codes they were issued with.
//
//   - The first two digits must be a province-level code: 11-15, 21-23, 31-37,
//     41-46, 50-54, 61-65, 71 (Taiwan), 81 (Hong Kong), 82 (Macao), or 83, which
//     the residence permits of Taiwan residents use (国办发〔2018〕81号).
//   - For the mainland codes 11-65 the 3rd-4th digits name a prefecture and
//     are never 00 (directly administered counties use 90). For 71, 81, 82
//     and 83 they are 00 in practice, so they are not checked there.
func validRegion(code string) bool {
	p := int(code[0]-'0')*10 + int(code[1]-'0')
	mainland := (p >= 11 && p <= 15) || (p >= 21 && p <= 23) || (p >= 31 && p <= 37) ||
		(p >= 41 && p <= 46) || (p >= 50 && p <= 54) || (p >= 61 && p <= 65)
	switch {
	case mainland:
		return code[2:4] != "00"
	case p == 71 || p == 81 || p == 82 || p == 83:
		return true
	}
	return false
}

// parseBirth reads YYYYMMDD and refuses dates that do not exist, such as 19990230.
func parseBirth(s string) (time.Time, bool) {
	y := atoi(s[0:4])
	m := atoi(s[4:6])
	d := atoi(s[6:8])
	if m < 1 || m > 12 || d < 1 || d > 31 {
		return time.Time{}, false
	}
	t := time.Date(y, time.Month(m), d, 0, 0, 0, 0, time.UTC)
	if t.Day() != d || int(t.Month()) != m { // time.Date rolls 02-30 into March
		return time.Time{}, false
	}
	return t, true
}

// civilDate is t's calendar date as midnight UTC, comparable with parseBirth's result.
func civilDate(t time.Time) time.Time {
	y, m, d := t.Date()
	return time.Date(y, m, d, 0, 0, 0, 0, time.UTC)
}

// idCheckChar computes the ISO 7064 MOD 11-2 check character of 17 digits.
func idCheckChar(first17 string) byte {
	sum := 0
	for i := 0; i < 17; i++ {
		sum += int(first17[i]-'0') * idWeights[i]
	}
	return idCheckSum[sum%11]
}

// CompleteIDNumber appends the check character to the first 17 digits of an
// ID number: demo data and test fixtures make valid numbers with it.
func CompleteIDNumber(first17 string) string {
	return first17 + string(idCheckChar(first17))
}

// BirthDate is the birth date of a number that ValidateIDNumber accepted, as
// midnight UTC. It is the zero time for anything else.
func BirthDate(id string) time.Time {
	if len(id) != 18 || !allDigits(id[6:14]) {
		return time.Time{}
	}
	t, ok := parseBirth(id[6:14])
	if !ok {
		return time.Time{}
	}
	return t
}

// Gender is "male" or "female" by the 17th digit (odd for men), or "" when id
// is not an 18-character number.
func Gender(id string) string {
	if len(id) != 18 || !isDigit(id[16]) {
		return ""
	}
	if (id[16]-'0')%2 == 1 {
		return "male"
	}
	return "female"
}

func isDigit(c byte) bool { return c >= '0' && c <= '9' }

func allDigits(s string) bool {
	for i := 0; i < len(s); i++ {
		if !isDigit(s[i]) {
			return false
		}
	}
	return true
}

// atoi reads a short run of ASCII digits the caller has already checked.
func atoi(s string) int {
	n := 0
	for i := 0; i < len(s); i++ {
		n = n*10 + int(s[i]-'0')
	}
	return n
}
