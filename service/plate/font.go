package plate

import (
	"bytes"
	"crypto/sha256"
	_ "embed"
	"encoding/binary"
	"errors"
	"fmt"
	"strings"
	"unicode/utf16"

	"golang.org/x/image/font"
	"golang.org/x/image/font/sfnt"
	"golang.org/x/image/math/fixed"
)

// DefaultFontName names the embedded font in errors and docs.
const DefaultFontName = "DroidSansFallbackFull.ttf"

// Droid Sans Fallback, Apache-2.0, from Debian's fonts-droid-fallback; see
// font/NOTICE and font/LICENSE.
//
//go:embed font/DroidSansFallbackFull.ttf
var droidSansFallback []byte

// DefaultFont returns the embedded CJK TrueType font.
func DefaultFont() ([]byte, error) {
	if len(droidSansFallback) == 0 {
		return nil, fmt.Errorf("plate: embedded font %s is missing", DefaultFontName)
	}
	return droidSansFallback, nil
}

// fontFace is the parsed, read-only font that a Renderer shares between
// concurrent renders.
type fontFace struct {
	label  string // for errors
	raw    []byte
	sf     *sfnt.Font
	name   string // PostScript name, safe as a PDF name
	upem   int
	bbox   [4]int // in 1/1000 em
	ascent int    // in 1/1000 em
	descnt int
	capH   int
}

// has reports whether the font has a glyph for r.
func (f *fontFace) has(r rune) bool {
	var buf sfnt.Buffer
	gid, err := f.sf.GlyphIndex(&buf, r)
	return err == nil && gid != 0
}

func parseFace(raw []byte) (*fontFace, error) {
	if bytes.HasPrefix(raw, []byte("ttcf")) {
		return nil, errors.New("plate: font is a TrueType collection (.ttc); pass a single TrueType font (.ttf)")
	}
	sf, err := sfnt.Parse(raw)
	if err != nil {
		label := fmt.Sprintf("(%d bytes)", len(raw))
		if len(raw) > 0 && len(raw) == len(droidSansFallback) && &raw[0] == &droidSansFallback[0] {
			label = "embedded " + DefaultFontName
		}
		return nil, fmt.Errorf("plate: font %s is not a readable TrueType font: %w", label, err)
	}
	var buf sfnt.Buffer
	name, _ := sf.Name(&buf, sfnt.NameIDPostScript)
	if name == "" {
		name, _ = sf.Name(&buf, sfnt.NameIDFull)
	}
	label := name
	if label == "" {
		label = fmt.Sprintf("(unnamed, %d bytes)", len(raw))
	}
	fail := func(err error) error { return fmt.Errorf("plate: font %s: %w", label, err) }

	if _, err := parseTables(raw); err != nil {
		return nil, fail(err)
	}
	f := &fontFace{label: label, raw: raw, sf: sf, name: pdfName(name), upem: int(sf.UnitsPerEm())}
	if f.name == "" {
		f.name = "Font"
	}
	if f.upem <= 0 {
		return nil, fail(errors.New("unitsPerEm is zero"))
	}
	ppem := fixed.Int26_6(f.upem << 6)
	b, err := sf.Bounds(&buf, ppem, font.HintingNone)
	if err != nil {
		return nil, fail(err)
	}
	// sfnt's y axis points down; PDF's points up.
	f.bbox = [4]int{f.em(b.Min.X), f.em(-b.Max.Y), f.em(b.Max.X), f.em(-b.Min.Y)}
	m, err := sf.Metrics(&buf, ppem, font.HintingNone)
	if err != nil {
		return nil, fail(err)
	}
	f.ascent, f.descnt, f.capH = f.em(m.Ascent), -f.em(m.Descent), f.em(m.CapHeight)
	if f.capH <= 0 {
		f.capH = f.ascent
	}
	return f, nil
}

// em converts a length in font units (as 26.6 at ppem = unitsPerEm) to 1/1000 em.
func (f *fontFace) em(v fixed.Int26_6) int {
	d := int64(f.upem << 6)
	n := int64(v) * 1000
	if n < 0 {
		return -int((-n + d/2) / d)
	}
	return int((n + d/2) / d)
}

// pdfName keeps the characters that need no escaping in a PDF name.
func pdfName(s string) string {
	var b strings.Builder
	for _, r := range s {
		if r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || r == '-' || r == '_' {
			b.WriteRune(r)
		}
	}
	return b.String()
}

// fontUse records, for one document, which characters it shows. Each
// distinct character gets its own CID, numbered from 1 in order of first
// use; the subset's glyph ids equal the CIDs. Giving every character its
// own CID, even when two share a glyph or the font lacks one, keeps the
// ToUnicode map exact, so that copied and searched text is right.
type fontUse struct {
	face  *fontFace
	res   string // resource name in pages, e.g. F1
	num   int    // object number of the Type0 font; 0 until first used
	buf   sfnt.Buffer
	cid   map[rune]uint16
	olds  []int  // olds[cid] = glyph id in the full font; olds[0] = .notdef
	uni   []rune // uni[cid] = the character
	width []int  // width[cid] in 1/1000 em
	adv   map[rune]float64
}

func newFontUse(face *fontFace, res string) *fontUse {
	u := &fontUse{
		face: face, res: res, cid: map[rune]uint16{},
		olds: []int{0}, uni: []rune{0},
		adv: map[rune]float64{},
	}
	u.width = []int{u.advance(0)}
	return u
}

func (u *fontUse) glyph(r rune) sfnt.GlyphIndex {
	gid, err := u.face.sf.GlyphIndex(&u.buf, r)
	if err != nil {
		return 0
	}
	return gid
}

