package device

import (
	"context"
	"fmt"
	"time"
	"unicode"
	"unicode/utf8"

	"scanmail/device/apitype"
)

// The admin password guards the web pages. It has no default: while none
// is set, the first visit sets it. It is an adminSecret, kept and held
// back as the panel's PIN is; setting or removing it ends every web
// session.

// Bounds of the admin password: long enough that the back-off and the
// hash's cost leave no guessing it, short enough to hash cheaply.
const (
	minPasswordLen = 10  // characters
	maxPasswordLen = 128 // bytes
)

var adminPassword = adminSecret{
	key:    keyPassword,
	name:   "admin password",
	format: checkPasswordFormat,
	notSet: errPasswordNotSet,
	wrong:  errPasswordWrong,
	locked: errPasswordLocked,
	ends:   endSessions,
}

func (r secretRecord) passwordState(now time.Time) apitype.PasswordState {
	return apitype.PasswordState{Set: r.Hash != nil, Failures: r.Failures, RetryAt: r.retryAt(now)}
}

// Password says whether the admin password is set and whether wrong tries
// hold the next one back.
func (d *Device) Password() (apitype.PasswordState, error) {
	r, err := d.store.secret(keyPassword)
	if err != nil {
		return apitype.PasswordState{}, err
	}
	return r.passwordState(d.now()), nil
}

// SetPassword sets the admin password; old must be the current one,
// unless none is set yet: then the first visit to the web pages sets it.
// Every web session ends.
func (d *Device) SetPassword(ctx context.Context, old, password string) (apitype.PasswordState, error) {
	r, err := d.setSecret(ctx, adminPassword, old, password)
	return r.passwordState(d.now()), err
}

// ResetPassword removes the admin password and the count of wrong tries,
// for an admin who forgot it (the local API's socket is root's), and ends
// every web session.
func (d *Device) ResetPassword(ctx context.Context) (apitype.PasswordState, error) {
	return apitype.PasswordState{}, d.resetSecret(ctx, adminPassword)
}

// checkPasswordFormat refuses what cannot be a password: too short, too
// long, or with characters that do not print (a line break, a control
// character), which a form cannot show and a person cannot type again.
func checkPasswordFormat(p string) error {
	e := &Error{Code: apitype.CodeInvalidRequest}
	switch {
	case !utf8.ValidString(p) || hasUnprintable(p):
		e.Summary = "A password is of printable characters only"
		e.Hint = "Leave out line breaks, tabs and control characters."
	case utf8.RuneCountInString(p) < minPasswordLen:
		e.Summary = fmt.Sprintf("A password is at least %d characters", minPasswordLen)
		e.Hint = "Choose a longer one: a few words are easy to remember."
	case len(p) > maxPasswordLen:
		e.Summary = fmt.Sprintf("A password is at most %d bytes", maxPasswordLen)
		e.Hint = "Choose a shorter one (letters outside English count for two bytes or more)."
	default:
		return nil
	}
	return e
}

func hasUnprintable(s string) bool {
	for _, c := range s {
		if !unicode.IsPrint(c) {
			return true
		}
	}
	return false
}

func errPasswordNotSet() error {
	return &Error{Summary: "No admin password is set", Hint: "Set the admin password first.", Code: apitype.CodePasswordNotSet}
}

func errPasswordWrong(retryAt, now time.Time) error {
	e := &Error{Summary: "Wrong password", Hint: "Try again.", Code: apitype.CodePasswordWrong, RetryAt: retryAt}
	if !retryAt.IsZero() {
		e.Hint = "Too many wrong passwords: try again in " + waitWords(retryAt.Sub(now)) + "."
	}
	return e
}

func errPasswordLocked(retryAt, now time.Time) error {
	return &Error{
		Summary: "Too many wrong passwords",
		Hint:    "Try again in " + waitWords(retryAt.Sub(now)) + ".",
		Code:    apitype.CodePasswordLocked,
		RetryAt: retryAt,
	}
}
