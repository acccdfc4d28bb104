package api_test

import (
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"runtime"
	"strconv"
	"sync/atomic"
	"testing"
	"time"

	"yaoju/app/apptest"
	"yaoju/model"
	"yaoju/service/house"
)

// TestPlates_LargePrintMemory prints plates for many units through the real
// API and reports time and peak heap. It runs only when asked:
//
//	YAOJU_PLATES_N=5000 go test ./api/ -run LargePrintMemory -v
func TestPlates_LargePrintMemory(t *testing.T) {
	n, _ := strconv.Atoi(os.Getenv("YAOJU_PLATES_N"))
	if n == 0 {
		t.Skip("set YAOJU_PLATES_N to print that many plates")
	}
	e := apptest.New(t)
	community := areaID(t, e, "新建社区")
	h := model.House{LandlordName: "王建国", Address: "余姚市阳明街道新建路100号", AreaID: community, Status: model.HouseApproved}
	e.App.DB.Create(&h)
	units := make([]model.Unit, n)
	for i := range units {
		units[i] = model.Unit{HouseID: h.ID, RoomNo: fmt.Sprintf("%d", 1000+i), Capacity: 2, Scene: house.NewScene()}
	}
	e.App.DB.CreateInBatches(units, 1000)
	srv := httptest.NewServer(e.App.Handler)
	defer srv.Close()
	token := e.ConsoleLogin("police1")
	for _, run := range []string{"codes drawn from WeChat", "codes from the cache"} {
		runtime.GC()
		var base runtime.MemStats
		runtime.ReadMemStats(&base)
		var peak atomic.Uint64
		stop := make(chan struct{})
		go func() {
			var m runtime.MemStats
			for {
				select {
				case <-stop:
					return
				case <-time.After(20 * time.Millisecond):
					runtime.ReadMemStats(&m)
					if m.HeapInuse > peak.Load() {
						peak.Store(m.HeapInuse)
					}
				}
			}
		}()
		start := time.Now()
		req, _ := http.NewRequest("GET", fmt.Sprintf("%s/api/v1/console/plates.pdf?area_id=%d", srv.URL, community), nil)
		req.Header.Set("Authorization", "Bearer "+token)
		res, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		size, _ := io.Copy(io.Discard, res.Body)
		res.Body.Close()
		close(stop)
		t.Logf("%d plates, %s: %v, %.1f MB PDF, peak heap in use %.1f MB (%.1f MB before)",
			n, run, time.Since(start).Round(time.Millisecond), float64(size)/1e6,
			float64(peak.Load())/1e6, float64(base.HeapInuse)/1e6)
	}
}