// advance returns the advance of glyph gid in 1/1000 em, rounded as in /W:
// viewers place glyphs by /W, so text is measured with the same numbers.
func (u *fontUse) advance(gid sfnt.GlyphIndex) int {
	a, err := u.face.sf.GlyphAdvance(&u.buf, gid, fixed.Int26_6(u.face.upem<<6), font.HintingNone)
	if err != nil {
		return 0
	}
	return u.face.em(a)
}

// width1000 returns the advance of r in 1/1000 em.
func (u *fontUse) width1000(r rune) float64 {
	if w, ok := u.adv[r]; ok {
		return w
	}
	w := float64(u.advance(u.glyph(r)))
	u.adv[r] = w
	return w
}

var errTooManyGlyphs = errors.New("plate: more than 65535 distinct characters in one document")

// encode appends s as big-endian CIDs in hex, for a <…> Tj string.
func (u *fontUse) encode(dst []byte, s string) ([]byte, error) {
	const hex = "0123456789ABCDEF"
	for _, r := range s {
		c, ok := u.cid[r]
		if !ok {
			if len(u.olds) > 0xFFFF {
				return dst, errTooManyGlyphs
			}
			c = uint16(len(u.olds))
			u.cid[r] = c
			gid := u.glyph(r)
			u.olds = append(u.olds, int(gid))
			u.uni = append(u.uni, r)
			u.width = append(u.width, u.advance(gid))
		}
		dst = append(dst, hex[c>>12], hex[c>>8&15], hex[c>>4&15], hex[c&15])
	}
	return dst, nil
}

// write writes the Type0 font as object u.num and the objects it needs.
func (u *fontUse) write(w *pdfWriter) error {
	type0 := u.num
	sub, err := subsetFont(u.face.raw, u.olds)
	if err != nil {
		return fmt.Errorf("plate: subset font %s: %w", u.face.name, err)
	}
	cidFont, desc, file, toUni := w.reserve(), w.reserve(), w.reserve(), w.reserve()
	base := subsetTag(u.face.name, u.olds) + "+" + u.face.name
	f := u.face

	w.object(type0, fmt.Sprintf("<< /Type /Font /Subtype /Type0 /BaseFont /%s /Encoding /Identity-H"+
		" /DescendantFonts [%d 0 R] /ToUnicode %d 0 R >>", base, cidFont, toUni))

	var ws strings.Builder
	ws.WriteString("[0 [")
	for i, v := range u.width {
		if i > 0 {
			ws.WriteByte(' ')
		}
		fmt.Fprint(&ws, v)
	}
	ws.WriteString("]]")
	w.object(cidFont, fmt.Sprintf("<< /Type /Font /Subtype /CIDFontType2 /BaseFont /%s"+
		" /CIDSystemInfo << /Registry (Adobe) /Ordering (Identity) /Supplement 0 >>"+
		" /FontDescriptor %d 0 R /DW 1000 /W %s /CIDToGIDMap /Identity >>", base, desc, ws.String()))

	// Flags 4: symbolic, as for every CID-keyed font.
	w.object(desc, fmt.Sprintf("<< /Type /FontDescriptor /FontName /%s /Flags 4"+
		" /FontBBox [%d %d %d %d] /ItalicAngle 0 /Ascent %d /Descent %d /CapHeight %d"+
		" /StemV 80 /FontFile2 %d 0 R >>",
		base, f.bbox[0], f.bbox[1], f.bbox[2], f.bbox[3], f.ascent, f.descnt, f.capH, file))
	w.flateStream(file, fmt.Sprintf("/Length1 %d", len(sub)), sub)
	w.flateStream(toUni, "", u.toUnicode())
	return nil
}

// subsetTag is the six capital letters that PDF asks to precede the name
// of a subset font; it differs between different subsets.
func subsetTag(name string, olds []int) string {
	h := sha256.New()
	h.Write([]byte(name))
	var b [4]byte
	for _, g := range olds {
		binary.BigEndian.PutUint32(b[:], uint32(g))
		h.Write(b[:])
	}
	sum := h.Sum(nil)
	tag := make([]byte, 6)
	for i := range tag {
		tag[i] = 'A' + sum[i]%26
	}
	return string(tag)
}

// toUnicode builds the CMap that maps each CID back to its character.
func (u *fontUse) toUnicode() []byte {
	var b strings.Builder
	b.WriteString("/CIDInit /ProcSet findresource begin\n12 dict begin\nbegincmap\n" +
		"/CIDSystemInfo << /Registry (Adobe) /Ordering (UCS) /Supplement 0 >> def\n" +
		"/CMapName /Adobe-Identity-UCS def\n/CMapType 2 def\n" +
		"1 begincodespacerange\n<0000> <FFFF>\nendcodespacerange\n")
	// At most 100 entries per block (PDF 32000-1, 9.10.3).
	for start := 1; start < len(u.uni); start += 100 {
		end := min(start+100, len(u.uni))
		fmt.Fprintf(&b, "%d beginbfchar\n", end-start)
		for c := start; c < end; c++ {
			fmt.Fprintf(&b, "<%04X> <", c)
			for _, unit := range utf16.Encode([]rune{u.uni[c]}) {
				fmt.Fprintf(&b, "%04X", unit)
			}
			b.WriteString(">\n")
		}
		b.WriteString("endbfchar\n")
	}
	b.WriteString("endcmap\nCMapName currentdict /CMap defineresource pop\nend\nend\n")
	return []byte(b.String())
}
