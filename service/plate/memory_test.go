package plate

import (
	"fmt"
	"os"
	"runtime"
	"testing"
	"time"
)

type memRun struct {
	plates   int
	peak     uint64 // highest HeapInuse seen while rendering
	base     uint64 // HeapInuse after a GC, before rendering
	allocs   uint64 // bytes allocated during the run
	elapsed  time.Duration
	pdfBytes int
}

func (m memRun) String() string {
	return fmt.Sprintf("%5d plates: peak HeapInuse %.1f MB (%.1f MB above the %.1f MB before), %.0f KB allocated a plate, %v (%.2f ms a plate), PDF %.0f MB",
		m.plates, mb(m.peak), mb(m.peak-min(m.peak, m.base)), mb(m.base), float64(m.allocs)/float64(m.plates)/1024,
		m.elapsed.Round(time.Millisecond), float64(m.elapsed.Microseconds())/1000/float64(m.plates), mb(uint64(m.pdfBytes)))
}

func mb(b uint64) float64 { return float64(b) / (1 << 20) }

// renderCounting renders n plates to io.Discard, each with its own code
// JPEG of about 20 KB made as it is pulled, the way a handler would fetch
// codes one by one, and samples the heap every 10 plates.
func renderCounting(t testing.TB, n int) memRun {
	base := qrJPEG(t, "memtestSceneK7q9ZfX2mWpA4sT", 200)
	var ms runtime.MemStats
	runtime.GC()
	runtime.ReadMemStats(&ms)
	run := memRun{plates: n, base: ms.HeapInuse, peak: ms.HeapInuse}
	alloc0 := ms.TotalAlloc
	i := 0
	next := func() (Plate, bool, error) {
		if i%10 == 0 {
			runtime.ReadMemStats(&ms)
			run.peak = max(run.peak, ms.HeapInuse)
		}
		if i == n {
			return Plate{}, false, nil
		}
		i++
		return Plate{
			Number:       fmt.Sprintf("330281-%06d-%04d", i/100, i%100),
			Address:      addresses[i%len(addresses)],
			RoomNo:       fmt.Sprintf("%d室", 100+i%900),
			LandlordName: "张建国",
			Scene:        fmt.Sprintf("s%08dK7q9ZfX2mWpA4", i),
			Code:         withComment(base, i, 20<<10),
		}, true, nil
	}
	w := &countingWriter{}
	start := time.Now()
	if err := defaultRenderer(t).Render(w, next); err != nil {
		t.Fatal(err)
	}
	run.elapsed = time.Since(start)
	runtime.ReadMemStats(&ms)
	run.peak = max(run.peak, ms.HeapInuse)
	run.allocs = ms.TotalAlloc - alloc0
	run.pdfBytes = w.n
	return run
}

// The normal suite compares 50 and 500 plates; YAOJU_PLATE_MEMTEST=1
// compares 500 and 5,000:
//
//	YAOJU_PLATE_MEMTEST=1 go test ./service/plate/ -run PeakHeap -v
func TestRender_PeakHeapDoesNotGrowWithPlateCount(t *testing.T) {
	small, large := 50, 500
	if os.Getenv("YAOJU_PLATE_MEMTEST") != "" {
		small, large = 500, 5000
	}
	defaultRenderer(t)
	renderCounting(t, 20) // warm up: font parsing, lazily built tables
	a := renderCounting(t, small)
	b := renderCounting(t, large)
	t.Log(a)
	t.Log(b)
	// Ten times the plates (and ten times the bytes allocated) must not
	// mean more heap in use: allow GC timing noise, not growth.
	if b.peak > a.peak+a.peak/2+(2<<20) {
		t.Errorf("peak heap grew from %.1f MB (%d plates) to %.1f MB (%d plates)", mb(a.peak), small, mb(b.peak), large)
	}
	if b.allocs < 5*a.allocs {
		t.Errorf("the larger run allocated only %d bytes against %d: did it render?", b.allocs, a.allocs)
	}
}

// go test ./service/plate/ -run '^$' -bench Render5000 -benchtime 1x
func BenchmarkRender5000Plates(b *testing.B) {
	defaultRenderer(b)
	for b.Loop() {
		run := renderCounting(b, 5000)
		b.ReportMetric(mb(run.peak), "peak-heap-MB")
		b.ReportMetric(float64(run.elapsed.Microseconds())/1000/5000, "ms/plate")
		b.Log(run)
	}
}
