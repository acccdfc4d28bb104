package main

import (
	"context"
	"fmt"
	"reflect"
	"sync"
	"sync/atomic"
	"time"

	"yaoju/model"
	"yaoju/service/auth"
	"yaoju/service/house"
)

// Seeding writes rows straight into the database in multi-row INSERTs, as
// service/checkin/sweep_test.go does: going through the API would take
// hours for hundreds of thousands of residents and measure the wrong thing.

// chunk is how many rows of type T one INSERT carries: 5,000 on MariaDB
// (parameters are interpolated, so only max_allowed_packet limits it), and
// what fits SQLite's 32,766 variables.
func chunk[T any](e *env) int {
	if e.mysql() {
		return 5000
	}
	var zero T
	return min(5000, 32000/reflect.TypeOf(zero).NumField())
}

// insert writes rows in chunks; GORM fills in their ids.
func insert[T any](ctx context.Context, e *env, rows []T) error {
	size := chunk[T](e)
	for start := 0; start < len(rows); start += size {
		batch := rows[start:min(start+size, len(rows))]
		if err := e.seed.WithContext(ctx).Create(&batch).Error; err != nil {
			return err
		}
	}
	return nil
}

// stream generates and writes total rows chunk by chunk, without holding
// them all, and reports the rate.
func stream[T any](ctx context.Context, e *env, what string, total int, gen func(i int, row *T)) error {
	if total == 0 {
		return nil
	}
	size := chunk[T](e)
	start := time.Now()
	batch := make([]T, 0, size)
	for i := 0; i < total; i++ {
		var row T
		gen(i, &row)
		batch = append(batch, row)
		if len(batch) == size || i == total-1 {
			if err := ctx.Err(); err != nil {
				return err
			}
			if err := e.seed.WithContext(ctx).Create(&batch).Error; err != nil {
				return fmt.Errorf("seed %s: %w", what, err)
			}
			batch = batch[:0]
		}
	}
	e.seeded(what, total, time.Since(start))
	return nil
}

func (e *env) seeded(what string, n int, d time.Duration) {
	e.printf("# seeded %d %s in %.1fs (%.0f rows/s)\n", n, what, d.Seconds(), float64(n)/d.Seconds())
}

// unitFixture is a set of approved houses' units spread over the demo
// communities.
type unitFixture struct {
	units []model.Unit
	area  []uint64 // each unit's community
}

// seedUnits writes approved houses of perHouse units each, the houses spread
// round-robin over areas (nil: the four demo communities).
func (e *env) seedUnits(ctx context.Context, n, perHouse, capacity int, areas []uint64) (unitFixture, error) {
	if areas == nil {
		areas = e.areas.communities
	}
	start := time.Now()
	now := time.Now().UTC()
	tag := houseTag.Add(1)
	houses := make([]model.House, (n+perHouse-1)/perHouse)
	for h := range houses {
		houses[h] = model.House{
			LandlordPhone: fmt.Sprintf("139%08d", h), LandlordName: "王建国",
			Address: fmt.Sprintf("余姚市压测路%d-%d号", tag, h+1), AreaID: areas[h%len(areas)],
			Status: model.HouseApproved, ApprovedAt: &now,
		}
	}
	if err := insert(ctx, e, houses); err != nil {
		return unitFixture{}, fmt.Errorf("seed houses: %w", err)
	}
	f := unitFixture{units: make([]model.Unit, n), area: make([]uint64, n)}
	for i := range f.units {
		h := i / perHouse
		f.units[i] = model.Unit{HouseID: houses[h].ID, RoomNo: fmt.Sprintf("%d%02d", 1+(i%perHouse)/4, 1+i%perHouse),
			Capacity: capacity, Scene: house.NewScene()}
		f.area[i] = houses[h].AreaID
	}
	if err := insert(ctx, e, f.units); err != nil {
		return unitFixture{}, fmt.Errorf("seed units: %w", err)
	}
	e.seeded(fmt.Sprintf("units (in %d houses)", len(houses)), n, time.Since(start))
	return f, nil
}

// seededResidence is what a scenario needs of a seeded residence.
type seededResidence struct {
	id, userID, personID, area uint64
	unit                       int32
}

// residenceSeed describes residences to write.
type residenceSeed struct {
	n int
	// people writes a user and a person row for each residence; without it
	// the ids are synthetic (tables the measured path never reads).
	people bool
	units  unitFixture
	// fill sets the scenario's times and tier; i runs from 0 to n-1.
	fill func(i int, r *model.Residence)
}

var seedTag, houseTag atomic.Int64

