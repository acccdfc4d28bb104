// Package model holds yaoju's tables as GORM structs, and their enums. It has
// no business rules. Times are stored in UTC; the api renders them in
// Asia/Shanghai.
package model

import "time"

// Area levels.
const (
	LevelCity      = "city"
	LevelTown      = "town"
	LevelCommunity = "community"
)

// Area is a node of the city → town → community tree. Houses belong to a
// community; console accounts are scoped to any node and see its subtree.
type Area struct {
	ID       uint64  `gorm:"primaryKey"`
	ParentID *uint64 `gorm:"index"`
	Name     string  `gorm:"size:64;not null"`
	Level    string  `gorm:"size:16;not null"`
	// Code is a stable external key (the demo seeds by it, imports match on it).
	Code string `gorm:"size:32;uniqueIndex"`
	// EstimatedPopulation of migrants, for the registration rate (0 = unknown).
	EstimatedPopulation int
	CreatedAt           time.Time
}

// User is a mini-program user, identified by openid.
type User struct {
	ID      uint64 `gorm:"primaryKey"`
	OpenID  string `gorm:"size:64;not null;uniqueIndex"`
	UnionID string `gorm:"size:64"`
	// Phone is bound through getPhoneNumber; it links houses created by
	// police for this landlord.
	Phone     string `gorm:"size:16;index"`
	CreatedAt time.Time
	UpdatedAt time.Time
}

// Console roles.
const (
	RoleWorker = "worker"
	RolePolice = "police"
	RoleAdmin  = "admin"
)

// Account is a console user.
type Account struct {
	ID           uint64 `gorm:"primaryKey"`
	Username     string `gorm:"size:64;not null;uniqueIndex"`
	PasswordHash string `gorm:"size:100;not null"`
	Role         string `gorm:"size:16;not null"`
	AreaID       uint64 `gorm:"index"`
	Disabled     bool
	CreatedAt    time.Time
}

// House statuses.
const (
	HousePending  = "pending"
	HouseApproved = "approved"
)

// House is a building or flat a landlord lets.
type House struct {
	ID uint64 `gorm:"primaryKey"`
	// LandlordUserID is empty while a house created by police waits for its
	// landlord to bind the phone number below.
	LandlordUserID *uint64 `gorm:"index"`
	LandlordPhone  string  `gorm:"size:16;index"`
	LandlordName   string  `gorm:"size:32"`
	Address        string  `gorm:"size:200;not null"`
	AreaID         uint64  `gorm:"not null;index:idx_house_area_status"`
	Status         string  `gorm:"size:16;not null;index:idx_house_area_status"`
	ApprovedBy     *uint64
	ApprovedAt     *time.Time
	CreatedAt      time.Time
}

// Unit is a rentable room with its own door code.
type Unit struct {
	ID       uint64 `gorm:"primaryKey"`
	HouseID  uint64 `gorm:"not null;uniqueIndex:idx_unit_house_room"`
	RoomNo   string `gorm:"size:32;not null;uniqueIndex:idx_unit_house_room"`
	Capacity int    `gorm:"not null"`
	// Scene is the random code printed on the plate: never derived from an id.
	Scene string `gorm:"size:32;not null;uniqueIndex"`
	// ReportedOccupants is the landlord's last occupancy report.
	ReportedOccupants int
	CreatedAt         time.Time
}

// UnitCode caches the mini-program code image of a unit, so WeChat is asked
// once per unit and code version.
type UnitCode struct {
	UnitID      uint64 `gorm:"primaryKey;autoIncrement:false"`
	Version     string `gorm:"primaryKey;size:64"`
	ContentType string `gorm:"size:32;not null"`
	Image       []byte `gorm:"not null"`
	CreatedAt   time.Time
}

// Person is one human, deduplicated by ID number.
type Person struct {
	ID uint64 `gorm:"primaryKey"`
	// IDCipher is the AES-256-GCM sealed ID number; IDIndex its HMAC blind
	// index for exact lookup; IDMasked what every response shows.
	IDCipher  []byte `gorm:"not null"`
	IDIndex   string `gorm:"size:64;not null;uniqueIndex"`
	IDMasked  string `gorm:"size:18;not null"`
	Name      string `gorm:"size:32;not null;index"`
	Gender    string `gorm:"size:8"`
	BirthDate time.Time
	CreatedAt time.Time
	UpdatedAt time.Time
}

// Residence statuses, end reasons and sources.
const (
	ResidenceActive = "active"
	ResidenceEnded  = "ended"

	EndMoved = "moved"
	EndLeft  = "left"

	SourceScan   = "scan"
	SourceWorker = "worker"
)

// Risk tiers.
const (
	TierGreen  = "green"
	TierYellow = "yellow"
	TierRed    = "red"
)

