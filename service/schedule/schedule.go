// Package schedule keeps the check-in schedule in Redis: for each active
// residence, the time of its next step. The database is the source of truth
// and this is an index of it that Rebuild can restore at any time.
//
// Two sorted sets hold the steps, member = residence id in decimal, score =
// unix seconds:
//   - Due: the check-in falls due and the first reminder goes out;
//   - Escalate: the grace period ends and a worker task is opened.
//
// A residence has one next step, so Set moves it out of the other stage.
// Workers Claim due entries with a lease: a claimed entry's score moves to the
// end of the lease, so that entries of a worker that crashed come back when
// the lease runs out. The original due time of a leased entry is kept in a
// small hash beside each set (only leased entries are in it), so that a
// re-claim after a crash still reports the time the step was due, not the
// lease that ran out.
//
// Effects are made idempotent by dedupe keys in the database, not here: an
// entry can be claimed twice if its lease runs out before its claimer calls
// Done.
package schedule

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"strconv"
	"time"

	"github.com/redis/go-redis/v9"
)

// Stage names one of the two sorted sets.
type Stage string

const (
	Due      Stage = "due"      // the check-in falls due: send the reminder
	Escalate Stage = "escalate" // the grace period is over: open an overdue_checkin task
)

// ErrLeaseLost is returned by Done and Advance when the claimed entry no
// longer has the lease score that Claim gave it: it was Set again (a check-in,
// a closed task), Removed (the residence ended), or its lease ran out and
// another worker claimed it. It is not a failure: the newer schedule stands
// and the caller has nothing left to do.
var ErrLeaseLost = errors.New("schedule: entry changed since it was claimed")

// Claimed is an entry taken by Claim. DueAt is the time it was scheduled for;
// LeaseUntil is the score it holds while claimed, which Done and Advance
// check so that they never undo a newer schedule.
type Claimed struct {
	ResidenceID uint64
	DueAt       time.Time
	LeaseUntil  time.Time
}

// Schedule is safe for concurrent use, by goroutines and by processes.
type Schedule struct {
	rdb redis.UniversalClient
	// keys are the sorted sets; leased are the hashes residence id -> due
	// time of the entries currently leased.
	keys   map[Stage]string
	leased map[Stage]string
	// tag is the key prefix with the hash tag: every key of this schedule,
	// including Rebuild's temporary ones, starts with it, so that they share
	// one Redis Cluster slot and MULTI, Lua and RENAME work across them.
	tag string
}

// New returns the schedule stored under keyPrefix, for example "yaoju:"
// gives the keys "yaoju:{sched}:due" and "yaoju:{sched}:escalate". keyPrefix
// must not contain braces, or the hash tag would no longer be {sched}.
func New(rdb redis.UniversalClient, keyPrefix string) *Schedule {
	tag := keyPrefix + "{sched}:"
	return &Schedule{
		rdb: rdb,
		tag: tag,
		keys: map[Stage]string{
			Due:      tag + string(Due),
			Escalate: tag + string(Escalate),
		},
		leased: map[Stage]string{
			Due:      tag + string(Due) + ":leased",
			Escalate: tag + string(Escalate) + ":leased",
		},
	}
}

// Key is the Redis key of a stage, for operators and tests.
func (s *Schedule) Key(stage Stage) string { return s.keys[stage] }

func (s *Schedule) key(stage Stage) (string, error) {
	k, ok := s.keys[stage]
	if !ok {
		return "", fmt.Errorf("schedule: unknown stage %q", stage)
	}
	return k, nil
}

func (s *Schedule) other(stage Stage) string {
	if stage == Due {
		return s.keys[Escalate]
	}
	return s.keys[Due]
}

func member(id uint64) string { return strconv.FormatUint(id, 10) }

// Set schedules the residence's next step, replacing any step it had in
// either stage. Times are kept to the second.
func (s *Schedule) Set(ctx context.Context, stage Stage, residenceID uint64, at time.Time) error {
	key, err := s.key(stage)
	if err != nil {
		return err
	}
	m := member(residenceID)
	_, err = s.rdb.TxPipelined(ctx, func(p redis.Pipeliner) error {
		p.ZAdd(ctx, key, redis.Z{Score: float64(at.Unix()), Member: m})
		p.ZRem(ctx, s.other(stage), m)
		p.HDel(ctx, s.leased[Due], m)
		p.HDel(ctx, s.leased[Escalate], m)
		return nil
	})
	if err != nil {
		return fmt.Errorf("schedule: set %s %d: %w", stage, residenceID, err)
	}
	return nil
}

