package device

import (
	"context"
	"fmt"
	"time"

	"scanmail/device/apitype"
)

// The admin PIN guards the panel's admin screens; it is an adminSecret,
// kept and held back as the web pages' password is.

// Bounds of the admin PIN: the panel has a keypad.
const (
	minPINLen = 4
	maxPINLen = 12
)

var adminPIN = adminSecret{
	key:    keyPIN,
	name:   "admin PIN",
	format: checkPINFormat,
	notSet: errPINNotSet,
	wrong:  errPINWrong,
	locked: errPINLocked,
}

func (r secretRecord) pinState(now time.Time) apitype.PINState {
	return apitype.PINState{Set: r.Hash != nil, Failures: r.Failures, RetryAt: r.retryAt(now)}
}

// PIN says whether the admin PIN is set and whether wrong tries hold the
// next one back.
func (d *Device) PIN() (apitype.PINState, error) {
	r, err := d.store.secret(keyPIN)
	if err != nil {
		return apitype.PINState{}, err
	}
	return r.pinState(d.now()), nil
}

// CheckPIN checks the admin PIN: CodePINWrong when it is not, and
// CodePINLocked (with RetryAt) while wrong tries hold the next back.
func (d *Device) CheckPIN(ctx context.Context, pin string) (apitype.PINState, error) {
	r, err := d.checkSecret(ctx, adminPIN, pin, nil)
	return r.pinState(d.now()), err
}

// SetPIN sets the admin PIN to pin; old must be the current one, unless
// none is set yet: then the first admin at the panel sets it.
func (d *Device) SetPIN(ctx context.Context, old, pin string) (apitype.PINState, error) {
	r, err := d.setSecret(ctx, adminPIN, old, pin)
	return r.pinState(d.now()), err
}

// ResetPIN removes the admin PIN and the count of wrong tries, for an
// admin who forgot it: the local API's socket is root's.
func (d *Device) ResetPIN(ctx context.Context) (apitype.PINState, error) {
	return apitype.PINState{}, d.resetSecret(ctx, adminPIN)
}

// checkPINFormat refuses a PIN the keypad cannot type.
func checkPINFormat(pin string) error {
	ok := len(pin) >= minPINLen && len(pin) <= maxPINLen
	for _, c := range []byte(pin) {
		ok = ok && c >= '0' && c <= '9'
	}
	if !ok {
		return &Error{
			Summary: fmt.Sprintf("A PIN is %d to %d digits", minPINLen, maxPINLen),
			Hint:    fmt.Sprintf("Choose %d to %d digits, and nothing else.", minPINLen, maxPINLen),
			Code:    apitype.CodeInvalidRequest,
		}
	}
	return nil
}

func errPINNotSet() error {
	return &Error{Summary: "No admin PIN is set", Hint: "Set an admin PIN first.", Code: apitype.CodePINNotSet}
}

func errPINWrong(retryAt, now time.Time) error {
	e := &Error{Summary: "Wrong PIN", Hint: "Try again.", Code: apitype.CodePINWrong, RetryAt: retryAt}
	if !retryAt.IsZero() {
		e.Hint = "Too many wrong PINs: try again in " + waitWords(retryAt.Sub(now)) + "."
	}
	return e
}

func errPINLocked(retryAt, now time.Time) error {
	return &Error{
		Summary: "Too many wrong PINs",
		Hint:    "Try again in " + waitWords(retryAt.Sub(now)) + ".",
		Code:    apitype.CodePINLocked,
		RetryAt: retryAt,
	}
}
