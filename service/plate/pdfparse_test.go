package plate

import (
	"bytes"
	"compress/zlib"
	"fmt"
	"io"
	"regexp"
	"strconv"
	"testing"
)

// A minimal reader for the PDFs this package writes, for checks that the
// general readers cannot make: the xref offsets themselves, and raw image
// streams (ledongthuc/pdf refuses /DCTDecode).

type rawObject struct {
	num  int
	dict string // the text before "stream", or the whole body
	data []byte // raw stream data, if a stream
}

type rawPDF struct {
	b       []byte
	offsets []int64 // from the xref table
}

var (
	reStartXref = regexp.MustCompile(`startxref\s+(\d+)\s+%%EOF\s*$`)
	reLength    = regexp.MustCompile(`/Length (\d+)`)
)

func parseRaw(t testing.TB, b []byte) *rawPDF {
	t.Helper()
	m := reStartXref.FindSubmatch(b)
	if m == nil {
		t.Fatal("no startxref at the end")
	}
	xref, _ := strconv.Atoi(string(m[1]))
	if xref >= len(b) || !bytes.HasPrefix(b[xref:], []byte("xref\n")) {
		t.Fatalf("startxref %d does not point at an xref table", xref)
	}
	var first, n int
	rest := b[xref+5:]
	if _, err := fmt.Sscanf(string(rest[:bytes.IndexByte(rest, '\n')]), "%d %d", &first, &n); err != nil || first != 0 {
		t.Fatalf("bad xref subsection header: %v", err)
	}
	rest = rest[bytes.IndexByte(rest, '\n')+1:]
	p := &rawPDF{b: b, offsets: make([]int64, n)}
	for i := 0; i < n; i++ {
		e := rest[20*i : 20*i+20]
		if len(e) != 20 || e[18] != ' ' && e[18] != '\r' || e[19] != '\n' && e[19] != '\r' {
			t.Fatalf("xref entry %d is not 20 bytes: %q", i, e)
		}
		off, err := strconv.ParseInt(string(e[:10]), 10, 64)
		if err != nil {
			t.Fatalf("xref entry %d: %v", i, err)
		}
		p.offsets[i] = off
	}
	trailer := rest[20*n:]
	if !bytes.HasPrefix(trailer, []byte("trailer\n")) {
		t.Fatalf("no trailer after %d xref entries", n)
	}
	if !bytes.Contains(trailer, []byte(fmt.Sprintf("/Size %d ", n))) {
		t.Fatalf("trailer /Size is not %d: %s", n, trailer)
	}
	return p
}

func (p *rawPDF) object(t testing.TB, num int) rawObject {
	t.Helper()
	off := p.offsets[num]
	head := fmt.Sprintf("%d 0 obj\n", num)
	if !bytes.HasPrefix(p.b[off:], []byte(head)) {
		t.Fatalf("xref offset %d of object %d points at %q", off, num, p.b[off:min(int(off)+20, len(p.b))])
	}
	body := p.b[off+int64(len(head)):]
	end := bytes.Index(body, []byte("endobj"))
	si := bytes.Index(body, []byte("\nstream\n"))
	if si < 0 || si > end {
		return rawObject{num: num, dict: string(body[:end])}
	}
	dict := string(body[:si])
	m := reLength.FindStringSubmatch(dict)
	if m == nil {
		t.Fatalf("object %d: stream without a direct /Length", num)
	}
	n, _ := strconv.Atoi(m[1])
	data := body[si+8:]
	if len(data) < n || !bytes.HasPrefix(data[n:], []byte("\nendstream\nendobj")) {
		t.Fatalf("object %d: /Length %d does not end at endstream", num, n)
	}
	return rawObject{num: num, dict: dict, data: data[:n]}
}

func (p *rawPDF) objects(t testing.TB) []rawObject {
	var out []rawObject
	for num := 1; num < len(p.offsets); num++ {
		out = append(out, p.object(t, num))
	}
	return out
}

func inflate(t testing.TB, b []byte) []byte {
	t.Helper()
	zr, err := zlib.NewReader(bytes.NewReader(b))
	if err != nil {
		t.Fatal(err)
	}
	out, err := io.ReadAll(zr)
	if err != nil {
		t.Fatal(err)
	}
	return out
}