// Remove takes the residence out of both stages: the residence ended.
func (s *Schedule) Remove(ctx context.Context, residenceID uint64) error {
	m := member(residenceID)
	_, err := s.rdb.TxPipelined(ctx, func(p redis.Pipeliner) error {
		p.ZRem(ctx, s.keys[Due], m)
		p.ZRem(ctx, s.keys[Escalate], m)
		p.HDel(ctx, s.leased[Due], m)
		p.HDel(ctx, s.leased[Escalate], m)
		return nil
	})
	if err != nil {
		return fmt.Errorf("schedule: remove %d: %w", residenceID, err)
	}
	return nil
}

// claimScript takes up to ARGV[3] members of the set KEYS[1] scored <=
// ARGV[1], oldest first, and moves each to the lease score ARGV[2]. It
// returns member, due time pairs: the due time is the one in the leased hash
// KEYS[2] when the member was leased before (its claimer crashed), and its
// score otherwise, which it then records there (HSETNX: one call in the
// common case).
//
// The range with LIMIT costs O(log N + k) and each ZADD O(log N): a claim
// never scans the whole set. Scores cross into Lua and back as strings only:
// Lua 5.1 prints numbers with 14 significant digits, exact for seconds but a
// trap for anything finer.
//
// The leased hash holds a batch or two of entries, few enough that Redis keeps
// it as a listpack (up to hash-max-listpack-entries, 128 by default, 512 on
// some distributions), where every lookup scans the whole list: a claim of
// 500 cost 13 µs per entry that way, three times the whole claim without the
// hash. The sentinel field, whose value is longer than hash-max-listpack-value
// (64 by default), makes Redis keep the hash as a hash table, where the
// lookups are O(1).
var claimScript = redis.NewScript(`
local items = redis.call('ZRANGEBYSCORE', KEYS[1], '-inf', ARGV[1], 'WITHSCORES', 'LIMIT', 0, ARGV[3])
if #items > 0 then
  redis.call('HSETNX', KEYS[2], '` + leasedSentinel + `', string.rep('-', 200))
end
for i = 1, #items, 2 do
  if redis.call('HSETNX', KEYS[2], items[i], items[i + 1]) == 0 then
    items[i + 1] = redis.call('HGET', KEYS[2], items[i])
  end
  redis.call('ZADD', KEYS[1], ARGV[2], items[i])
end
return items
`)

// leasedSentinel is the field of the leased hash that is no residence; see claimScript.
const leasedSentinel = "encoding"

// doneScript removes each member ARGV[2i-1] whose score in the set KEYS[1] is
// still ARGV[2i], with its leased record in KEYS[2], and returns how many it
// removed.
var doneScript = redis.NewScript(`
local n = 0
for i = 1, #ARGV, 2 do
  local score = redis.call('ZSCORE', KEYS[1], ARGV[i])
  if score and tonumber(score) == tonumber(ARGV[i + 1]) then
    redis.call('ZREM', KEYS[1], ARGV[i])
    redis.call('HDEL', KEYS[2], ARGV[i])
    n = n + 1
  end
end
return n
`)

// advanceScript moves each member ARGV[3i-2] from the set KEYS[1] to the set
// KEYS[2] at score ARGV[3i], if its score in KEYS[1] is still ARGV[3i-1], and
// drops its leased records (KEYS[3], KEYS[4]). It returns how many it moved.
var advanceScript = redis.NewScript(`
local n = 0
for i = 1, #ARGV, 3 do
  local score = redis.call('ZSCORE', KEYS[1], ARGV[i])
  if score and tonumber(score) == tonumber(ARGV[i + 1]) then
    redis.call('ZREM', KEYS[1], ARGV[i])
    redis.call('ZADD', KEYS[2], ARGV[i + 2], ARGV[i])
    redis.call('HDEL', KEYS[3], ARGV[i])
    redis.call('HDEL', KEYS[4], ARGV[i])
    n = n + 1
  end
end
return n
`)