// seedResidences writes active residences, each its own person and user,
// unit i % units.
func (e *env) seedResidences(ctx context.Context, s residenceSeed) ([]seededResidence, error) {
	start := time.Now()
	tag := seedTag.Add(1)
	now := time.Now().UTC()
	out := make([]seededResidence, 0, s.n)
	size := chunk[model.Residence](e)
	next := time.Now().Add(10 * time.Second)
	for lo := 0; lo < s.n; lo += size {
		if err := ctx.Err(); err != nil {
			return nil, err
		}
		hi := min(lo+size, s.n)
		userIDs := make([]uint64, hi-lo)
		personIDs := make([]uint64, hi-lo)
		if s.people {
			users := make([]model.User, hi-lo)
			persons := make([]model.Person, hi-lo)
			for k := range users {
				i := lo + k
				users[k] = model.User{OpenID: fmt.Sprintf("o_load%d_%d", tag, i)}
				persons[k] = model.Person{IDCipher: []byte{1}, IDIndex: fmt.Sprintf("load-%d-%d", tag, i),
					IDMasked: "330281********0000", Name: "压测" + string(rune('甲'+i%10)), Gender: "男",
					BirthDate: time.Date(1990, 1, 1, 0, 0, 0, 0, time.UTC)}
			}
			if err := insert(ctx, e, users); err != nil {
				return nil, fmt.Errorf("seed users: %w", err)
			}
			if err := insert(ctx, e, persons); err != nil {
				return nil, fmt.Errorf("seed persons: %w", err)
			}
			for k := range users {
				userIDs[k], personIDs[k] = users[k].ID, persons[k].ID
			}
		} else {
			for k := range userIDs {
				id := uint64(tag)<<32 | uint64(lo+k+1)
				userIDs[k], personIDs[k] = id, id
			}
		}
		rows := make([]model.Residence, hi-lo)
		for k := range rows {
			i := lo + k
			u := i % len(s.units.units)
			due := now.Add(30 * 24 * time.Hour)
			r := model.Residence{
				PersonID: personIDs[k], ActivePersonID: &personIDs[k], UserID: userIDs[k],
				UnitID: s.units.units[u].ID, AreaID: s.units.area[u], Status: model.ResidenceActive,
				Tier: tierOf(i), Phone: fmt.Sprintf("138%08d", i), PhoneTail: fmt.Sprintf("%04d", i%10000),
				Hometown: "安徽省阜阳市", Workplace: "余姚市压测工厂", Relation: "本人", Reason: "务工", HousingType: "租赁",
				Source: model.SourceScan, MoveInDate: now.AddDate(0, -6, 0), DeclaredAt: now.AddDate(0, -6, 0),
				RenewedAt: now.AddDate(0, -1, 0), NextCheckinDue: &due,
			}
			if s.fill != nil {
				s.fill(i, &r)
			}
			rows[k] = r
		}
		if err := e.seed.WithContext(ctx).Create(&rows).Error; err != nil {
			return nil, fmt.Errorf("seed residences: %w", err)
		}
		for k, r := range rows {
			out = append(out, seededResidence{id: r.ID, userID: r.UserID, personID: r.PersonID, area: r.AreaID, unit: int32((lo + k) % len(s.units.units))})
		}
		if time.Now().After(next) {
			e.printf("#   ... %d/%d residences\n", hi, s.n)
			next = time.Now().Add(10 * time.Second)
		}
	}
	what := "residences"
	if s.people {
		what += " (with their users and persons)"
	}
	e.seeded(what, s.n, time.Since(start))
	return out, nil
}

// tierOf mixes tiers 70% green, 20% yellow, 10% red.
func tierOf(i int) string {
	switch i % 10 {
	case 7, 8:
		return model.TierYellow
	case 9:
		return model.TierRed
	}
	return model.TierGreen
}

// rebuildSchedule loads the Redis schedule from the seeded database, as a
// restart would, and reports the rate.
func (e *env) rebuildSchedule(ctx context.Context) (int, error) {
	start := time.Now()
	n, err := e.app.Keeper.Rebuild(ctx)
	if err != nil {
		return n, fmt.Errorf("rebuild schedule: %w", err)
	}
	d := time.Since(start)
	e.printf("# schedule rebuilt from the database: %d entries in %.1fs (%.0f entries/s)\n", n, d.Seconds(), float64(n)/d.Seconds())
	return n, nil
}

// issueTokens issues a mini-program session for each user, as a WeChat
// login would, without going through WeChat.
func (e *env) issueTokens(ctx context.Context, userIDs []uint64) ([]string, error) {
	start := time.Now()
	tokens := make([]string, len(userIDs))
	var next atomic.Int64
	var firstErr error
	var once sync.Once
	var wg sync.WaitGroup
	for range 32 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for {
				i := int(next.Add(1) - 1)
				if i >= len(userIDs) || ctx.Err() != nil {
					return
				}
				t, err := e.sessions.Issue(ctx, auth.Principal{Kind: auth.KindWeChat, UserID: userIDs[i]}, 2*time.Hour)
				if err != nil {
					once.Do(func() { firstErr = err })
					return
				}
				tokens[i] = t
			}
		}()
	}
	wg.Wait()
	if firstErr == nil {
		firstErr = ctx.Err()
	}
	if firstErr != nil {
		return nil, fmt.Errorf("issue tokens: %w", firstErr)
	}
	e.seeded("session tokens (Redis)", len(tokens), time.Since(start))
	return tokens, nil
}
