package house

import (
	"crypto/rand"
	"strings"
)

// sceneAlphabet is a URL-safe subset of the characters WeChat allows in a
// getwxacodeunlimit scene (digits, letters and !#$&'()*+,/:;=?@-._~).
const sceneAlphabet = "0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ"

// SceneLength of 16 base-62 characters carries 95 bits of randomness: well
// above the 64 required, well under WeChat's 32-character limit.
const SceneLength = 16

// NewScene draws a random scene code from crypto/rand. Rejection sampling
// keeps every character equally likely.
func NewScene() string {
	const limit = 256 - 256%len(sceneAlphabet)
	out := make([]byte, 0, SceneLength)
	buf := make([]byte, SceneLength*2)
	for len(out) < SceneLength {
		if _, err := rand.Read(buf); err != nil {
			panic("crypto/rand: " + err.Error()) // the OS has no randomness: nothing safe to do
		}
		for _, b := range buf {
			if int(b) < limit && len(out) < SceneLength {
				out = append(out, sceneAlphabet[int(b)%len(sceneAlphabet)])
			}
		}
	}
	return string(out)
}

// ValidScene says whether s could be a scene we issued; anything else is
// refused before it reaches the database.
func ValidScene(s string) bool {
	if len(s) != SceneLength {
		return false
	}
	for i := 0; i < len(s); i++ {
		if !strings.ContainsRune(sceneAlphabet, rune(s[i])) {
			return false
		}
	}
	return true
}