// Claim takes up to limit entries of stage that are due at now, oldest first,
// and leases them until now+lease (rounded up to whole seconds): until then
// no other Claim sees them. Finish each with Done or Advance; an entry left
// alone comes back when its lease runs out, with its original DueAt.
func (s *Schedule) Claim(ctx context.Context, stage Stage, now time.Time, lease time.Duration, limit int) ([]Claimed, error) {
	key, err := s.key(stage)
	if err != nil {
		return nil, err
	}
	if limit <= 0 {
		return nil, fmt.Errorf("schedule: claim limit %d", limit)
	}
	if lease <= 0 {
		// A lease of zero would leave the score unchanged, and Done could not
		// tell this claim from the next one.
		return nil, fmt.Errorf("schedule: lease %v is not positive", lease)
	}
	leaseSec := int64((lease + time.Second - 1) / time.Second)
	nowSec := now.Unix()
	until := nowSec + leaseSec
	items, err := claimScript.Run(ctx, s.rdb, []string{key, s.leased[stage]},
		strconv.FormatInt(nowSec, 10), strconv.FormatInt(until, 10), limit).StringSlice()
	if err != nil {
		return nil, fmt.Errorf("schedule: claim %s: %w", stage, err)
	}
	if len(items)%2 != 0 {
		return nil, fmt.Errorf("schedule: claim %s: odd reply length %d", stage, len(items))
	}
	out := make([]Claimed, 0, len(items)/2)
	leaseUntil := time.Unix(until, 0)
	for i := 0; i < len(items); i += 2 {
		id, err := strconv.ParseUint(items[i], 10, 64)
		if err != nil {
			return nil, fmt.Errorf("schedule: claim %s: member %q is not a residence id", stage, items[i])
		}
		due, err := parseScore(items[i+1])
		if err != nil {
			return nil, fmt.Errorf("schedule: claim %s: %w", stage, err)
		}
		out = append(out, Claimed{ResidenceID: id, DueAt: due, LeaseUntil: leaseUntil})
	}
	return out, nil
}

// parseScore reads a score as Redis prints it ("1750000000", or in
// exponent form from some servers) as unix seconds.
func parseScore(v string) (time.Time, error) {
	if n, err := strconv.ParseInt(v, 10, 64); err == nil {
		return time.Unix(n, 0), nil
	}
	f, err := strconv.ParseFloat(v, 64)
	if err != nil {
		return time.Time{}, fmt.Errorf("score %q: %w", v, err)
	}
	return time.Unix(int64(f), 0), nil
}

// Done removes a claimed entry, unless it was scheduled again since the
// claim: then it returns ErrLeaseLost and leaves the new schedule alone.
func (s *Schedule) Done(ctx context.Context, stage Stage, c Claimed) error {
	n, err := s.DoneAll(ctx, stage, []Claimed{c})
	if err != nil {
		return err
	}
	if n == 0 {
		return ErrLeaseLost
	}
	return nil
}

// doneBatch bounds how many entries one script call handles, so that a long
// list does not block Redis in one piece.
const doneBatch = 500

// DoneAll is Done for many entries in one round trip per 500. It returns
// how many it removed; the others were scheduled again since their claim.
func (s *Schedule) DoneAll(ctx context.Context, stage Stage, cs []Claimed) (int, error) {
	key, err := s.key(stage)
	if err != nil {
		return 0, err
	}
	removed := 0
	for len(cs) > 0 {
		batch := cs[:min(len(cs), doneBatch)]
		cs = cs[len(batch):]
		args := make([]any, 0, 2*len(batch))
		for _, c := range batch {
			args = append(args, member(c.ResidenceID), strconv.FormatInt(c.LeaseUntil.Unix(), 10))
		}
		n, err := doneScript.Run(ctx, s.rdb, []string{key, s.leased[stage]}, args...).Int()
		if err != nil {
			return removed, fmt.Errorf("schedule: done %s: %w", stage, err)
		}
		removed += n
	}
	return removed, nil
}

// Advance moves a claimed entry on to its next stage at the given time, for
// example from Due to Escalate at the end of the grace period, in one atomic
// step. If the entry was scheduled again since the claim it returns
// ErrLeaseLost and changes nothing.
func (s *Schedule) Advance(ctx context.Context, from Stage, c Claimed, to Stage, at time.Time) error {
	n, err := s.AdvanceAll(ctx, from, to, []Move{{Claimed: c, At: at}})
	if err == nil && n == 0 {
		return ErrLeaseLost
	}
	return err
}

// Move is one claimed entry going on to the next stage at At.
type Move struct {
	Claimed
	At time.Time
}

// AdvanceAll is Advance for many entries in one round trip per 500. It
// returns how many it moved; the others were scheduled again since their
// claim.
func (s *Schedule) AdvanceAll(ctx context.Context, from, to Stage, moves []Move) (int, error) {
	fromKey, err := s.key(from)
	if err != nil {
		return 0, err
	}
	toKey, err := s.key(to)
	if err != nil {
		return 0, err
	}
	moved := 0
	for len(moves) > 0 {
		batch := moves[:min(len(moves), doneBatch)]
		moves = moves[len(batch):]
		args := make([]any, 0, 3*len(batch))
		for _, m := range batch {
			args = append(args, member(m.ResidenceID), strconv.FormatInt(m.LeaseUntil.Unix(), 10), strconv.FormatInt(m.At.Unix(), 10))
		}
		n, err := advanceScript.Run(ctx, s.rdb, []string{fromKey, toKey, s.leased[from], s.leased[to]}, args...).Int()
		if err != nil {
			return moved, fmt.Errorf("schedule: advance %s->%s: %w", from, to, err)
		}
		moved += n
	}
	return moved, nil
}

