package pii

import (
	"strings"
	"unicode/utf8"
)

// MaskIDNumber shows the region code and the last four characters of an ID
// number ("330281********123X"), which is how the number is displayed on
// receipts. Anything that is not 18 characters long is masked whole, so a
// malformed value never leaks through.
func MaskIDNumber(id string) string {
	return maskMiddle(id, 18, 6, 4)
}

// MaskPhone shows the operator prefix and the last four digits ("138****5678").
// Anything that is not 11 characters long is masked whole.
func MaskPhone(p string) string {
	return maskMiddle(p, 11, 3, 4)
}

// MaskName keeps the first character and stars the rest: "张三" becomes "张*",
// "欧阳娜娜" becomes "欧***". A one-character name is shown as it is: there is
// nothing to hide that the first character does not already show.
func MaskName(n string) string {
	n = strings.TrimSpace(n)
	count := utf8.RuneCountInString(n)
	if count <= 1 {
		return n
	}
	_, size := utf8.DecodeRuneInString(n)
	return n[:size] + strings.Repeat("*", count-1)
}

// maskMiddle keeps head and tail runes of a value exactly want runes long, and
// stars everything else.
func maskMiddle(s string, want, head, tail int) string {
	s = strings.TrimSpace(s)
	runes := []rune(s)
	if len(runes) != want {
		return strings.Repeat("*", len(runes))
	}
	return string(runes[:head]) + strings.Repeat("*", want-head-tail) + string(runes[want-tail:])
}
