package schedule

import (
	"context"
	"errors"
	"os"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"
)

var t0 = time.Unix(1_750_000_000, 0)

func mustSet(t *testing.T, s *Schedule, stage Stage, id uint64, at time.Time) {
	t.Helper()
	if err := s.Set(context.Background(), stage, id, at); err != nil {
		t.Fatal(err)
	}
}

func mustClaim(t *testing.T, s *Schedule, stage Stage, now time.Time, lease time.Duration, limit int) []Claimed {
	t.Helper()
	cs, err := s.Claim(context.Background(), stage, now, lease, limit)
	if err != nil {
		t.Fatal(err)
	}
	return cs
}

func ids(cs []Claimed) []uint64 {
	out := make([]uint64, len(cs))
	for i, c := range cs {
		out[i] = c.ResidenceID
	}
	return out
}

func mustLen(t *testing.T, s *Schedule, stage Stage, want int64) {
	t.Helper()
	n, err := s.Len(context.Background(), stage)
	if err != nil {
		t.Fatal(err)
	}
	if n != want {
		t.Fatalf("Len(%s) = %d, want %d", stage, n, want)
	}
}

func TestKeys_ShareOneClusterSlot(t *testing.T) {
	s := New(nil, "yaoju:")
	for _, k := range []string{s.Key(Due), s.Key(Escalate), s.leased[Due], s.leased[Escalate]} {
		if !strings.HasPrefix(k, "yaoju:{sched}:") {
			t.Errorf("key %q lacks the {sched} hash tag", k)
		}
	}
	if s.Key(Due) != "yaoju:{sched}:due" {
		t.Errorf("due key %q", s.Key(Due))
	}
}

func TestClaim_OnlyDueEntriesOldestFirstAtMostLimit(t *testing.T) {
	s := newTestRedis(t).schedule()
	mustSet(t, s, Due, 1, t0.Add(-100*time.Second))
	mustSet(t, s, Due, 2, t0.Add(-300*time.Second))
	mustSet(t, s, Due, 3, t0.Add(-200*time.Second))
	mustSet(t, s, Due, 4, t0)                  // due exactly now
	mustSet(t, s, Due, 5, t0.Add(time.Second)) // not yet
	mustSet(t, s, Escalate, 6, t0.Add(-time.Hour))

	cs := mustClaim(t, s, Due, t0, time.Minute, 3)
	if got := ids(cs); !slices.Equal(got, []uint64{2, 3, 1}) {
		t.Fatalf("first claim = %v, want [2 3 1] (oldest first, limit 3)", got)
	}
	for _, c := range cs {
		if !c.LeaseUntil.Equal(t0.Add(time.Minute)) {
			t.Errorf("%d: LeaseUntil %v", c.ResidenceID, c.LeaseUntil)
		}
	}
	if !cs[0].DueAt.Equal(t0.Add(-300 * time.Second)) {
		t.Errorf("DueAt %v, want the scheduled time", cs[0].DueAt)
	}
	if got := ids(mustClaim(t, s, Due, t0, time.Minute, 10)); !slices.Equal(got, []uint64{4}) {
		t.Fatalf("second claim = %v, want [4]", got)
	}
	if got := mustClaim(t, s, Due, t0, time.Minute, 10); len(got) != 0 {
		t.Fatalf("third claim = %v, want nothing", ids(got))
	}
	// Claiming leaves the entries in place (leased), and the other stage alone.
	mustLen(t, s, Due, 5)
	mustLen(t, s, Escalate, 1)
	if got := ids(mustClaim(t, s, Escalate, t0, time.Minute, 10)); !slices.Equal(got, []uint64{6}) {
		t.Fatalf("escalate claim = %v", got)
	}
}

func TestClaim_RefusesBadArguments(t *testing.T) {
	s := newTestRedis(t).schedule()
	ctx := context.Background()
	for _, lease := range []time.Duration{0, -time.Minute} {
		if _, err := s.Claim(ctx, Due, t0, lease, 10); err == nil {
			t.Errorf("lease %v accepted", lease)
		}
	}
	// A sub-second lease rounds up to one second, so the lease score always
	// differs from the score it replaced.
	mustSet(t, s, Due, 1, t0)
	if cs := mustClaim(t, s, Due, t0, 500*time.Millisecond, 10); len(cs) != 1 || !cs[0].LeaseUntil.Equal(t0.Add(time.Second)) {
		t.Errorf("sub-second lease: %+v", cs)
	}
	if _, err := s.Claim(ctx, Due, t0, time.Minute, 0); err == nil {
		t.Error("limit 0 accepted")
	}
	if _, err := s.Claim(ctx, "later", t0, time.Minute, 10); err == nil {
		t.Error("unknown stage accepted")
	}
	if err := s.Set(ctx, "later", 1, t0); err == nil {
		t.Error("Set accepted an unknown stage")
	}
}

