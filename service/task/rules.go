package task

import (
	"fmt"
	"time"

	"yaoju/model"
)

// Spec is a case a rule wants on the worklist.
type Spec struct {
	Type        string
	AreaID      uint64
	ResidenceID *uint64
	UnitID      *uint64
	Tier        string
	// DedupeKey names the case: a rule never opens two tasks with one key.
	DedupeKey string
	// Recurring cases (a changed phone, an unregistered tenant) release
	// their key when the task closes, so the next occurrence opens anew.
	// The others (a period's overdue check-in) keep it forever.
	Recurring bool
	Detail    string
}

// The rules of data comparison (数据比对). Each names its case.

// OverdueCheckin: no check-in by the end of the grace period of the period
// that fell due at due.
func OverdueCheckin(r model.Residence, due time.Time) Spec {
	return Spec{Type: model.TaskOverdueCheckin, AreaID: r.AreaID, ResidenceID: &r.ID, Tier: r.Tier,
		DedupeKey: fmt.Sprintf("overdue_checkin:%d:%d", r.ID, due.Unix()),
		Detail:    "逾期未签到，应签到时间 " + due.In(model.Shanghai).Format("2006-01-02")}
}

// Expired: a residence not renewed (declared again or a confirmed
// check-in) for 12 months.
func Expired(r model.Residence) Spec {
	return Spec{Type: model.TaskExpired, AreaID: r.AreaID, ResidenceID: &r.ID, Tier: r.Tier,
		DedupeKey: fmt.Sprintf("expired:%d:%d", r.ID, r.RenewedAt.Unix()),
		Detail:    "登记超过12个月未续期"}
}

// InfoChanged: the tenant changed their phone or workplace.
func InfoChanged(r model.Residence, fields string) Spec {
	return Spec{Type: model.TaskInfoChanged, AreaID: r.AreaID, ResidenceID: &r.ID, Tier: r.Tier,
		DedupeKey: fmt.Sprintf("info_changed:%d", r.ID), Recurring: true,
		Detail: "租客修改了" + fields}
}

// LateDeclaration: declared after the deadline from moving in.
func LateDeclaration(r model.Residence) Spec {
	return Spec{Type: model.TaskLateDeclaration, AreaID: r.AreaID, ResidenceID: &r.ID, Tier: r.Tier,
		DedupeKey: fmt.Sprintf("late_declaration:%d", r.ID),
		Detail:    "入住 " + r.MoveInDate.In(model.Shanghai).Format("2006-01-02") + " 后逾期申报"}
}

// Unregistered: someone lives in a unit without a declaration, as its
// landlord's occupancy report or a worker says.
func Unregistered(unitID, areaID uint64, detail string) Spec {
	return Spec{Type: model.TaskUnregistered, AreaID: areaID, UnitID: &unitID, Tier: model.TierRed,
		DedupeKey: fmt.Sprintf("unregistered:%d", unitID), Recurring: true, Detail: detail}
}

// Overcrowded: more active residents than the unit's capacity.
func Overcrowded(u model.Unit, areaID uint64, active int) Spec {
	return Spec{Type: model.TaskOvercrowded, AreaID: areaID, UnitID: &u.ID, Tier: model.TierYellow,
		DedupeKey: fmt.Sprintf("overcrowded:%d", u.ID), Recurring: true,
		Detail: fmt.Sprintf("登记 %d 人，核定 %d 人", active, u.Capacity)}
}
