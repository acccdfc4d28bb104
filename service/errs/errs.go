// Package errs holds the domain errors that services return. The api package
// maps each of them to an HTTP status, a reason key and a Chinese message; that
// mapping lives there and nowhere else.
package errs

import (
	"errors"
	"time"
)

// Errors that carry no detail beyond their kind.
var (
	ErrNotFound     = errors.New("not found")
	ErrConflict     = errors.New("conflict")
	ErrUnauthorized = errors.New("unauthorized")
	ErrForbidden    = errors.New("forbidden")
	ErrRateLimited  = errors.New("rate limited")
	ErrUnavailable  = errors.New("unavailable")
	// ErrBadCredentials: a console username or password that does not match.
	ErrBadCredentials = errors.New("bad credentials")
	// ErrLocked: too many failed console logins; the account waits a while.
	ErrLocked = errors.New("account locked")
	// ErrInvalidCode: WeChat refused the login or phone code.
	ErrInvalidCode = errors.New("invalid wechat code")
	// ErrSceneMismatch: a check-in scanned a door other than the residence's own.
	ErrSceneMismatch = errors.New("scene does not belong to this residence")
	// ErrNotActive: the residence has ended.
	ErrNotActive = errors.New("residence is not active")
	// ErrNotApproved: the house has not been approved yet.
	ErrNotApproved = errors.New("house is not approved")
)

// ValidationError says which input field failed and, optionally, which rule
// it broke (for example "checksum" or "future"), so that the message can be
// precise.
type ValidationError struct {
	Field string
	Rule  string
}

func (e *ValidationError) Error() string {
	if e.Rule == "" {
		return "invalid " + e.Field
	}
	return "invalid " + e.Field + ": " + e.Rule
}

// Invalid builds a ValidationError.
func Invalid(field, rule string) error { return &ValidationError{Field: field, Rule: rule} }

// NotEligible says when the caller becomes eligible.
type NotEligible struct{ From time.Time }

func (e *NotEligible) Error() string { return "not eligible until " + e.From.Format(time.DateOnly) }