// Len is the number of entries in a stage, claimed ones included.
func (s *Schedule) Len(ctx context.Context, stage Stage) (int64, error) {
	key, err := s.key(stage)
	if err != nil {
		return 0, err
	}
	return s.rdb.ZCard(ctx, key).Result()
}

// rebuildBatch is how many entries go to Redis in one pipelined round trip.
const rebuildBatch = 1000

// rebuildTTL lets Redis drop the temporary keys of a rebuild that died
// half-way. It is renewed with every batch.
const rebuildTTL = time.Hour

// Rebuild replaces both stages with the entries that next yields, read from
// the database, and returns how many entries the stages hold afterwards. next
// returns ok=false after the last entry; it should yield each residence once.
//
// The entries are loaded into temporary keys in pipelined batches and then
// renamed over the live keys in one MULTI, so claimers see either the old
// schedule or the new one, never a half-loaded one. Set and Claim calls made
// while Rebuild runs are overwritten by the rename; run it at start-up before
// the workers, or accept that the database's state at the time of reading
// wins (effects are deduplicated in the database anyway).
func (s *Schedule) Rebuild(ctx context.Context, next func() (residenceID uint64, stage Stage, at time.Time, ok bool, err error)) (int, error) {
	var suffix [8]byte
	if _, err := rand.Read(suffix[:]); err != nil {
		return 0, err
	}
	tmp := map[Stage]string{
		Due:      s.tag + "rebuild:" + hex.EncodeToString(suffix[:]) + ":" + string(Due),
		Escalate: s.tag + "rebuild:" + hex.EncodeToString(suffix[:]) + ":" + string(Escalate),
	}
	n, err := s.load(ctx, tmp, next)
	if err != nil {
		cleanup, cancel := context.WithTimeout(context.WithoutCancel(ctx), 5*time.Second)
		defer cancel()
		s.rdb.Del(cleanup, tmp[Due], tmp[Escalate])
		return 0, err
	}
	_, err = s.rdb.TxPipelined(ctx, func(p redis.Pipeliner) error {
		for _, stage := range []Stage{Due, Escalate} {
			p.Del(ctx, s.leased[stage]) // the database's due times replace any lease
			if n[stage] == 0 {
				p.Del(ctx, s.keys[stage])
				continue
			}
			p.Rename(ctx, tmp[stage], s.keys[stage])
			p.Persist(ctx, s.keys[stage]) // RENAME keeps the temporary key's TTL
		}
		return nil
	})
	if err != nil {
		return 0, fmt.Errorf("schedule: rebuild: swap: %w", err)
	}
	return int(n[Due] + n[Escalate]), nil
}

// load fills the temporary keys and returns how many members each holds.
func (s *Schedule) load(ctx context.Context, tmp map[Stage]string, next func() (uint64, Stage, time.Time, bool, error)) (map[Stage]int64, error) {
	counts := map[Stage]int64{}
	batch := map[Stage][]redis.Z{}
	pending := 0
	flush := func() error {
		if pending == 0 {
			return nil
		}
		added := map[Stage]*redis.IntCmd{}
		_, err := s.rdb.Pipelined(ctx, func(p redis.Pipeliner) error {
			for stage, zs := range batch {
				if len(zs) == 0 {
					continue
				}
				added[stage] = p.ZAdd(ctx, tmp[stage], zs...)
				p.Expire(ctx, tmp[stage], rebuildTTL)
			}
			return nil
		})
		if err != nil {
			return fmt.Errorf("schedule: rebuild: load: %w", err)
		}
		for stage, cmd := range added {
			counts[stage] += cmd.Val() // new members only: a repeated residence counts once
			batch[stage] = batch[stage][:0]
		}
		pending = 0
		return nil
	}
	for {
		id, stage, at, ok, err := next()
		if err != nil {
			return nil, fmt.Errorf("schedule: rebuild: read: %w", err)
		}
		if !ok {
			break
		}
		if _, known := tmp[stage]; !known {
			return nil, fmt.Errorf("schedule: rebuild: residence %d: unknown stage %q", id, stage)
		}
		batch[stage] = append(batch[stage], redis.Z{Score: float64(at.Unix()), Member: member(id)})
		pending++
		if pending >= rebuildBatch {
			if err := flush(); err != nil {
				return nil, err
			}
		}
	}
	if err := flush(); err != nil {
		return nil, err
	}
	return counts, nil
}