func TestClaim_CrashedClaimersEntriesComeBackAfterTheLease(t *testing.T) {
	s := newTestRedis(t).schedule()
	due := t0.Add(-10 * time.Second)
	mustSet(t, s, Due, 7, due)

	first := mustClaim(t, s, Due, t0, 5*time.Minute, 10)
	if len(first) != 1 {
		t.Fatalf("claim = %v", ids(first))
	}
	// The claimer "crashes": no Done. Nobody else sees the entry meanwhile.
	if got := mustClaim(t, s, Due, t0.Add(5*time.Minute-time.Second), time.Minute, 10); len(got) != 0 {
		t.Fatalf("leased entry claimed again before its lease ran out: %v", ids(got))
	}
	again := mustClaim(t, s, Due, t0.Add(5*time.Minute), time.Minute, 10)
	if len(again) != 1 || again[0].ResidenceID != 7 {
		t.Fatalf("entry did not come back after the lease: %v", ids(again))
	}
	if !again[0].DueAt.Equal(due) {
		t.Fatalf("re-claimed DueAt = %v, want the original %v", again[0].DueAt, due)
	}
	if !again[0].LeaseUntil.Equal(t0.Add(6 * time.Minute)) {
		t.Fatalf("re-claimed LeaseUntil = %v", again[0].LeaseUntil)
	}
	// The crashed claimer wakes up: its Done must not remove the new claim.
	if err := s.Done(context.Background(), Due, first[0]); !errors.Is(err, ErrLeaseLost) {
		t.Fatalf("stale Done: err = %v, want ErrLeaseLost", err)
	}
	mustLen(t, s, Due, 1)
	if err := s.Done(context.Background(), Due, again[0]); err != nil {
		t.Fatal(err)
	}
	mustLen(t, s, Due, 0)
	assertNoLeases(t, s)
}

func TestDone_RemovesClaimedEntry(t *testing.T) {
	s := newTestRedis(t).schedule()
	mustSet(t, s, Due, 1, t0)
	cs := mustClaim(t, s, Due, t0, time.Minute, 10)
	if err := s.Done(context.Background(), Due, cs[0]); err != nil {
		t.Fatal(err)
	}
	mustLen(t, s, Due, 0)
	assertNoLeases(t, s)
	if got := mustClaim(t, s, Due, t0.Add(time.Hour), time.Minute, 10); len(got) != 0 {
		t.Fatalf("done entry came back: %v", ids(got))
	}
}

func TestDone_KeepsEntrySetAgainAfterTheClaim(t *testing.T) {
	s := newTestRedis(t).schedule()
	ctx := context.Background()
	mustSet(t, s, Due, 1, t0)
	cs := mustClaim(t, s, Due, t0, time.Minute, 10)
	// The tenant checks in while the reminder is being sent.
	next := t0.Add(30 * 24 * time.Hour)
	mustSet(t, s, Due, 1, next)
	if err := s.Done(ctx, Due, cs[0]); !errors.Is(err, ErrLeaseLost) {
		t.Fatalf("Done err = %v, want ErrLeaseLost", err)
	}
	got := mustClaim(t, s, Due, next, time.Minute, 10)
	if len(got) != 1 || !got[0].DueAt.Equal(next) {
		t.Fatalf("the new schedule was lost or misreported: %+v", got)
	}
}

func TestDoneAll_RemovesOnlyUnchangedEntries(t *testing.T) {
	s := newTestRedis(t).schedule()
	for id := uint64(1); id <= 1200; id++ {
		mustSet(t, s, Due, id, t0)
	}
	cs := mustClaim(t, s, Due, t0, time.Minute, 2000)
	if len(cs) != 1200 {
		t.Fatalf("claimed %d", len(cs))
	}
	mustSet(t, s, Due, 600, t0.Add(time.Hour)) // checked in meanwhile
	n, err := s.DoneAll(context.Background(), Due, cs)
	if err != nil {
		t.Fatal(err)
	}
	if n != 1199 {
		t.Fatalf("DoneAll removed %d, want 1199", n)
	}
	mustLen(t, s, Due, 1)
	assertNoLeases(t, s)
}

