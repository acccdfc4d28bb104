package plate

import (
	"strings"
	"testing"

	"golang.org/x/image/font/gofont/goregular"
)

func TestDefaultFont_IsTheEmbeddedDroidSansFallback(t *testing.T) {
	font, err := DefaultFont()
	if err != nil {
		t.Fatal(err)
	}
	if len(font) != 4033420 {
		t.Errorf("embedded font is %d bytes, want 4033420 (DroidSansFallbackFull.ttf)", len(font))
	}
	if _, err := NewRenderer(font); err != nil {
		t.Fatal(err)
	}
}

func TestNewRenderer_RefusesBadFontsWithAClearError(t *testing.T) {
	ttc := append([]byte("ttcf\x00\x01\x00\x00\x00\x00\x00\x01"), make([]byte, 64)...)
	cases := []struct {
		name string
		font []byte
		want []string // all in the error
	}{
		{"not a font", []byte("<html>not a font</html>"), []string{"font", "not a readable TrueType font"}},
		{"collection", ttc, []string{"TrueType collection (.ttc)"}},
		// Go Regular is a good TrueType font, but has no CJK glyphs.
		{"no CJK", goregular.TTF, []string{"font GoRegular", "no glyph for '居'"}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			_, err := NewRenderer(c.font)
			if err == nil {
				t.Fatal("no error")
			}
			for _, w := range c.want {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("error %q lacks %q", err, w)
				}
			}
		})
	}
}

// Droid Sans Fallback has no Latin at all, not even digits; plate numbers
// and room numbers must come from the fallback font, not .notdef boxes.
func TestRender_DigitsComeFromTheLatinFallbackNotNotdef(t *testing.T) {
	r := defaultRenderer(t)
	d := r.newDoc(newPDFWriter(nil), 0)
	for _, c := range []struct {
		r    rune
		font int
	}{{'居', 0}, {'号', 0}, {'0', 1}, {'A', 1}, {'-', 1}, {'·', 1}} {
		if got := d.font(c.r); got != c.font {
			t.Errorf("%q is shown in font %d, want %d", c.r, got, c.font)
		}
		if d.fonts[d.font(c.r)].glyph(c.r) == 0 {
			t.Errorf("%q has no glyph", c.r)
		}
	}
}
