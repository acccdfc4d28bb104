// Package plate prints door plates: an A4 PDF, eight plates a page, each
// carrying a rental unit's mini-program code, its address, room number and
// landlord (DESIGN.md, flow 1).
//
// A city-wide print can run to tens of thousands of units, answered as one
// PDF over HTTP, so the PDF is streamed: every object goes to the writer as
// soon as it is complete, and memory does not grow with the number of
// plates. Only the font, a subset of the glyphs the document used, and the
// page tree wait for the end. The package writes PDF itself for that
// reason; fpdf keeps every page in memory until Output.
package plate

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"strings"
	"unicode"
	"unicode/utf16"
	"unicode/utf8"

	"golang.org/x/image/font/gofont/goregular"
)

// Plate is what one door plate shows.
type Plate struct {
	Number       string // the plate's number, e.g. "330281-000123-0101"
	Address      string // full address (Chinese)
	RoomNo       string
	LandlordName string
	Scene        string // printed small under the code, so a plate can be matched by eye
	Code         []byte // the mini-program code image, JPEG or PNG
}

// ErrNoPlates: Render was given nothing to print. Nothing has been written
// to the output when Render returns it.
var ErrNoPlates = errors.New("plate: no plates to render")

// Renderer renders plates. It is safe for concurrent use.
type Renderer struct {
	faces [2]*fontFace // the given font, then the Latin fallback
}

// NewRenderer parses a TrueType (.ttf) font that has CJK glyphs. Characters
// the font lacks are taken from Go Regular (golang.org/x/image/font/gofont,
// BSD-3-Clause), which covers Latin: the embedded Droid Sans Fallback has
// CJK only, not even digits. The error names the font when it can be read
// that far.
func NewRenderer(font []byte) (*Renderer, error) {
	face, err := parseFace(font)
	if err != nil {
		return nil, err
	}
	latin, err := parseFace(goregular.TTF)
	if err != nil {
		return nil, fmt.Errorf("plate: fallback font: %w", err)
	}
	for _, r := range titleText + footerText + "房号东编…0123456789-" {
		if r != ' ' && !face.has(r) && !latin.has(r) {
			return nil, fmt.Errorf("plate: font %s has no glyph for %q, which every plate prints", face.label, r)
		}
	}
	return &Renderer{faces: [2]*fontFace{face, latin}}, nil
}

// The printed text.
const (
	titleText  = "居住登记 一户一码"
	footerText = "扫码申报居住信息 · 每月扫码签到"
)

// Layout, in points (1/72 inch). A4 holds 2 × 4 plates of about 94 × 66 mm,
// with gutters wide enough for cut marks between them.
const (
	pageW, pageH = 595.28, 841.89
	cols, rows   = 2, 4
	perPage      = cols * rows
	margin       = 22.0
	gutter       = 18.0
	plateW       = (pageW - 2*margin - (cols-1)*gutter) / cols
	plateH       = (pageH - 2*margin - (rows-1)*gutter) / rows

	pad      = 8.0
	bandH    = 30.0 // the title band
	codeTop  = bandH + 6
	codeSize = 118.0
	footH    = 20.0

	markGap, markLen = 2.0, 6.0 // cut marks stop short of the plate's corner
)

