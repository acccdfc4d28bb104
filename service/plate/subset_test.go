package plate

import (
	"regexp"
	"strconv"
	"testing"

	"golang.org/x/image/font"
	"golang.org/x/image/font/gofont/goregular"
	"golang.org/x/image/font/sfnt"
	"golang.org/x/image/math/fixed"
)

// checkSubset parses the subset of runes and checks that each new glyph has
// the same outline and advance as the original one.
func checkSubset(t *testing.T, full []byte, text string) []byte {
	t.Helper()
	orig, err := sfnt.Parse(full)
	if err != nil {
		t.Fatal(err)
	}
	var buf sfnt.Buffer
	olds := []int{0}
	for _, r := range text {
		g, err := orig.GlyphIndex(&buf, r)
		if err != nil || g == 0 {
			t.Fatalf("no glyph for %q", r)
		}
		olds = append(olds, int(g))
	}
	sub, err := subsetFont(full, olds)
	if err != nil {
		t.Fatal(err)
	}
	sf, err := sfnt.Parse(sub)
	if err != nil {
		t.Fatalf("the subset does not parse: %v", err)
	}
	if sf.NumGlyphs() < len(olds) {
		t.Fatalf("subset has %d glyphs, want at least %d", sf.NumGlyphs(), len(olds))
	}
	if _, err := parseTables(sub); err != nil {
		t.Fatal(err)
	}
	if checksum(sub) != 0xB1B0AFBA {
		t.Errorf("whole-font checksum %#x, want 0xB1B0AFBA", checksum(sub))
	}
	ppem := fixed.I(int(orig.UnitsPerEm()))
	var b2 sfnt.Buffer
	for n, old := range olds {
		want, err := orig.LoadGlyph(&buf, sfnt.GlyphIndex(old), ppem, nil)
		if err != nil {
			t.Fatal(err)
		}
		got, err := sf.LoadGlyph(&b2, sfnt.GlyphIndex(n), ppem, nil)
		if err != nil {
			t.Fatalf("glyph %d (was %d): %v", n, old, err)
		}
		if len(got) != len(want) {
			t.Fatalf("glyph %d (was %d): %d segments, want %d", n, old, len(got), len(want))
		}
		for i := range want {
			if got[i] != want[i] {
				t.Fatalf("glyph %d (was %d): segment %d differs", n, old, i)
			}
		}
		wa, _ := orig.GlyphAdvance(&buf, sfnt.GlyphIndex(old), ppem, font.HintingNone)
		ga, _ := sf.GlyphAdvance(&b2, sfnt.GlyphIndex(n), ppem, font.HintingNone)
		if wa != ga {
			t.Errorf("glyph %d (was %d): advance %v, want %v", n, old, ga, wa)
		}
	}
	return sub
}

func TestSubset_KeepsCJKOutlinesAndAdvancesAndIsSmall(t *testing.T) {
	full, _ := DefaultFont()
	sub := checkSubset(t, full, "居住登记一户一码浙江省宁波市余姚市阳明街道某某路号房东编扫申报信息每月签到")
	if len(sub) > 64<<10 {
		t.Errorf("subset of 40 glyphs is %d bytes", len(sub))
	}
}

// Droid Sans Fallback builds most CJK glyphs from components (居 is glyph
// 10717, made of 31720 and 31727): they must come along, renumbered.
func TestSubset_BringsCompositeComponentsRenumbered(t *testing.T) {
	full, _ := DefaultFont()
	sub := checkSubset(t, full, "居住登记")
	sf, _ := sfnt.Parse(sub)
	if n := sf.NumGlyphs(); n != 1+4+8 {
		t.Errorf("subset has %d glyphs, want 13: .notdef, 4 composites and their 8 components", n)
	}
}

// Go Regular, the Latin fallback, subsets too.
func TestSubset_KeepsLatinFallbackGlyphs(t *testing.T) {
	checkSubset(t, goregular.TTF, "0123456789-ABCXYZ·…")
}

func TestRender_TwentyPlatesEmbedSmallFontSubsets(t *testing.T) {
	raw := parseRaw(t, render(t, samplePlates(t, 20)))
	files := 0
	for _, o := range raw.objects(t) {
		m := reLength1.FindStringSubmatch(o.dict)
		if m == nil {
			continue
		}
		files++
		if n, _ := strconv.Atoi(m[1]); n > 64<<10 {
			t.Errorf("object %d: an embedded font of %d KB; the 4 MB font was not subset", o.num, n>>10)
		}
		if _, err := sfnt.Parse(inflate(t, o.data)); err != nil {
			t.Errorf("object %d: embedded font does not parse: %v", o.num, err)
		}
	}
	if files != 2 {
		t.Errorf("%d embedded fonts, want 2 (CJK and Latin)", files)
	}
}

var reLength1 = regexp.MustCompile(`/Length1 (\d+)`)