// Residence is one person living in one unit for a time.
type Residence struct {
	ID       uint64 `gorm:"primaryKey"`
	PersonID uint64 `gorm:"not null;index"`
	// ActivePersonID equals PersonID while the residence is active and is
	// NULL after it ends: its unique index is the rule "one person, one
	// active residence", enforced by the database.
	ActivePersonID *uint64 `gorm:"uniqueIndex"`
	UserID         uint64  `gorm:"not null;index"`
	UnitID         uint64  `gorm:"not null;index:idx_res_unit_status"`
	AreaID         uint64  `gorm:"not null;index:idx_res_area_status_tier;index:idx_res_area_declared,priority:1"`
	// idx_res_status_tier counts the whole city's tiers from the index alone.
	Status string `gorm:"size:16;not null;index:idx_res_unit_status;index:idx_res_area_status_tier;index:idx_res_status_tier,priority:1"`
	Tier   string `gorm:"size:8;not null;index:idx_res_area_status_tier;index:idx_res_status_tier,priority:2"`
	Phone  string `gorm:"size:16;not null"`
	// PhoneTail is the last four digits, for the console's search.
	PhoneTail   string `gorm:"size:4;index"`
	Hometown    string `gorm:"size:100"`
	Workplace   string `gorm:"size:100"`
	Relation    string `gorm:"size:16"`
	Reason      string `gorm:"size:16"`
	HousingType string `gorm:"size:16"`
	Source      string `gorm:"size:16;not null;index:idx_res_area_declared,priority:3;index:idx_res_declared,priority:2"`
	MoveInDate  time.Time
	// The declaration indexes cover the statistics' count by source and late.
	DeclaredAt time.Time `gorm:"index:idx_res_area_declared,priority:2;index:idx_res_declared,priority:1"`
	Late       bool      `gorm:"index:idx_res_area_declared,priority:4;index:idx_res_declared,priority:3"`
	EndReason  string    `gorm:"size:16"`
	EndNote    string    `gorm:"size:200"`
	// EndedBy is who ended it: tenant, landlord, worker or system.
	EndedBy        string `gorm:"size:16"`
	EndedAt        *time.Time
	NextCheckinDue *time.Time `gorm:"index"`
	LastCheckinAt  *time.Time
	// RenewedAt is the last declaration or confirmed check-in; a residence
	// not renewed for 12 months is "expired".
	RenewedAt time.Time
	CreatedAt time.Time
	UpdatedAt time.Time
}

// Checkin is one monthly scan (or a worker's confirmation).
type Checkin struct {
	ID          uint64 `gorm:"primaryKey"`
	ResidenceID uint64 `gorm:"not null;index:idx_checkin_res_at"`
	// AreaID is the residence's community. The two statistics indexes
	// cover the on-time query (an area's, or the city's, check-ins of a
	// period) so it never reads the table itself.
	AreaID uint64     `gorm:"not null;index:idx_checkin_area_at,priority:1"`
	At     time.Time  `gorm:"not null;index:idx_checkin_res_at;index:idx_checkin_area_at,priority:2;index:idx_checkin_at,priority:1"`
	Source string     `gorm:"size:16;not null;index:idx_checkin_area_at,priority:3;index:idx_checkin_at,priority:2"`
	OnTime bool       `gorm:"index:idx_checkin_area_at,priority:4;index:idx_checkin_at,priority:3"`
	DueAt  *time.Time `gorm:"index:idx_checkin_area_at,priority:5;index:idx_checkin_at,priority:4"`
}

// Notification channels and statuses.
const (
	ChannelWeChat = "wechat"
	ChannelSMS    = "sms"

	NotifyPending = "pending"
	NotifySent    = "sent"
	NotifyFailed  = "failed"
)

// Notification is one outbox entry. DedupeKey makes "one reminder per
// residence and period" a database fact, whichever instance sends it.
type Notification struct {
	ID          uint64  `gorm:"primaryKey"`
	ResidenceID *uint64 `gorm:"index"`
	UserID      *uint64 `gorm:"index"`
	Channel     string  `gorm:"size:8;not null"`
	Template    string  `gorm:"size:64;not null"`
	// Phone is where an SMS goes: the tenant's or the landlord's number.
	Phone string `gorm:"size:16"`
	// Payload is the message's JSON: page and template data.
	Payload       string    `gorm:"type:text"`
	DedupeKey     string    `gorm:"size:128;not null;uniqueIndex"`
	Status        string    `gorm:"size:8;not null;index:idx_notify_due"`
	NextAttemptAt time.Time `gorm:"index:idx_notify_due"`
	Attempts      int
	LastError     string `gorm:"size:300"`
	SentAt        *time.Time
	CreatedAt     time.Time
	UpdatedAt     time.Time
}

// SubscriptionCredit counts one-time subscription messages a user accepted.
type SubscriptionCredit struct {
	UserID     uint64 `gorm:"primaryKey;autoIncrement:false"`
	TemplateID string `gorm:"primaryKey;size:64"`
	Credits    int    `gorm:"not null"`
	UpdatedAt  time.Time
}

// Task types, statuses and outcomes.
const (
	TaskOverdueCheckin  = "overdue_checkin"
	TaskExpired         = "expired"
	TaskInfoChanged     = "info_changed"
	TaskUnregistered    = "unregistered"
	TaskOvercrowded     = "overcrowded"
	TaskLateDeclaration = "late_declaration"

	TaskOpen       = "open"
	TaskInProgress = "in_progress"
	TaskClosed     = "closed"

	OutcomeStillLiving = "still_living"
	OutcomeLeft        = "left"
	OutcomeCorrected   = "corrected"
	OutcomeNotFound    = "not_found"
)

