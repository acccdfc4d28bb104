package plate

import (
	"regexp"
	"strconv"
	"strings"
	"testing"
)

func TestWrap_BreaksBetweenCJKButKeepsLatinRunsTogether(t *testing.T) {
	unit := func(r rune) float64 { // CJK 2 units, Latin 1
		if r < 0x80 {
			return 1
		}
		return 2
	}
	cases := []struct {
		in    string
		width float64
		want  []string
	}{
		{"浙江省宁波市", 8, []string{"浙江省宁", "波市"}},
		{"某某路12号", 7, []string{"某某路", "12号"}},             // not "某某路1" / "2号"
		{"城东新村B-1203室", 10, []string{"城东新村", "B-1203室"}},  // the room stays whole
		{"ABCDEFGHIJ", 4, []string{"ABCD", "EFGH", "IJ"}}, // a run wider than a line must break
		{"阳明街道 某某路", 8, []string{"阳明街道", "某某路"}},          // no space at a line's ends
		{"", 5, nil},
	}
	for _, c := range cases {
		got := wrap(c.in, c.width, unit)
		if strings.Join(got, "|") != strings.Join(c.want, "|") {
			t.Errorf("wrap(%q, %v) = %q, want %q", c.in, c.width, got, c.want)
		}
		for _, line := range got {
			w := 0.0
			for _, r := range line {
				w += unit(r)
			}
			if w > c.width {
				t.Errorf("wrap(%q): line %q is %v wide, more than %v", c.in, line, w, c.width)
			}
		}
	}
}

// A long address wraps within the plate's text column and shrinks to fit
// its box; only an absurdly long one is cut short, with an ellipsis.
func TestRender_LongAddressStaysInsideItsBox(t *testing.T) {
	long := "浙江省宁波市余姚市阳明街道某某路某某小区东门进去左转第三幢楼后面的自建房三楼靠北边那间带独立卫生间的单间"
	for _, c := range []struct {
		addr string
		cut  bool
	}{
		{"浙江省宁波市余姚市阳明街道某某路12号", false},
		{long, false},
		{strings.Repeat(long, 4), true},
	} {
		d := defaultRenderer(t).newDoc(newPDFWriter(nil), 0)
		const x, top, bottom, width = 0.0, 0.0, 60.0, 120.0
		if err := d.address(c.addr, x, top, bottom, width); err != nil {
			t.Fatal(err)
		}
		// Read back what was drawn: one text object per line.
		lines := strings.Split(strings.TrimSpace(d.content.String()), "\n")
		var shown string
		var size float64
		for _, l := range lines {
			var text string
			text, size = shownText(t, d, l)
			if w := d.measure(text, size); w > width+0.01 {
				t.Errorf("line %q is %.1f pt wide, more than %v", text, w, width)
			}
			shown += text
		}
		if float64(len(lines))*size*1.3 > bottom-top+0.01 {
			t.Errorf("%d lines overflow a %v pt box", len(lines), bottom-top)
		}
		if c.cut != strings.HasSuffix(shown, "…") || !c.cut && shown != c.addr {
			t.Errorf("address shown as %q (cut: %v)", shown, c.cut)
		}
	}
}

var reShow = regexp.MustCompile(`/F(\d) ([\d.]+) Tf <([0-9A-F]*)> Tj`)

// shownText decodes one BT … ET line of content back to its characters.
func shownText(t *testing.T, d *doc, line string) (string, float64) {
	t.Helper()
	var out []rune
	var size float64
	for _, m := range reShow.FindAllStringSubmatch(line, -1) {
		f := d.fonts[int(m[1][0]-'1')]
		size, _ = strconv.ParseFloat(m[2], 64)
		for i := 0; i+4 <= len(m[3]); i += 4 {
			cid, _ := strconv.ParseUint(m[3][i:i+4], 16, 16)
			out = append(out, f.uni[cid])
		}
	}
	if out == nil {
		t.Fatalf("no text in %q", line)
	}
	return string(out), size
}