// Render writes one A4 PDF of plates to w, pulling plates one at a time
// from next until it reports ok == false, and returns the first error from
// next, from a plate's code image (*CodeError) or from w. Each code image is
// written out as soon as it is pulled, so at most one is held at a time.
// What stays in memory until the end is a few bytes per PDF object (the
// xref offsets and the page list) and the glyphs used so far.
//
// Plates stream: when Render fails after it has begun writing, w holds a
// truncated PDF, and an HTTP handler should abort the response rather than
// end it normally. Render writes nothing when the first call to next fails
// or returns no plate (ErrNoPlates), so a handler can still answer with an
// error then. It stops pulling plates once a write to w has failed.
func (r *Renderer) Render(w io.Writer, next func() (p Plate, ok bool, err error)) error {
	p, ok, err := next()
	if err != nil {
		return err
	}
	if !ok {
		return ErrNoPlates
	}
	pw := newPDFWriter(w)
	pw.header()
	catalog, pages := pw.reserve(), pw.reserve()
	d := r.newDoc(pw, pages)
	var kids []int
	for ok {
		d.content.Reset()
		d.images = d.images[:0]
		for slot := 0; slot < perPage && ok; slot++ {
			if err := d.plate(slot, p); err != nil {
				return err
			}
			if pw.err != nil {
				return pw.err // the client went away; stop pulling plates
			}
			if p, ok, err = next(); err != nil {
				return err
			}
		}
		kids = append(kids, d.finishPage())
	}

	for _, f := range d.fonts {
		if f.num == 0 {
			continue // no text needed this font
		}
		if err := f.write(pw); err != nil {
			return err
		}
	}
	var k strings.Builder
	for i, n := range kids {
		if i > 0 {
			k.WriteByte(' ')
		}
		fmt.Fprintf(&k, "%d 0 R", n)
	}
	pw.object(pages, fmt.Sprintf("<< /Type /Pages /Kids [%s] /Count %d >>", k.String(), len(kids)))
	pw.object(catalog, fmt.Sprintf("<< /Type /Catalog /Pages %d 0 R >>", pages))
	info := pw.reserve()
	pw.object(info, "<< /Producer (yaoju) /Title "+pdfText("居住登记门牌")+" >>")
	return pw.finish(catalog, info)
}

// pdfText encodes s as a PDF text string (UTF-16BE with a byte order mark).
func pdfText(s string) string {
	var b strings.Builder
	b.WriteString("<FEFF")
	for _, u := range utf16.Encode([]rune(s)) {
		fmt.Fprintf(&b, "%04X", u)
	}
	b.WriteString(">")
	return b.String()
}

// doc is the state of one Render.
type doc struct {
	pw       *pdfWriter
	fonts    []*fontUse   // in order of preference
	which    map[rune]int // the font each character is shown in
	pagesNum int
	content  bytes.Buffer // the current page's content stream
	images   []int        // the current page's image objects
	hex      []byte       // scratch for encoded text
	ox, top  float64      // PDF position of the current plate's top-left corner
}

func (r *Renderer) newDoc(pw *pdfWriter, pages int) *doc {
	d := &doc{pw: pw, pagesNum: pages, which: map[rune]int{}}
	for i, f := range r.faces {
		d.fonts = append(d.fonts, newFontUse(f, fmt.Sprintf("F%d", i+1)))
	}
	return d
}

func (d *doc) finishPage() int {
	contents, page := d.pw.reserve(), d.pw.reserve()
	d.pw.flateStream(contents, "", d.content.Bytes())
	var fo, xo strings.Builder
	for _, f := range d.fonts {
		if f.num != 0 {
			fmt.Fprintf(&fo, " /%s %d 0 R", f.res, f.num)
		}
	}
	for _, n := range d.images {
		fmt.Fprintf(&xo, " /Im%d %d 0 R", n, n)
	}
	d.pw.object(page, fmt.Sprintf("<< /Type /Page /Parent %d 0 R /MediaBox [0 0 %.2f %.2f]"+
		" /Resources << /Font <<%s >> /XObject <<%s >> /ProcSet [/PDF /Text /ImageB /ImageC] >>"+
		" /Contents %d 0 R >>", d.pagesNum, pageW, pageH, fo.String(), xo.String(), contents))
	return page
}

func (d *doc) op(format string, args ...any) {
	fmt.Fprintf(&d.content, format, args...)
	d.content.WriteByte('\n')
}

// Layout coordinates are relative to the top-left corner of the plate being
// drawn, y downwards; X and Y turn them into PDF's (origin bottom-left, y up).
func (d *doc) X(x float64) float64 { return d.ox + x }
func (d *doc) Y(y float64) float64 { return d.top - y }

