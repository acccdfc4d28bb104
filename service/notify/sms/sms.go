// Package sms sends templated text messages: the fallback for reminders when
// a tenant holds no WeChat subscription credit. Tencent sends through Tencent
// Cloud SMS; LogOnly is embedded mode's stand-in, which sends nothing.
package sms

import (
	"context"
	"errors"
	"fmt"
	"net"
	"slices"
	"strings"

	"yaoju/service/pii"
)

// Sender sends one templated SMS. params fill the template's {1}, {2}... in
// order. template is yaoju's own name for it (notify.TemplateCheckinReminder).
type Sender interface {
	Send(ctx context.Context, phone, template string, params []string) error
}

var (
	_ Sender = (*Tencent)(nil)
	_ Sender = (*LogOnly)(nil)
)

var (
	// ErrRateLimited: the provider refused for now because a sending limit was
	// hit (per number, per app or per day). Try again later.
	ErrRateLimited = errors.New("sms: rate limited")
	// ErrBadNumber: the number is malformed, not a mainland mobile, or
	// blacklisted (the user unsubscribed). Retrying will not help.
	ErrBadNumber = errors.New("sms: bad phone number")
	// ErrUnknownTemplate: the template name has no provider template id in
	// config. Retrying will not help until config changes.
	ErrUnknownTemplate = errors.New("sms: unknown template")
)

// Error is a failure Tencent reported, either for the whole request
// (Response.Error) or for the number (Response.SendStatusSet[0]). Use
// errors.Is with ErrRateLimited and ErrBadNumber rather than reading Code.
type Error struct {
	Code      string // e.g. "LimitExceeded.PhoneNumberDailyLimit"
	Message   string // Tencent's text, with the phone number masked
	RequestID string
}

func (e *Error) Error() string {
	s := "sms: tencent " + e.Code
	if e.Message != "" {
		s += ": " + e.Message
	}
	if e.RequestID != "" {
		s += " (request " + e.RequestID + ")"
	}
	return s
}

// Codes from tencentcloud-sdk-go sms/v20210111/errors.go.
var badNumberCodes = []string{
	"InvalidParameterValue.IncorrectPhoneNumber",
	"UnsupportedOperation.ContainDomesticAndInternationalPhoneNumber",
	"FailedOperation.PhoneNumberInBlacklist",
}

// Is maps Tencent's codes onto the package's sentinel errors.
func (e *Error) Is(target error) bool {
	switch target {
	case ErrRateLimited:
		return inFamily(e.Code, "LimitExceeded")
	case ErrBadNumber:
		return slices.Contains(badNumberCodes, e.Code)
	}
	return false
}

// inFamily reports whether code is family itself or one of its sub-codes
// ("InternalError", "InternalError.Timeout").
func inFamily(code, family string) bool {
	return code == family || strings.HasPrefix(code, family+".")
}

// statusError is an HTTP status other than 200. Tencent's API answers 200
// even for errors it understood, so anything else came from the way there.
type statusError struct{ code int }

func (e *statusError) Error() string {
	return fmt.Sprintf("sms: tencent answered HTTP %d", e.code)
}

// transportError is a request that did not complete: no connection, a
// timeout, a cancelled context, or a body cut short.
type transportError struct{ err error }

func (e *transportError) Error() string { return "sms: tencent unreachable: " + e.err.Error() }
func (e *transportError) Unwrap() error { return e.err }

// IsTransient reports whether err may succeed if sent again later: network
// errors, timeouts, HTTP 5xx and 429, and Tencent's InternalError.*,
// RequestLimitExceeded and LimitExceeded.* codes.
//
// A timeout does not prove that nothing was sent: Tencent may have taken the
// request before the answer was lost, so a retry can deliver a second SMS.
func IsTransient(err error) bool {
	if err == nil {
		return false
	}
	var te *transportError
	if errors.As(err, &te) {
		return true
	}
	var se *statusError
	if errors.As(err, &se) {
		return se.code >= 500 || se.code == 429
	}
	var e *Error
	if errors.As(err, &e) {
		return inFamily(e.Code, "InternalError") ||
			inFamily(e.Code, "RequestLimitExceeded") ||
			inFamily(e.Code, "LimitExceeded")
	}
	if errors.Is(err, context.DeadlineExceeded) {
		return true
	}
	var ne net.Error
	return errors.As(err, &ne)
}

// nationalNumber returns the 11-digit mainland mobile number in phone, which
// may carry a +86, 0086 or 86 prefix and spaces or dashes. The error never
// holds the number unmasked.
func nationalNumber(phone string) (string, error) {
	p := strings.NewReplacer(" ", "", "-", "").Replace(phone)
	switch {
	case strings.HasPrefix(p, "+86"):
		p = p[3:]
	case strings.HasPrefix(p, "0086"):
		p = p[4:]
	case len(p) == 13 && strings.HasPrefix(p, "86"):
		p = p[2:]
	}
	if len(p) != 11 || p[0] != '1' || strings.Trim(p, "0123456789") != "" {
		return "", fmt.Errorf("%w (%s)", ErrBadNumber, pii.MaskPhone(phone))
	}
	return p, nil
}
