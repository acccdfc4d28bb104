package task

import (
	"context"
	"log/slog"
	"time"

	"github.com/redis/go-redis/v9"
	"gorm.io/gorm"

	"yaoju/model"
	"yaoju/service/tier"
)

// Comparer runs the time-based rules of data comparison (数据比对) and the
// nightly tier refresh, in every instance. The nightly refresh is taken by
// one instance a day through a Redis key; the rules' dedupe keys make the
// rest safe to run anywhere.
type Comparer struct {
	db     *gorm.DB
	rdb    redis.UniversalClient
	prefix string
	opener *Opener
	tiers  *tier.Service
	every  time.Duration
	now    func() time.Time
	log    *slog.Logger
}

// NewComparer builds the periodic job.
func NewComparer(db *gorm.DB, rdb redis.UniversalClient, prefix string, opener *Opener, tiers *tier.Service,
	every time.Duration, now func() time.Time, log *slog.Logger) *Comparer {
	return &Comparer{db: db, rdb: rdb, prefix: prefix, opener: opener, tiers: tiers, every: every, now: now, log: log}
}

// Run compares until ctx ends.
func (c *Comparer) Run(ctx context.Context) {
	t := time.NewTicker(c.every)
	defer t.Stop()
	for {
		if n, err := c.Expired(ctx); err != nil && ctx.Err() == nil {
			c.log.Warn("expired rule failed", "err", err.Error())
		} else if n > 0 {
			c.log.Info("expired residences found", "tasks", n)
		}
		day := c.now().In(model.Shanghai).Format("2006-01-02")
		if ok, err := c.rdb.SetNX(ctx, c.prefix+"tiers:"+day, 1, 36*time.Hour).Result(); err == nil && ok {
			if n, err := c.RefreshTiers(ctx); err != nil && ctx.Err() == nil {
				c.log.Warn("tier refresh failed", "err", err.Error())
			} else {
				c.log.Info("tiers refreshed", "residences", n)
			}
		}
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
	}
}

// eachActive walks active residences in id order, a page at a time.
func (c *Comparer) eachActive(ctx context.Context, where string, args []any, f func(tx *gorm.DB, r *model.Residence) error) (int, error) {
	var lastID uint64
	n := 0
	for {
		var page []model.Residence
		q := c.db.WithContext(ctx).Where("status = ? AND id > ?", model.ResidenceActive, lastID)
		if where != "" {
			q = q.Where(where, args...)
		}
		if err := q.Order("id").Limit(500).Find(&page).Error; err != nil {
			return n, err
		}
		if len(page) == 0 {
			return n, nil
		}
		err := c.db.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
			for i := range page {
				if err := f(tx, &page[i]); err != nil {
					return err
				}
			}
			return nil
		})
		if err != nil {
			return n, err
		}
		n += len(page)
		lastID = page[len(page)-1].ID
	}
}

// Expired opens an expired task for each active residence not renewed
// (declared again, or a confirmed check-in) within 12 months.
func (c *Comparer) Expired(ctx context.Context) (int, error) {
	opened := 0
	cutoff := c.now().AddDate(-1, 0, 0)
	_, err := c.eachActive(ctx, "renewed_at < ?", []any{cutoff}, func(tx *gorm.DB, r *model.Residence) error {
		isNew, err := c.opener.Open(ctx, tx, Expired(*r))
		if isNew {
			opened++
		}
		return err
	})
	return opened, err
}

// RefreshTiers recomputes every active resident's tier: the history windows
// move every day even when nothing happens.
func (c *Comparer) RefreshTiers(ctx context.Context) (int, error) {
	return c.eachActive(ctx, "", nil, func(tx *gorm.DB, r *model.Residence) error {
		return c.tiers.Refresh(ctx, tx, r)
	})
}