func TestAdvance_MovesDueToEscalateOnlyIfUnchanged(t *testing.T) {
	s := newTestRedis(t).schedule()
	ctx := context.Background()
	mustSet(t, s, Due, 1, t0)
	mustSet(t, s, Due, 2, t0)
	cs := mustClaim(t, s, Due, t0, time.Minute, 10)
	grace := t0.Add(7 * 24 * time.Hour)

	if err := s.Advance(ctx, Due, cs[0], Escalate, grace); err != nil {
		t.Fatal(err)
	}
	mustSet(t, s, Due, 2, t0.Add(30*24*time.Hour)) // 2 checked in before its Advance
	if err := s.Advance(ctx, Due, cs[1], Escalate, grace); !errors.Is(err, ErrLeaseLost) {
		t.Fatalf("Advance of a re-set entry: err = %v, want ErrLeaseLost", err)
	}
	mustLen(t, s, Due, 1)
	mustLen(t, s, Escalate, 1)
	if got := mustClaim(t, s, Escalate, grace.Add(-time.Second), time.Minute, 10); len(got) != 0 {
		t.Fatalf("escalation claimed before the grace period ended: %v", ids(got))
	}
	esc := mustClaim(t, s, Escalate, grace, time.Minute, 10)
	if len(esc) != 1 || esc[0].ResidenceID != 1 || !esc[0].DueAt.Equal(grace) {
		t.Fatalf("escalate claim = %+v", esc)
	}
	if err := s.Done(ctx, Escalate, esc[0]); err != nil {
		t.Fatal(err)
	}
	mustLen(t, s, Escalate, 0)
	assertNoLeases(t, s)
}

func TestSet_ReplacesTheOtherStage(t *testing.T) {
	s := newTestRedis(t).schedule()
	mustSet(t, s, Escalate, 1, t0)
	mustSet(t, s, Due, 1, t0.Add(time.Hour)) // checked in: the escalation is void
	mustLen(t, s, Escalate, 0)
	mustLen(t, s, Due, 1)
	mustSet(t, s, Due, 1, t0.Add(2*time.Hour)) // moving within a stage keeps one entry
	mustLen(t, s, Due, 1)
}

func TestRemove_TakesResidenceOutOfBothStages(t *testing.T) {
	s := newTestRedis(t).schedule()
	ctx := context.Background()
	mustSet(t, s, Due, 1, t0)
	mustSet(t, s, Due, 2, t0)
	cs := mustClaim(t, s, Due, t0, time.Minute, 1) // 1 is leased when its residence ends
	mustSet(t, s, Escalate, 3, t0)
	for _, id := range []uint64{1, 3, 99} {
		if err := s.Remove(ctx, id); err != nil {
			t.Fatal(err)
		}
	}
	mustLen(t, s, Due, 1)
	mustLen(t, s, Escalate, 0)
	if err := s.Done(ctx, Due, cs[0]); !errors.Is(err, ErrLeaseLost) {
		t.Fatalf("Done after Remove: %v", err)
	}
	if got := ids(mustClaim(t, s, Due, t0.Add(time.Hour), time.Minute, 10)); !slices.Equal(got, []uint64{2}) {
		t.Fatalf("claim after remove = %v", got)
	}
}

func TestRebuild_ReplacesBothStagesFromTheDatabase(t *testing.T) {
	tr := newTestRedis(t)
	s := tr.schedule()
	ctx := context.Background()
	// Stale state that the database no longer holds, one of it leased.
	mustSet(t, s, Due, 900, t0)
	mustSet(t, s, Escalate, 901, t0)
	mustClaim(t, s, Due, t0, time.Hour, 10)

	const n = 2500 // several batches
	i := 0
	next := func() (uint64, Stage, time.Time, bool, error) {
		if i >= n {
			return 0, "", time.Time{}, false, nil
		}
		i++
		if i%5 == 0 {
			return uint64(i), Escalate, t0.Add(time.Duration(i) * time.Second), true, nil
		}
		return uint64(i), Due, t0.Add(time.Duration(i) * time.Second), true, nil
	}
	count, err := s.Rebuild(ctx, next)
	if err != nil {
		t.Fatal(err)
	}
	if count != n {
		t.Fatalf("Rebuild = %d, want %d", count, n)
	}
	mustLen(t, s, Due, 2000)
	mustLen(t, s, Escalate, 500)
	assertNoLeases(t, s)
	for _, k := range []string{s.Key(Due), s.Key(Escalate)} {
		if ttl := s.rdb.TTL(ctx, k).Val(); ttl >= 0 {
			t.Errorf("%s kept the temporary TTL %v", k, ttl)
		}
	}
	if keys := s.rdb.Keys(ctx, tr.prefix+"*rebuild*").Val(); len(keys) != 0 {
		t.Errorf("temporary keys left: %v", keys)
	}
	cs := mustClaim(t, s, Due, t0.Add(4*time.Second), time.Minute, 10)
	if got := ids(cs); !slices.Equal(got, []uint64{1, 2, 3, 4}) || !cs[0].DueAt.Equal(t0.Add(time.Second)) {
		t.Fatalf("claim after rebuild = %v", got)
	}

	// A database with nothing scheduled empties the schedule.
	count, err = s.Rebuild(ctx, func() (uint64, Stage, time.Time, bool, error) { return 0, "", time.Time{}, false, nil })
	if err != nil || count != 0 {
		t.Fatalf("empty Rebuild = %d, %v", count, err)
	}
	mustLen(t, s, Due, 0)
	mustLen(t, s, Escalate, 0)
}

