// Package tier computes a resident's risk tier, so that workers spend their
// visits where they are needed: stable, punctual tenants need fewer.
package tier

import "yaoju/model"

// History is what the tier looks at.
type History struct {
	// CheckinsDue and CheckinsOnTime count periods that fell due in the last
	// 6 months and how many of them were met on time.
	CheckinsDue    int
	CheckinsOnTime int
	// Moves counts residences ended by moving in the last 12 months.
	Moves int
	// OverdueTasks counts past overdue_checkin tasks in the last 12 months.
	OverdueTasks int
}

// Thresholds are the tier's boundaries, from config.
type Thresholds struct {
	// GreenOnTimeRate is the on-time share at or above which a resident with
	// a record can be green; below RedOnTimeRate they are red.
	GreenOnTimeRate float64
	RedOnTimeRate   float64
	// YellowMoves and RedMoves: this many moves in 12 months or more.
	YellowMoves int
	RedMoves    int
	// RedOverdue: this many overdue tasks in 12 months or more is red; any
	// overdue task is at least yellow.
	RedOverdue int
}

// DefaultThresholds are the pilot's settings.
func DefaultThresholds() Thresholds {
	return Thresholds{GreenOnTimeRate: 0.8, RedOnTimeRate: 0.5, YellowMoves: 2, RedMoves: 4, RedOverdue: 2}
}

// Compute returns green, yellow or red. A resident with no check-in due yet
// has no record and is yellow: green is earned by punctuality.
func Compute(h History, t Thresholds) string {
	rate := 1.0
	if h.CheckinsDue > 0 {
		rate = float64(h.CheckinsOnTime) / float64(h.CheckinsDue)
	}
	switch {
	case h.OverdueTasks >= t.RedOverdue, h.Moves >= t.RedMoves, h.CheckinsDue >= 2 && rate < t.RedOnTimeRate:
		return model.TierRed
	case h.OverdueTasks > 0, h.Moves >= t.YellowMoves, h.CheckinsDue == 0, rate < t.GreenOnTimeRate:
		return model.TierYellow
	}
	return model.TierGreen
}

// Rank orders tiers worst first, for the worklist.
func Rank(tier string) int {
	switch tier {
	case model.TierRed:
		return 0
	case model.TierYellow:
		return 1
	}
	return 2
}