// plate draws one plate in the given slot of the current page.
func (d *doc) plate(slot int, p Plate) error {
	d.ox = margin + float64(slot%cols)*(plateW+gutter)
	d.top = pageH - margin - float64(slot/cols)*(plateH+gutter)

	img := d.pw.reserve()
	ci, err := writeCode(d.pw, img, p.Code)
	if err != nil {
		return &CodeError{Number: p.Number, Err: err}
	}
	d.images = append(d.images, img)

	// Cut marks outside each corner, in line with the edges.
	d.op("0 0 0 RG 0.3 w")
	for _, c := range [4][2]float64{{0, 0}, {plateW, 0}, {0, plateH}, {plateW, plateH}} {
		dx, dy := 1.0, 1.0 // outward, in layout terms
		if c[0] == 0 {
			dx = -1
		}
		if c[1] == 0 {
			dy = -1
		}
		d.op("%.2f %.2f m %.2f %.2f l S", d.X(c[0]+dx*markGap), d.Y(c[1]), d.X(c[0]+dx*(markGap+markLen)), d.Y(c[1]))
		d.op("%.2f %.2f m %.2f %.2f l S", d.X(c[0]), d.Y(c[1]+dy*markGap), d.X(c[0]), d.Y(c[1]+dy*(markGap+markLen)))
	}

	// Title band, then the outline over it.
	d.op("0.09 0.27 0.55 rg %.2f %.2f %.2f %.2f re f", d.X(0), d.Y(bandH), plateW, bandH)
	d.op("1 1 1 rg")
	if err := d.textCentered(titleText, 15, 12, plateW/2, bandH/2+15*0.36, plateW-2*pad); err != nil {
		return err
	}
	d.op("0.55 G 0.6 w %.2f %.2f %.2f %.2f re S", d.X(0), d.Y(plateH), plateW, plateH)

	// The code, fitted into its square, and the scene under it.
	iw, ih := codeSize, codeSize
	if ci.w > ci.h {
		ih = codeSize * float64(ci.h) / float64(ci.w)
	} else if ci.h > ci.w {
		iw = codeSize * float64(ci.w) / float64(ci.h)
	}
	ix, iy := pad+(codeSize-iw)/2, codeTop+(codeSize-ih)/2
	d.op("q %.2f 0 0 %.2f %.2f %.2f cm /Im%d Do Q", iw, ih, d.X(ix), d.Y(iy+ih), img)
	d.op("0.3 g")
	if err := d.textCentered(clean(p.Scene), 6, 4, pad+codeSize/2, codeTop+codeSize+7, codeSize+pad); err != nil {
		return err
	}

	// The right column: the address at the top, wrapped; room, landlord and
	// number at the bottom, level with the bottom of the code.
	cx := pad + codeSize + 10
	cw := plateW - pad - cx
	bottom := codeTop + codeSize
	d.op("0 0 0 rg")
	if err := d.textFit("编号 "+clean(p.Number), 7.5, 5, cx, bottom-1, cw); err != nil {
		return err
	}
	if err := d.textFit("房东 "+clean(p.LandlordName), 11, 7, cx, bottom-14, cw); err != nil {
		return err
	}
	if err := d.textFit("房号 "+clean(p.RoomNo), 15, 8, cx, bottom-31, cw); err != nil {
		return err
	}
	if err := d.address(clean(p.Address), cx, codeTop+1, bottom-31-15-4, cw); err != nil {
		return err
	}

	// Footer.
	d.op("0.55 G 0.4 w %.2f %.2f m %.2f %.2f l S", d.X(pad), d.Y(plateH-footH), d.X(plateW-pad), d.Y(plateH-footH))
	d.op("0.09 0.27 0.55 rg")
	return d.textCentered(footerText, 9, 6, plateW/2, plateH-7, plateW-2*pad)
}

// font returns the index of the font that shows r: the first that has a
// glyph for it, or the first font's .notdef.
func (d *doc) font(r rune) int {
	if i, ok := d.which[r]; ok {
		return i
	}
	i := 0
	for j, f := range d.fonts {
		if f.glyph(r) != 0 {
			i = j
			break
		}
	}
	d.which[r] = i
	return i
}

// measure returns the width of s in points at the given size.
func (d *doc) measure(s string, size float64) float64 {
	w := 0.0
	for _, r := range s {
		w += d.fonts[d.font(r)].width1000(r)
	}
	return w * size / 1000
}

func (d *doc) advance(r rune, size float64) float64 {
	return d.fonts[d.font(r)].width1000(r) * size / 1000
}

