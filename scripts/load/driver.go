package main

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"math"
	"net/http"
	"sort"
	"strings"
	"sync"
	"sync/atomic"
	"time"
)

// request is one HTTP call of a scenario.
type request struct {
	method, path, token string
	body                []byte
}

// phase is one measured run: clients goroutines call next until the time is
// up (or next reports that the seeded pool is used up).
type phase struct {
	name    string
	clients int
	// next returns the next request; false when nothing is left to send.
	next func() (request, bool)
	// want is the status a correct answer has.
	want int
}

// result is what a phase measured.
type result struct {
	phase     string
	clients   int
	elapsed   time.Duration
	requests  int
	latencies []time.Duration // sorted
	byStatus  map[int]int
	transport int
	samples   []string // a few unexpected answers
	exhausted bool
	loadAfter string
	cpu       string
}

func (r result) ok(want int) int { return r.byStatus[want] }

func (r result) rps() float64 { return float64(r.requests) / r.elapsed.Seconds() }

func (r result) pct(q float64) time.Duration {
	if len(r.latencies) == 0 {
		return 0
	}
	i := int(math.Ceil(q*float64(len(r.latencies)))) - 1
	return r.latencies[max(0, min(i, len(r.latencies)-1))]
}

// errors renders the answers other than want, by status.
func (r result) errors(want int) string {
	var parts []string
	codes := make([]int, 0, len(r.byStatus))
	for code := range r.byStatus {
		codes = append(codes, code)
	}
	sort.Ints(codes)
	for _, code := range codes {
		if code != want {
			parts = append(parts, fmt.Sprintf("%d:%d", code, r.byStatus[code]))
		}
	}
	if r.transport > 0 {
		parts = append(parts, fmt.Sprintf("transport:%d", r.transport))
	}
	if len(parts) == 0 {
		return "none"
	}
	return strings.Join(parts, " ")
}

// run sends a warm-up (not measured) and then the measured phase. It
// returns the measured result and how many correct answers came in all,
// warm-up included.
func (e *env) run(ctx context.Context, p phase, d time.Duration) (result, int) {
	okAll := 0
	if e.opt.warmup > 0 {
		w := e.drive(ctx, p, e.opt.warmup)
		okAll += w.ok(p.want)
		warnings.summary() // warm-up warnings are not the phase's
	}
	before := takeCPU()
	r := e.drive(ctx, p, d)
	r.cpu = cpuUse(before, takeCPU())
	r.loadAfter = loadAvg()
	e.report(r, p.want)
	return r, okAll + r.ok(p.want)
}

// phases runs mk's phase with one client (single-client latency, for at
// most 10 s) and then with -c clients, and returns the correct answers sent
// in all.
func (e *env) phases(ctx context.Context, mk func(clients int) phase) int {
	okAll := 0
	for _, c := range []int{1, e.opt.clients} {
		if ctx.Err() != nil {
			break
		}
		d := e.opt.duration
		if c == 1 && e.opt.clients != 1 {
			d = min(d, 10*time.Second)
		}
		p := mk(c)
		_, n := e.run(ctx, p, d)
		okAll += n
		if c == e.opt.clients {
			break
		}
	}
	return okAll
}

func ms(d time.Duration) string { return fmt.Sprintf("%.2f", float64(d.Microseconds())/1000) }

func (e *env) report(r result, want int) {
	note := ""
	if r.exhausted {
		note = " (stopped early: seeded pool used up)"
	}
	e.printf("%-28s clients=%-3d time=%5.1fs requests=%-7d rps=%8.1f  p50=%sms p90=%sms p99=%sms max=%sms  ok(%d)=%d errors=%s  load=%s%s\n",
		r.phase, r.clients, r.elapsed.Seconds(), r.requests, r.rps(), ms(r.pct(.5)), ms(r.pct(.9)), ms(r.pct(.99)),
		ms(r.pct(1)), want, r.ok(want), r.errors(want), r.loadAfter, note)
	e.printf("    %s\n", r.cpu)
	for _, s := range r.samples {
		e.printf("    sample: %s\n", s)
	}
	if w := warnings.summary(); w != "" {
		e.printf("    server warnings: %s\n", w)
	}
}

// drive runs p's clients for d and collects what they measured.
func (e *env) drive(ctx context.Context, p phase, d time.Duration) result {
	type worker struct {
		lat       []time.Duration
		byStatus  map[int]int
		transport int
		samples   []string
	}
	workers := make([]*worker, p.clients)
	var exhausted atomic.Bool
	var sampled atomic.Int32
	deadline := time.Now().Add(d)
	start := time.Now()
	var wg sync.WaitGroup
	for i := range workers {
		w := &worker{byStatus: map[int]int{}, lat: make([]time.Duration, 0, 4096)}
		workers[i] = w
		wg.Add(1)
		go func() {
			defer wg.Done()
			buf := &bytes.Buffer{}
			for ctx.Err() == nil && time.Now().Before(deadline) {
				rq, ok := p.next()
				if !ok {
					exhausted.Store(true)
					return
				}
				var body io.Reader
				if rq.body != nil {
					body = bytes.NewReader(rq.body)
				}
				req, err := http.NewRequest(rq.method, e.base+rq.path, body)
				if err != nil {
					panic(err)
				}
				if rq.body != nil {
					req.Header.Set("Content-Type", "application/json")
				}
				if rq.token != "" {
					req.Header.Set("Authorization", "Bearer "+rq.token)
				}
				t0 := time.Now()
				res, err := e.client.Do(req)
				if err != nil {
					w.transport++
					if sampled.Add(1) <= 5 {
						w.samples = append(w.samples, fmt.Sprintf("%s %s: %v", rq.method, rq.path, err))
					}
					continue
				}
				buf.Reset()
				_, err = io.Copy(buf, res.Body)
				res.Body.Close()
				w.lat = append(w.lat, time.Since(t0))
				if err != nil {
					w.transport++
					continue
				}
				w.byStatus[res.StatusCode]++
				if res.StatusCode != p.want && sampled.Add(1) <= 5 {
					w.samples = append(w.samples, fmt.Sprintf("%s %s: %d %s", rq.method, rq.path, res.StatusCode, trim(buf.String(), 300)))
				}
			}
		}()
	}
	wg.Wait()
	r := result{phase: p.name, clients: p.clients, elapsed: time.Since(start), byStatus: map[int]int{}, exhausted: exhausted.Load()}
	for _, w := range workers {
		r.latencies = append(r.latencies, w.lat...)
		for code, n := range w.byStatus {
			r.byStatus[code] += n
		}
		r.transport += w.transport
		r.samples = append(r.samples, w.samples...)
	}
	r.requests = len(r.latencies)
	sort.Slice(r.latencies, func(i, j int) bool { return r.latencies[i] < r.latencies[j] })
	return r
}

func trim(s string, n int) string {
	if len(s) > n {
		return s[:n] + "..."
	}
	return s
}

// counter hands out indexes 0..n-1 once each, across all clients.
type counter struct {
	next atomic.Int64
	n    int64
}

func (c *counter) take() (int, bool) {
	i := c.next.Add(1) - 1
	return int(i), i < c.n
}
