package plate

import (
	"bufio"
	"bytes"
	"compress/zlib"
	"fmt"
	"io"
	"strconv"
)

// pdfWriter writes PDF objects to the output as soon as each is complete.
// It keeps only the byte offset of every object, for the cross-reference
// table at the end; PDF lets objects appear in any order, so objects whose
// content is known only at the end (the font, the page tree) get their
// numbers reserved up front and are written last.
type pdfWriter struct {
	bw      *bufio.Writer
	n       int64   // bytes written so far
	offsets []int64 // offsets[num] is where object num starts; 0 = not written yet
	err     error   // first write error; every later write is a no-op

	zbuf bytes.Buffer // reused for compressing streams
	zw   *zlib.Writer
}

func newPDFWriter(w io.Writer) *pdfWriter {
	pw := &pdfWriter{bw: bufio.NewWriterSize(w, 64<<10), offsets: []int64{0}}
	pw.zw, _ = zlib.NewWriterLevel(&pw.zbuf, zlib.DefaultCompression)
	return pw
}

func (w *pdfWriter) Write(p []byte) (int, error) {
	if w.err != nil {
		return 0, w.err
	}
	n, err := w.bw.Write(p)
	w.n += int64(n)
	w.err = err
	return n, err
}

func (w *pdfWriter) str(s string) {
	if w.err != nil {
		return
	}
	n, err := w.bw.WriteString(s)
	w.n += int64(n)
	w.err = err
}

func (w *pdfWriter) printf(format string, args ...any) {
	fmt.Fprintf(w, format, args...)
}

// header starts the file. The second line's high bytes tell transfer tools
// that the file is binary.
func (w *pdfWriter) header() {
	w.str("%PDF-1.4\n%\xe2\xe3\xcf\xd3\n")
}

// reserve hands out the next object number without writing anything.
func (w *pdfWriter) reserve() int {
	w.offsets = append(w.offsets, 0)
	return len(w.offsets) - 1
}

func (w *pdfWriter) begin(num int) {
	w.offsets[num] = w.n
	w.str(strconv.Itoa(num))
	w.str(" 0 obj\n")
}

func (w *pdfWriter) end() {
	w.str("\nendobj\n")
}

// object writes a whole non-stream object.
func (w *pdfWriter) object(num int, body string) {
	w.begin(num)
	w.str(body)
	w.end()
}

// stream writes a stream object whose data is already encoded. dict holds
// the dictionary's entries other than /Length.
func (w *pdfWriter) stream(num int, dict string, data []byte) {
	w.begin(num)
	w.str("<< ")
	w.str(dict)
	w.str(" /Length ")
	w.str(strconv.Itoa(len(data)))
	w.str(" >>\nstream\n")
	w.Write(data)
	w.str("\nendstream")
	w.end()
}

// flateStream compresses data with zlib and writes it as a stream object.
func (w *pdfWriter) flateStream(num int, dict string, data []byte) {
	if w.err != nil {
		return
	}
	w.zbuf.Reset()
	w.zw.Reset(&w.zbuf)
	if _, err := w.zw.Write(data); err != nil {
		w.err = err
		return
	}
	if err := w.zw.Close(); err != nil {
		w.err = err
		return
	}
	if dict != "" {
		dict += " "
	}
	w.stream(num, dict+"/Filter /FlateDecode", w.zbuf.Bytes())
	// A font subset can make the buffer large; do not keep it for the next page.
	if w.zbuf.Cap() > 1<<20 {
		w.zbuf = bytes.Buffer{}
	}
}

// finish writes the cross-reference table and the trailer and flushes.
func (w *pdfWriter) finish(root, info int) error {
	for num := 1; num < len(w.offsets); num++ {
		if w.offsets[num] == 0 && w.err == nil {
			return fmt.Errorf("plate: pdf object %d was reserved but never written", num)
		}
	}
	xref := w.n
	w.printf("xref\n0 %d\n", len(w.offsets))
	// Each entry is exactly 20 bytes: the end of line is " \n".
	w.str("0000000000 65535 f \n")
	for _, off := range w.offsets[1:] {
		w.printf("%010d 00000 n \n", off)
	}
	w.printf("trailer\n<< /Size %d /Root %d 0 R /Info %d 0 R >>\nstartxref\n%d\n%%%%EOF\n",
		len(w.offsets), root, info, xref)
	if w.err != nil {
		return w.err
	}
	return w.bw.Flush()
}