// text shows s with its baseline at layout (x, baseline), switching fonts
// between runs of characters; each Tj goes on from where the last ended.
func (d *doc) text(s string, size, x, baseline float64) error {
	if s == "" {
		return nil
	}
	fmt.Fprintf(&d.content, "BT %.2f %.2f Td", d.X(x), d.Y(baseline))
	for s != "" {
		fi := d.font(firstRune(s))
		n := 0
		for n < len(s) {
			r, w := utf8.DecodeRuneInString(s[n:])
			if d.font(r) != fi {
				break
			}
			n += w
		}
		f := d.fonts[fi]
		if f.num == 0 {
			f.num = d.pw.reserve()
		}
		var err error
		d.hex, err = f.encode(d.hex[:0], s[:n])
		if err != nil {
			return err
		}
		fmt.Fprintf(&d.content, " /%s %.2f Tf <%s> Tj", f.res, size, d.hex)
		s = s[n:]
	}
	d.content.WriteString(" ET\n")
	return nil
}

func firstRune(s string) rune {
	r, _ := utf8.DecodeRuneInString(s)
	return r
}

// fit returns s and the largest size from size down to minSize at which s
// fits in width, or s cut short with an ellipsis at minSize.
func (d *doc) fit(s string, size, minSize, width float64) (string, float64) {
	for ; size > minSize; size -= 0.5 {
		if d.measure(s, size) <= width {
			return s, size
		}
	}
	if d.measure(s, minSize) <= width {
		return s, minSize
	}
	rs := []rune(s)
	for len(rs) > 0 && d.measure(string(rs)+"…", minSize) > width {
		rs = rs[:len(rs)-1]
	}
	return string(rs) + "…", minSize
}

func (d *doc) textFit(s string, size, minSize, x, baseline, width float64) error {
	s, size = d.fit(s, size, minSize, width)
	return d.text(s, size, x, baseline)
}

// textCentered centres s on layout x = cx.
func (d *doc) textCentered(s string, size, minSize, cx, baseline, width float64) error {
	s, size = d.fit(s, size, minSize, width)
	return d.text(s, size, cx-d.measure(s, size)/2, baseline)
}

// address wraps the address into the box from top to bottom, shrinking the
// type until it fits, and cuts it short only at the smallest size.
func (d *doc) address(s string, x, top, bottom, width float64) error {
	const maxSize, minSize = 10.0, 6.5
	size := maxSize
	var lines []string
	for ; ; size -= 0.5 {
		lines = wrap(s, width, func(r rune) float64 { return d.advance(r, size) })
		if float64(len(lines))*size*1.3 <= bottom-top || size <= minSize {
			break
		}
	}
	leading := size * 1.3
	if n := max(1, int((bottom-top)/leading)); len(lines) > n {
		lines = lines[:n]
		last := []rune(lines[n-1])
		for len(last) > 0 && d.measure(string(last)+"…", size) > width {
			last = last[:len(last)-1]
		}
		lines[n-1] = string(last) + "…"
	}
	for i, line := range lines {
		if err := d.text(line, size, x, top+size*0.9+float64(i)*leading); err != nil {
			return err
		}
	}
	return nil
}

// wrap breaks s into lines no wider than width. A line may break between
// any two characters except inside a run of Latin letters and digits, such
// as "12号" or "B-1203", unless the run alone is wider than a line.
func wrap(s string, width float64, adv func(rune) float64) []string {
	var lines []string
	rs := []rune(s)
	for len(rs) > 0 {
		w, n, brk := 0.0, 0, 0
		for n < len(rs) {
			aw := adv(rs[n])
			if w+aw > width && n > 0 {
				break
			}
			w += aw
			n++
			if n == len(rs) || !(word(rs[n-1]) && word(rs[n])) {
				brk = n
			}
		}
		if n < len(rs) && brk > 0 {
			n = brk
		}
		lines = append(lines, strings.TrimRight(string(rs[:n]), " "))
		rs = rs[n:]
		for len(rs) > 0 && rs[0] == ' ' {
			rs = rs[1:]
		}
	}
	return lines
}

func word(r rune) bool {
	return r < 0x80 && (unicode.IsLetter(r) || unicode.IsDigit(r) || r == '-' || r == '.')
}

// clean turns line breaks and other control characters into spaces: a
// plate's fields are single lines.
func clean(s string) string {
	s = strings.Map(func(r rune) rune {
		if unicode.IsControl(r) || r == unicode.ReplacementChar {
			return ' '
		}
		return r
	}, s)
	return strings.Join(strings.Fields(s), " ")
}
