package schedule

import (
	"context"
	"os"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"
)

// The benchmarks need a real Redis: miniredis neither performs nor accounts
// memory like one. Run them with
//
//	YAOJU_TEST_REDIS_ADDR=127.0.0.1:6379 go test -run='^$' -bench=BenchmarkClaim -benchtime=3x ./service/schedule
//
// They use a random key prefix and delete their keys afterwards.
func benchRedis(b *testing.B) testRedis {
	if os.Getenv("YAOJU_TEST_REDIS_ADDR") == "" {
		b.Skip("set YAOJU_TEST_REDIS_ADDR to benchmark against a real Redis")
	}
	return newTestRedis(b)
}

const (
	benchDue  = 100_000
	benchLate = 30 * 24 * time.Hour
)

// loadSchedule rebuilds s with scheduled entries, the first benchDue of them
// due at t0 (spread over the day before it), the rest in the 30 days after.
func loadSchedule(b *testing.B, s *Schedule, scheduled int) {
	b.Helper()
	i := 0
	n, err := s.Rebuild(context.Background(), func() (uint64, Stage, time.Time, bool, error) {
		if i >= scheduled {
			return 0, "", time.Time{}, false, nil
		}
		i++
		if i <= benchDue {
			return uint64(i), Due, t0.Add(-time.Duration(i%86_400) * time.Second), true, nil
		}
		return uint64(i), Due, t0.Add(time.Second + time.Duration(i)%benchLate), true, nil
	})
	if err != nil || n != scheduled {
		b.Fatalf("load: %d, %v", n, err)
	}
}

// reloadDue puts the benchDue due entries back after a sweep removed them.
func reloadDue(b *testing.B, s *Schedule) {
	b.Helper()
	ctx := context.Background()
	_, err := s.rdb.Pipelined(ctx, func(p redis.Pipeliner) error {
		zs := make([]redis.Z, 0, 10_000)
		for i := 1; i <= benchDue; i++ {
			zs = append(zs, redis.Z{Score: float64(t0.Add(-time.Duration(i%86_400) * time.Second).Unix()), Member: strconv.Itoa(i)})
			if len(zs) == cap(zs) || i == benchDue {
				p.ZAdd(ctx, s.Key(Due), zs...)
				zs = make([]redis.Z, 0, 10_000)
			}
		}
		return nil
	})
	if err != nil {
		b.Fatal(err)
	}
}

// sweep claims in batches of 500 until nothing is due, finishing each batch
// with DoneAll (or with one Done per entry), and returns how many it claimed.
func sweep(b *testing.B, s *Schedule, each bool) int {
	ctx := context.Background()
	total := 0
	for {
		cs, err := s.Claim(ctx, Due, t0, time.Minute, 500)
		if err != nil {
			b.Fatal(err)
		}
		if len(cs) == 0 {
			return total
		}
		total += len(cs)
		if each {
			for _, c := range cs {
				if err := s.Done(ctx, Due, c); err != nil {
					b.Fatal(err)
				}
			}
		} else if n, err := s.DoneAll(ctx, Due, cs); err != nil || n != len(cs) {
			b.Fatalf("DoneAll: %d of %d, %v", n, len(cs), err)
		}
	}
}

// usedMemory reads INFO memory's used_memory, once no lazily freed object is
// pending: a background free would otherwise shrink the measured growth.
func usedMemory(b *testing.B, rdb redis.UniversalClient) int64 {
	b.Helper()
	for range 100 {
		info, err := rdb.Info(context.Background(), "memory").Result()
		if err != nil {
			b.Fatal(err)
		}
		if infoField(b, info, "lazyfree_pending_objects") == 0 {
			return infoField(b, info, "used_memory")
		}
		time.Sleep(50 * time.Millisecond)
	}
	b.Fatal("lazy free still pending after 5 s")
	return 0
}

func infoField(b *testing.B, info, name string) int64 {
	b.Helper()
	for line := range strings.SplitSeq(info, "\n") {
		if v, ok := strings.CutPrefix(strings.TrimSpace(line), name+":"); ok {
			n, err := strconv.ParseInt(v, 10, 64)
			if err != nil {
				b.Fatal(err)
			}
			return n
		}
	}
	return 0 // fields missing from older servers
}

// BenchmarkClaimSweep sweeps 100,000 due entries out of 100,000 scheduled and
// out of 1,000,000 scheduled. A claim costs O(k log N), so ten times the
// schedule should cost about one more level of the skip list, not ten times
// the time: the ratio of the two rates is the figure to watch. It also reports
// the memory one scheduled residence takes in Redis.
func BenchmarkClaimSweep(b *testing.B) {
	tr := benchRedis(b)
	small := New(tr.dial(), tr.prefix+"small:")
	big := New(tr.dial(), tr.prefix+"big:")
	loadSchedule(b, small, benchDue)

	before := usedMemory(b, big.rdb)
	start := time.Now()
	loadSchedule(b, big, 1_000_000)
	loadTime := time.Since(start)
	after := usedMemory(b, big.rdb)
	usage, err := big.rdb.MemoryUsage(context.Background(), big.Key(Due), 0).Result() // SAMPLES 0: every member
	if err != nil {
		b.Fatal(err)
	}

	var smallTime, bigTime time.Duration
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		if i > 0 {
			b.StopTimer()
			reloadDue(b, small)
			reloadDue(b, big)
			b.StartTimer()
		}
		// Alternate the order so that neither size always runs on a warmer server.
		order := []*Schedule{small, big}
		if i%2 == 1 {
			order = []*Schedule{big, small}
		}
		for _, s := range order {
			t := time.Now()
			if n := sweep(b, s, false); n != benchDue {
				b.Fatalf("swept %d, want %d", n, benchDue)
			}
			if s == small {
				smallTime += time.Since(t)
			} else {
				bigTime += time.Since(t)
			}
		}
	}
	b.StopTimer()
	smallRate := float64(b.N*benchDue) / smallTime.Seconds()
	bigRate := float64(b.N*benchDue) / bigTime.Seconds()
	b.ReportMetric(smallRate, "claims/s@100k")
	b.ReportMetric(bigRate, "claims/s@1M")
	b.ReportMetric(bigRate/smallRate, "rate-1M/100k")
	b.ReportMetric(float64(after-before)/1_000_000, "B/residence(used_memory)")
	b.ReportMetric(float64(usage)/1_000_000, "B/residence(MEMORY_USAGE)")
	b.ReportMetric(1_000_000/loadTime.Seconds(), "rebuild-entries/s")
}

// BenchmarkClaimSweepDoneEach is the same sweep over 1,000,000 scheduled with
// one Done round trip per entry instead of one DoneAll per batch.
func BenchmarkClaimSweepDoneEach(b *testing.B) {
	tr := benchRedis(b)
	s := New(tr.dial(), tr.prefix)
	loadSchedule(b, s, 1_000_000)
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		if i > 0 {
			b.StopTimer()
			reloadDue(b, s)
			b.StartTimer()
		}
		if n := sweep(b, s, true); n != benchDue {
			b.Fatalf("swept %d", n)
		}
	}
	b.ReportMetric(float64(b.N*benchDue)/b.Elapsed().Seconds(), "claims/s@1M")
}
