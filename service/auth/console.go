package auth

import (
	"context"
	"errors"
	"slices"
	"strings"
	"time"

	"github.com/redis/go-redis/v9"
	"golang.org/x/crypto/bcrypt"
	"gorm.io/gorm"

	"yaoju/model"
	"yaoju/service/errs"
)

// Console signs console users in with a password. Repeated failures lock the
// username for a while, whatever the password.
type Console struct {
	db       *gorm.DB
	rdb      redis.UniversalClient
	prefix   string
	sessions *Sessions
	ttl      time.Duration
	maxFails int
	lockout  time.Duration
	now      func() time.Time
}

// ConsoleOptions are the console sign-in's settings.
type ConsoleOptions struct {
	TokenTTL time.Duration
	MaxFails int
	Lockout  time.Duration
}

// NewConsole builds the console sign-in service.
func NewConsole(db *gorm.DB, rdb redis.UniversalClient, prefix string, sessions *Sessions, opts ConsoleOptions, now func() time.Time) *Console {
	return &Console{db: db, rdb: rdb, prefix: prefix + "loginfail:", sessions: sessions,
		ttl: opts.TokenTTL, maxFails: opts.MaxFails, lockout: opts.Lockout, now: now}
}

// ConsoleLogin is the answer to a successful console sign-in.
type ConsoleLogin struct {
	Token     string
	ExpiresAt time.Time
	Account   model.Account
}

// Login checks a username and password.
func (c *Console) Login(ctx context.Context, username, password string) (ConsoleLogin, error) {
	if username == "" || len(username) > 64 {
		return ConsoleLogin{}, errs.Invalid("username", "")
	}
	if password == "" || len(password) > 72 {
		return ConsoleLogin{}, errs.Invalid("password", "")
	}
	failKey := c.prefix + username
	fails, err := c.rdb.Get(ctx, failKey).Int()
	if err != nil && !errors.Is(err, redis.Nil) {
		return ConsoleLogin{}, errors.Join(errs.ErrUnavailable, err)
	}
	if fails >= c.maxFails {
		return ConsoleLogin{}, errs.ErrLocked
	}
	var acct model.Account
	err = c.db.WithContext(ctx).Where("username = ? AND disabled = ?", username, false).First(&acct).Error
	if err != nil && !errors.Is(err, gorm.ErrRecordNotFound) {
		return ConsoleLogin{}, err
	}
	if err != nil || bcrypt.CompareHashAndPassword([]byte(acct.PasswordHash), []byte(password)) != nil {
		pipe := c.rdb.TxPipeline()
		pipe.Incr(ctx, failKey)
		pipe.Expire(ctx, failKey, c.lockout)
		if _, err := pipe.Exec(ctx); err != nil {
			return ConsoleLogin{}, errors.Join(errs.ErrUnavailable, err)
		}
		return ConsoleLogin{}, errs.ErrBadCredentials
	}
	c.rdb.Del(ctx, failKey)
	p := Principal{Kind: KindConsole, AccountID: acct.ID, Username: acct.Username, Role: acct.Role, AreaID: acct.AreaID}
	token, err := c.sessions.Issue(ctx, p, c.ttl)
	if err != nil {
		return ConsoleLogin{}, err
	}
	return ConsoleLogin{Token: token, ExpiresAt: c.now().Add(c.ttl), Account: acct}, nil
}

// HashPassword hashes a console password with bcrypt.
func HashPassword(password string) (string, error) {
	h, err := bcrypt.GenerateFromPassword([]byte(password), bcrypt.DefaultCost)
	return string(h), err
}

// NewAccount is a console account an admin creates.
type NewAccount struct {
	Username string
	Password string
	Role     string
	AreaID   uint64
}

// CreateAccount adds a console account; the area must exist.
func (c *Console) CreateAccount(ctx context.Context, n NewAccount, areaExists func(uint64) bool) (model.Account, error) {
	n.Username = strings.TrimSpace(n.Username)
	if len(n.Username) < 3 || len(n.Username) > 64 || strings.ContainsAny(n.Username, " \t\n") {
		return model.Account{}, errs.Invalid("username", "")
	}
	if len(n.Password) < 8 || len(n.Password) > 72 {
		return model.Account{}, errs.Invalid("password", "")
	}
	if !slices.Contains([]string{model.RoleWorker, model.RolePolice, model.RoleAdmin}, n.Role) {
		return model.Account{}, errs.Invalid("role", "")
	}
	if !areaExists(n.AreaID) {
		return model.Account{}, errs.Invalid("area_id", "")
	}
	hash, err := HashPassword(n.Password)
	if err != nil {
		return model.Account{}, err
	}
	a := model.Account{Username: n.Username, PasswordHash: hash, Role: n.Role, AreaID: n.AreaID}
	err = c.db.WithContext(ctx).Create(&a).Error
	if errors.Is(err, gorm.ErrDuplicatedKey) {
		return a, errs.ErrConflict
	}
	return a, err
}
