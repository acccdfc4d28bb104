package house

import (
	"strings"
	"testing"
)

// WeChat's scene rule: at most 32 visible characters from this set.
const wechatSceneChars = "0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ!#$&'()*+,/:;=?@-._~"

func TestNewScene_MillionCodesNoClashAllValid(t *testing.T) {
	n := 1_000_000
	if testing.Short() {
		n = 50_000
	}
	seen := make(map[string]struct{}, n)
	for i := 0; i < n; i++ {
		s := NewScene()
		if len(s) == 0 || len(s) > 32 || !ValidScene(s) {
			t.Fatalf("invalid scene %q", s)
		}
		for _, r := range s {
			if !strings.ContainsRune(wechatSceneChars, r) {
				t.Fatalf("scene %q has %q, outside WeChat's alphabet", s, r)
			}
		}
		if _, dup := seen[s]; dup {
			t.Fatalf("clash after %d codes: %s", i, s)
		}
		seen[s] = struct{}{}
	}
}

func TestNewScene_CharactersAreUniform(t *testing.T) {
	counts := map[rune]int{}
	const codes = 20000
	for i := 0; i < codes; i++ {
		for _, r := range NewScene() {
			counts[r]++
		}
	}
	want := float64(codes*SceneLength) / float64(len(sceneAlphabet))
	for _, r := range sceneAlphabet {
		if got := float64(counts[r]); got < want*0.9 || got > want*1.1 {
			t.Fatalf("character %q drawn %v times, want about %v", r, got, want)
		}
	}
}

func TestValidScene_RefusesForeignInput(t *testing.T) {
	for _, s := range []string{"", "short", strings.Repeat("a", 17), "abc/def%20ghijklm", "ABCDEFGHIJKLMNO!"} {
		if ValidScene(s) {
			t.Fatalf("%q accepted", s)
		}
	}
}

func BenchmarkNewScene(b *testing.B) {
	for i := 0; i < b.N; i++ {
		NewScene()
	}
}