// Task is a case on a community's worklist.
type Task struct {
	ID   uint64 `gorm:"primaryKey"`
	Type string `gorm:"size:24;not null;index:idx_task_type_opened,priority:1;index:idx_task_residence,priority:2"`
	// idx_task_worklist serves a community's worklist in order, and
	// idx_task_city the whole city's.
	Status string `gorm:"size:16;not null;index:idx_task_worklist,priority:1;index:idx_task_city,priority:1;index:idx_task_closed,priority:1"`
	AreaID uint64 `gorm:"not null;index:idx_task_worklist,priority:2"`
	// TierRank orders the worklist worst first: red 0, yellow 1, green 2.
	TierRank int       `gorm:"not null;index:idx_task_worklist,priority:3;index:idx_task_city,priority:2"`
	OpenedAt time.Time `gorm:"not null;index:idx_task_worklist,priority:4;index:idx_task_city,priority:3;index:idx_task_type_opened,priority:2;index:idx_task_residence,priority:3"`
	Tier     string    `gorm:"size:8;not null"`
	// idx_task_residence serves a resident's history (the tier).
	ResidenceID *uint64 `gorm:"index:idx_task_residence,priority:1"`
	UnitID      *uint64 `gorm:"index"`
	// DedupeKey stops a rule opening the same case twice. Rules whose case
	// can recur release it (set NULL) when the task closes.
	DedupeKey *string `gorm:"size:128;uniqueIndex"`
	Recurring bool
	Detail    string `gorm:"size:500"`
	StartedAt *time.Time
	StartedBy *uint64
	ClosedAt  *time.Time `gorm:"index:idx_task_closed,priority:2"`
	ClosedBy  *uint64
	Outcome   string `gorm:"size:16"`
	Note      string `gorm:"size:500"`
}

// Permit statuses.
const (
	PermitSubmitted = "submitted"
	PermitAccepted  = "accepted"
	PermitApproved  = "approved"
	PermitRejected  = "rejected"
)

// Permit is a residence-permit (居住证) application.
type Permit struct {
	ID            uint64 `gorm:"primaryKey"`
	ResidenceID   uint64 `gorm:"not null;index"`
	UserID        uint64 `gorm:"not null;index"`
	AreaID        uint64 `gorm:"not null;index:idx_permit_area_status"`
	Status        string `gorm:"size:16;not null;index:idx_permit_area_status"`
	PickupStation string `gorm:"size:100"`
	Reason        string `gorm:"size:200"`
	CreatedAt     time.Time
	UpdatedAt     time.Time
}

// Listing statuses.
const (
	ListingOn  = "on"
	ListingOff = "off"
)

// Listing is a rental advertisement for a unit of an approved house.
type Listing struct {
	ID          uint64 `gorm:"primaryKey"`
	UnitID      uint64 `gorm:"not null;index"`
	UserID      uint64 `gorm:"not null;index"`
	AreaID      uint64 `gorm:"not null;index:idx_listing_search"`
	Status      string `gorm:"size:8;not null;index:idx_listing_search"`
	Rent        int    `gorm:"not null;index:idx_listing_search"`
	Title       string `gorm:"size:100;not null"`
	AreaSqm     float64
	Type        string `gorm:"size:16;index"`
	Description string `gorm:"type:text"`
	CreatedAt   time.Time
	UpdatedAt   time.Time
}

// ListingPhoto is one uploaded photo of a listing.
type ListingPhoto struct {
	ID        uint64 `gorm:"primaryKey"`
	ListingID uint64 `gorm:"not null;index"`
	Path      string `gorm:"size:200;not null"`
	CreatedAt time.Time
}

// Audit actor kinds.
const (
	ActorAccount = "account"
	ActorUser    = "user"
	ActorSystem  = "system"
)

// Audit records who read or changed personal data, when and from where.
type Audit struct {
	ID         uint64    `gorm:"primaryKey"`
	At         time.Time `gorm:"not null;index"`
	ActorKind  string    `gorm:"size:16;not null"`
	ActorID    uint64    `gorm:"index:idx_audit_actor"`
	ActorName  string    `gorm:"size:64;index:idx_audit_actor"`
	Action     string    `gorm:"size:48;not null;index"`
	ObjectType string    `gorm:"size:24"`
	ObjectID   uint64
	IP         string `gorm:"size:64"`
	Detail     string `gorm:"size:300"`
}

// All lists every table, in creation order.
func All() []any {
	return []any{
		&Area{}, &User{}, &Account{}, &House{}, &Unit{}, &UnitCode{}, &Person{},
		&Residence{}, &Checkin{}, &Notification{}, &SubscriptionCredit{}, &Task{},
		&Permit{}, &Listing{}, &ListingPhoto{}, &Audit{},
	}
}

// TableName keeps GORM from naming the table "people".
func (Person) TableName() string { return "persons" }
