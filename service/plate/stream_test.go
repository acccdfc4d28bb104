package plate

import (
	"bytes"
	"errors"
	"io"
	"testing"
)

func TestRender_NoPlatesIsAnErrorAndWritesNothing(t *testing.T) {
	var out bytes.Buffer
	err := defaultRenderer(t).Render(&out, from(nil))
	if !errors.Is(err, ErrNoPlates) || out.Len() != 0 {
		t.Fatalf("err = %v, %d bytes written; want ErrNoPlates and nothing", err, out.Len())
	}
}

func TestRender_ErrorFromNextIsReturned(t *testing.T) {
	boom := errors.New("db gone")
	ps := samplePlates(t, 10)
	i := 0
	err := defaultRenderer(t).Render(io.Discard, func() (Plate, bool, error) {
		if i == 9 {
			return Plate{}, false, boom
		}
		i++
		return ps[i-1], true, nil
	})
	if !errors.Is(err, boom) {
		t.Fatalf("err = %v, want %v", err, boom)
	}
}

// countingWriter records how much has reached the client.
type countingWriter struct {
	n    int
	fail int // fail once n would pass this, if > 0
}

var errGone = errors.New("client went away")

func (w *countingWriter) Write(p []byte) (int, error) {
	if w.fail > 0 && w.n+len(p) > w.fail {
		return 0, errGone
	}
	w.n += len(p)
	return len(p), nil
}

// Streaming, seen from the client: most of the PDF has reached the writer
// before the last plate is even pulled.
func TestRender_WritesPagesBeforeTheLastPlateIsPulled(t *testing.T) {
	ps := samplePlates(t, 40)
	var w countingWriter
	i, before := 0, 0
	err := defaultRenderer(t).Render(&w, func() (Plate, bool, error) {
		if i == len(ps)-1 {
			before = w.n
		}
		if i == len(ps) {
			return Plate{}, false, nil
		}
		i++
		return ps[i-1], true, nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if before < w.n*3/4 {
		t.Errorf("only %d of %d bytes were written before the last plate was pulled", before, w.n)
	}
}

// When the client disconnects, Render stops pulling plates (each may cost
// a WeChat call) soon after, instead of rendering the rest into the void.
func TestRender_StopsPullingPlatesWhenTheWriterFails(t *testing.T) {
	ps := samplePlates(t, 8)
	pulled := 0
	w := &countingWriter{fail: 200 << 10}
	err := defaultRenderer(t).Render(w, func() (Plate, bool, error) {
		pulled++
		if pulled > 10000 {
			return Plate{}, false, nil
		}
		return ps[pulled%len(ps)], true, nil
	})
	if !errors.Is(err, errGone) {
		t.Fatalf("err = %v, want the writer's error", err)
	}
	// 200 KB is about 10 plates of 21 KB codes; the writer buffers 64 KB.
	if pulled > 20 {
		t.Errorf("pulled %d plates after the writer failed at 200 KB", pulled)
	}
}

// One Renderer serves every print request at once (go test -race).
func TestRender_ConcurrentRendersShareOneRenderer(t *testing.T) {
	ps := samplePlates(t, 9)
	want := render(t, ps)
	errs := make(chan error, 4)
	outs := make([]bytes.Buffer, 4)
	for i := range outs {
		go func() { errs <- defaultRenderer(t).Render(&outs[i], from(ps)) }()
	}
	for range outs {
		if err := <-errs; err != nil {
			t.Fatal(err)
		}
	}
	for i := range outs {
		if !bytes.Equal(outs[i].Bytes(), want) {
			t.Errorf("render %d differs from a lone render of the same plates", i)
		}
	}
}