func TestRebuild_FailedReadLeavesScheduleIntact(t *testing.T) {
	tr := newTestRedis(t)
	s := tr.schedule()
	ctx := context.Background()
	mustSet(t, s, Due, 1, t0)
	i := 0
	boom := errors.New("database went away")
	_, err := s.Rebuild(ctx, func() (uint64, Stage, time.Time, bool, error) {
		i++
		if i > 1500 {
			return 0, "", time.Time{}, false, boom
		}
		return uint64(i + 100), Due, t0, true, nil
	})
	if !errors.Is(err, boom) {
		t.Fatalf("err = %v", err)
	}
	mustLen(t, s, Due, 1)
	if keys := s.rdb.Keys(ctx, tr.prefix+"*rebuild*").Val(); len(keys) != 0 {
		t.Errorf("temporary keys left: %v", keys)
	}
}

// Two workers in two processes (here: goroutines with their own clients)
// sweep the same 10,000 due entries: each entry is claimed exactly once.
func TestClaim_ConcurrentClaimersTakeEachEntryExactlyOnce(t *testing.T) {
	tr := newTestRedis(t)
	ctx := context.Background()
	const n = 10_000
	i := 0
	if _, err := tr.schedule().Rebuild(ctx, func() (uint64, Stage, time.Time, bool, error) {
		if i >= n {
			return 0, "", time.Time{}, false, nil
		}
		i++
		return uint64(i), Due, t0.Add(-time.Duration(i%977) * time.Second), true, nil
	}); err != nil {
		t.Fatal(err)
	}

	const workers = 2
	got := make([][]uint64, workers)
	errs := make([]error, workers)
	var wg sync.WaitGroup
	for w := range workers {
		s := tr.schedule() // a separate client each
		wg.Go(func() {
			for {
				cs, err := s.Claim(ctx, Due, t0, time.Hour, 37)
				if err != nil {
					errs[w] = err
					return
				}
				if len(cs) == 0 {
					return
				}
				got[w] = append(got[w], ids(cs)...)
				if _, err := s.DoneAll(ctx, Due, cs); err != nil {
					errs[w] = err
					return
				}
			}
		})
	}
	wg.Wait()
	seen := make(map[uint64]int, n)
	for w := range workers {
		if errs[w] != nil {
			t.Fatalf("worker %d: %v", w, errs[w])
		}
		if len(got[w]) == 0 {
			t.Errorf("worker %d claimed nothing: the test did not run them concurrently", w)
		}
		for _, id := range got[w] {
			seen[id]++
		}
	}
	for id := uint64(1); id <= n; id++ {
		if seen[id] != 1 {
			t.Fatalf("residence %d claimed %d times", id, seen[id])
		}
	}
	if len(seen) != n {
		t.Fatalf("claimed %d distinct, want %d", len(seen), n)
	}
	s := tr.schedule()
	mustLen(t, s, Due, 0)
	assertNoLeases(t, s)
	t.Logf("worker split: %d / %d", len(got[0]), len(got[1]))
}

// assertNoLeases checks that no leased record outlives its entry.
func assertNoLeases(t *testing.T, s *Schedule) {
	t.Helper()
	for _, stage := range []Stage{Due, Escalate} {
		fields := s.rdb.HKeys(context.Background(), s.leased[stage]).Val()
		fields = slices.DeleteFunc(fields, func(f string) bool { return f == leasedSentinel })
		if len(fields) != 0 {
			t.Fatalf("leased records left in %s: %v", stage, fields)
		}
	}
}

// On a real Redis the leased hash must be a hash table, not a listpack whose
// every lookup scans it: see claimScript. miniredis has no encodings.
func TestClaim_LeasedHashIsAHashTable(t *testing.T) {
	if os.Getenv("YAOJU_TEST_REDIS_ADDR") == "" {
		t.Skip("needs a real Redis (YAOJU_TEST_REDIS_ADDR)")
	}
	s := newTestRedis(t).schedule()
	mustSet(t, s, Due, 1, t0)
	mustClaim(t, s, Due, t0, time.Minute, 10)
	enc, err := s.rdb.ObjectEncoding(context.Background(), s.leased[Due]).Result()
	if err != nil {
		t.Fatal(err)
	}
	if enc != "hashtable" {
		t.Fatalf("leased hash encoding %q, want hashtable", enc)
	}
}
