// Package stats counts what the console shows: residents, declarations,
// check-in timeliness, the worklist and the risk tiers, per area.
package stats

import (
	"context"
	"fmt"
	"slices"
	"sort"
	"sync"
	"time"

	"golang.org/x/sync/singleflight"

	"gorm.io/gorm"

	"yaoju/model"
	"yaoju/service/area"
	"yaoju/service/errs"
)

// Service computes statistics. A summary is kept for a minute per scope
// and computed once however many consoles ask at the same time: at city
// scale it reads hundreds of thousands of index entries.
type Service struct {
	db     *gorm.DB
	areas  *area.Service
	now    func() time.Time
	flight singleflight.Group
	mu     sync.Mutex
	cache  map[string]cached
}

type cached struct {
	s  Summary
	at time.Time
}

// summaryTTL is how stale a console's figures may be.
const summaryTTL = time.Minute

// NewService builds the statistics service.
func NewService(db *gorm.DB, areas *area.Service, now func() time.Time) *Service {
	return &Service{db: db, areas: areas, now: now, cache: map[string]cached{}}
}

// Summary returns the figures of a scope, at most a minute old.
func (s *Service) Summary(ctx context.Context, scope area.Scope) (Summary, error) {
	ids := scope.IDs()
	slices.Sort(ids)
	key := fmt.Sprint(scope.All, ids)
	s.mu.Lock()
	c, ok := s.cache[key]
	s.mu.Unlock()
	if ok && s.now().Sub(c.at) < summaryTTL {
		return c.s, nil
	}
	v, err, _ := s.flight.Do(key, func() (any, error) {
		sum, err := s.Compute(context.WithoutCancel(ctx), scope)
		if err == nil {
			s.mu.Lock()
			if len(s.cache) > 1000 {
				s.cache = map[string]cached{}
			}
			s.cache[key] = cached{s: sum, at: s.now()}
			s.mu.Unlock()
		}
		return sum, err
	})
	if err != nil {
		return Summary{}, err
	}
	return v.(Summary), nil
}

// Summary is one area's figures. Period figures cover the current calendar
// month in Shanghai.
type Summary struct {
	PeriodFrom        time.Time
	ActiveResidents   int64
	DeclaredThisMonth int64
	SelfDeclaredShare float64
	LateDeclarations  int64
	// CheckinOnTimeRate and MedianCloseHours are nil when nothing fell due
	// or closed in the period.
	CheckinOnTimeRate *float64
	Overdue           int64
	TasksOpen         int64
	TasksClosed       int64
	MedianCloseHours  *float64
	UnregisteredFound int64
	ExpiredFound      int64
	// RegistrationRate is active residents over the areas' estimated
	// migrant population; nil when no estimate exists.
	RegistrationRate *float64
	TierCounts       map[string]int64
}

func scoped(q *gorm.DB, column string, scope area.Scope) *gorm.DB {
	if scope.All {
		return q
	}
	return q.Where(column+" IN ?", scope.IDs())
}

// Compute counts the figures of a scope now, past the cache.
func (s *Service) Compute(ctx context.Context, scope area.Scope) (Summary, error) {
	now := s.now()
	local := now.In(model.Shanghai)
	from := time.Date(local.Year(), local.Month(), 1, 0, 0, 0, 0, model.Shanghai).UTC()
	out := Summary{PeriodFrom: from, TierCounts: map[string]int64{model.TierGreen: 0, model.TierYellow: 0, model.TierRed: 0}}
	db := s.db.WithContext(ctx)
	residences := func() *gorm.DB { return scoped(db.Model(&model.Residence{}), "area_id", scope) }
	tasks := func() *gorm.DB { return scoped(db.Model(&model.Task{}), "area_id", scope) }

	var tiers []struct {
		Tier string
		N    int64
	}
	if err := residences().Select("tier, COUNT(*) AS n").Where("status = ?", model.ResidenceActive).
		Group("tier").Scan(&tiers).Error; err != nil {
		return out, err
	}
	for _, t := range tiers {
		out.TierCounts[t.Tier] = t.N
		out.ActiveResidents += t.N
	}
	var declared []struct {
		Source string
		Late   bool
		N      int64
	}
	if err := residences().Select("source, late, COUNT(*) AS n").Where("declared_at >= ?", from).
		Group("source, late").Scan(&declared).Error; err != nil {
		return out, err
	}
	var self int64
	for _, d := range declared {
		out.DeclaredThisMonth += d.N
		if d.Source == model.SourceScan {
			self += d.N
		}
		if d.Late {
			out.LateDeclarations += d.N
		}
	}
	if out.DeclaredThisMonth > 0 {
		out.SelfDeclaredShare = float64(self) / float64(out.DeclaredThisMonth)
	}
	var onTime struct{ Due, OnTime int64 }
	q := scoped(db.Model(&model.Checkin{}), "area_id", scope).
		Select("COUNT(*) AS due, COALESCE(SUM(CASE WHEN on_time THEN 1 ELSE 0 END), 0) AS on_time").
		Where("at >= ? AND due_at IS NOT NULL AND source = ?", from, model.SourceScan)
	if err := q.Scan(&onTime).Error; err != nil {
		return out, err
	}
	if onTime.Due > 0 {
		rate := float64(onTime.OnTime) / float64(onTime.Due)
		out.CheckinOnTimeRate = &rate
	}
	counts := []struct {
		dst   *int64
		query *gorm.DB
	}{
		{&out.Overdue, tasks().Where("type = ? AND status <> ?", model.TaskOverdueCheckin, model.TaskClosed)},
		{&out.TasksOpen, tasks().Where("status <> ?", model.TaskClosed)},
		{&out.TasksClosed, tasks().Where("status = ? AND closed_at >= ?", model.TaskClosed, from)},
		{&out.UnregisteredFound, tasks().Where("type = ? AND opened_at >= ?", model.TaskUnregistered, from)},
		{&out.ExpiredFound, tasks().Where("type = ? AND opened_at >= ?", model.TaskExpired, from)},
	}
	for _, c := range counts {
		if err := c.query.Count(c.dst).Error; err != nil {
			return out, err
		}
	}
	var closed []model.Task
	if err := tasks().Select("opened_at, closed_at").Where("status = ? AND closed_at >= ?", model.TaskClosed, from).
		Limit(100_000).Find(&closed).Error; err != nil {
		return out, err
	}
	out.MedianCloseHours = medianHours(closed)
	rate, err := s.registrationRate(ctx, scope, out.ActiveResidents)
	out.RegistrationRate = rate
	return out, err
}

