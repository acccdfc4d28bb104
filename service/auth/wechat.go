package auth

import (
	"context"
	"errors"
	"fmt"
	"time"

	"gorm.io/gorm"
	"gorm.io/gorm/clause"

	"yaoju/model"
	"yaoju/service/errs"
	"yaoju/service/pii"
	"yaoju/service/wechat"
)

// WeChat is what sign-in needs of WeChat.
type WeChat interface {
	Login(ctx context.Context, code string) (openID, unionID string, err error)
	PhoneNumber(ctx context.Context, code string) (string, error)
}

// MiniProgram signs mini-program users in.
type MiniProgram struct {
	db       *gorm.DB
	wx       WeChat
	sessions *Sessions
	ttl      time.Duration
	now      func() time.Time
}

// NewMiniProgram builds the mini-program sign-in service.
func NewMiniProgram(db *gorm.DB, wx WeChat, sessions *Sessions, ttl time.Duration, now func() time.Time) *MiniProgram {
	return &MiniProgram{db: db, wx: wx, sessions: sessions, ttl: ttl, now: now}
}

// Login is the answer to a successful wx.login.
type Login struct {
	Token     string
	ExpiresAt time.Time
	User      model.User
	Roles     []string
}

// Login exchanges a wx.login code for a session.
func (m *MiniProgram) Login(ctx context.Context, code string) (Login, error) {
	if code == "" || len(code) > 128 {
		return Login{}, errs.Invalid("code", "")
	}
	openID, unionID, err := m.wx.Login(ctx, code)
	if err != nil {
		return Login{}, wechatError(err)
	}
	user := model.User{OpenID: openID, UnionID: unionID}
	err = m.db.WithContext(ctx).Clauses(clause.OnConflict{DoNothing: true}).Create(&user).Error
	if err != nil {
		return Login{}, err
	}
	if err := m.db.WithContext(ctx).Where("open_id = ?", openID).First(&user).Error; err != nil {
		return Login{}, err
	}
	roles, err := m.Roles(ctx, user.ID)
	if err != nil {
		return Login{}, err
	}
	token, err := m.sessions.Issue(ctx, Principal{Kind: KindWeChat, UserID: user.ID}, m.ttl)
	if err != nil {
		return Login{}, err
	}
	return Login{Token: token, ExpiresAt: m.now().Add(m.ttl), User: user, Roles: roles}, nil
}

// Roles: every user is a tenant; one who owns a house is also a landlord.
func (m *MiniProgram) Roles(ctx context.Context, userID uint64) ([]string, error) {
	var owned int64
	err := m.db.WithContext(ctx).Model(&model.House{}).Where("landlord_user_id = ?", userID).Limit(1).Count(&owned).Error
	if err != nil {
		return nil, err
	}
	if owned > 0 {
		return []string{"tenant", "landlord"}, nil
	}
	return []string{"tenant"}, nil
}

// BindPhone stores the phone number from getPhoneNumber and hands the user
// the houses that police registered for that number.
func (m *MiniProgram) BindPhone(ctx context.Context, userID uint64, code string) (string, error) {
	if code == "" || len(code) > 128 {
		return "", errs.Invalid("code", "")
	}
	raw, err := m.wx.PhoneNumber(ctx, code)
	if err != nil {
		return "", wechatError(err)
	}
	phone, err := pii.ValidatePhone(raw)
	if err != nil {
		return "", err
	}
	err = m.db.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		if err := tx.Model(&model.User{}).Where("id = ?", userID).Update("phone", phone).Error; err != nil {
			return err
		}
		return tx.Model(&model.House{}).
			Where("landlord_phone = ? AND landlord_user_id IS NULL", phone).
			Update("landlord_user_id", userID).Error
	})
	return phone, err
}

// User loads a mini-program user.
func (m *MiniProgram) User(ctx context.Context, userID uint64) (model.User, error) {
	var u model.User
	err := m.db.WithContext(ctx).First(&u, userID).Error
	if errors.Is(err, gorm.ErrRecordNotFound) {
		return u, errs.ErrUnauthorized
	}
	return u, err
}

// wechatError turns WeChat's refusal of a code into the domain error, and
// anything else into "WeChat is unavailable".
func wechatError(err error) error {
	if errors.Is(err, wechat.ErrInvalidCode) {
		return errs.ErrInvalidCode
	}
	return fmt.Errorf("wechat: %w", errors.Join(errs.ErrUnavailable, err))
}