func medianHours(closed []model.Task) *float64 {
	if len(closed) == 0 {
		return nil
	}
	hours := make([]float64, len(closed))
	for i, t := range closed {
		hours[i] = t.ClosedAt.Sub(t.OpenedAt).Hours()
	}
	sort.Float64s(hours)
	mid := len(hours) / 2
	median := hours[mid]
	if len(hours)%2 == 0 {
		median = (hours[mid-1] + hours[mid]) / 2
	}
	return &median
}

// registrationRate uses the estimates of communities (the finest level
// estimated) in scope.
func (s *Service) registrationRate(ctx context.Context, scope area.Scope, active int64) (*float64, error) {
	q := s.db.WithContext(ctx).Model(&model.Area{}).Where("level = ?", model.LevelCommunity)
	if !scope.All {
		q = q.Where("id IN ?", scope.IDs())
	}
	var estimate int64
	if err := q.Select("COALESCE(SUM(estimated_population), 0)").Scan(&estimate).Error; err != nil || estimate == 0 {
		return nil, err
	}
	rate := float64(active) / float64(estimate)
	return &rate, nil
}

// Point is one day of a series.
type Point struct {
	Date  string
	Value int64
}

// Metrics a series can show.
var Metrics = []string{"active_residents", "declarations", "checkins", "tasks_opened", "tasks_closed"}

// Series is a metric day by day from from to to (dates in Shanghai, at most
// 366 days).
func (s *Service) Series(ctx context.Context, scope area.Scope, metric string, from, to time.Time) ([]Point, error) {
	if to.Before(from) || to.Sub(from) > 366*24*time.Hour {
		return nil, errs.Invalid("to", "range")
	}
	db := s.db.WithContext(ctx)
	var out []Point
	for day := from; !day.After(to); day = day.AddDate(0, 0, 1) {
		// Days are Shanghai's; the database compares in UTC.
		start, end := day.UTC(), day.AddDate(0, 0, 1).UTC()
		var n int64
		var q *gorm.DB
		switch metric {
		case "active_residents":
			q = scoped(db.Model(&model.Residence{}), "area_id", scope).
				Where("declared_at < ? AND (ended_at IS NULL OR ended_at >= ?)", end, end)
		case "declarations":
			q = scoped(db.Model(&model.Residence{}), "area_id", scope).Where("declared_at >= ? AND declared_at < ?", start, end)
		case "checkins":
			q = scoped(db.Model(&model.Checkin{}), "area_id", scope).Where("at >= ? AND at < ?", start, end)
		case "tasks_opened":
			q = scoped(db.Model(&model.Task{}), "area_id", scope).Where("opened_at >= ? AND opened_at < ?", start, end)
		case "tasks_closed":
			q = scoped(db.Model(&model.Task{}), "area_id", scope).Where("closed_at >= ? AND closed_at < ?", start, end)
		default:
			return nil, errs.Invalid("metric", "")
		}
		if err := q.Count(&n).Error; err != nil {
			return nil, err
		}
		out = append(out, Point{Date: day.In(model.Shanghai).Format(time.DateOnly), Value: n})
	}
	return out, nil
}
