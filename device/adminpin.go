package device

import (
	"context"
	"fmt"
	"time"

	"scanmail/device/apitype"
)

// The admin PIN guards the panel's admin screens. The local API's socket
// is root's, so whoever reaches it may also reset the PIN (ResetPIN): that
// is how a forgotten PIN is cleared, at the board.

// Bounds of the admin PIN: the panel has a keypad.
const (
	minPINLen = 4
	maxPINLen = 12
)

// The back-off of wrong PINs: the first pinFreeTries are taken at once;
// after them each try waits pinFirstWait, doubled after each wrong one up
// to pinMaxWait. A 4-digit PIN then takes weeks to guess at the panel.
const (
	pinFreeTries = 3
	pinFirstWait = 30 * time.Second
	pinMaxWait   = 15 * time.Minute
)

// pinGuard lets one PIN check or change run at a time: each hash takes
// pinHashMemory, and a burst of tries must not take the board's memory
// from the jobs. Holding it across read, hash and write also keeps the
// count of wrong tries exact.
type pinGuard struct {
	sem chan struct{}
	// derive hashes; the tests count the hashes running at once.
	derive func(h *pinHashRecord, pin string) (bool, error)
}

func newPINGuard() pinGuard {
	return pinGuard{sem: make(chan struct{}, 1), derive: (*pinHashRecord).matches}
}

// lock waits for the guard; call the returned func to release it.
func (g *pinGuard) lock(ctx context.Context) (unlock func(), err error) {
	select {
	case g.sem <- struct{}{}:
		return func() { <-g.sem }, nil
	case <-ctx.Done():
		return nil, ctx.Err()
	}
}

// pinWait is how long the try after failures wrong ones waits.
func pinWait(failures int) time.Duration {
	if failures < pinFreeTries {
		return 0
	}
	w := pinFirstWait
	for i := pinFreeTries; i < failures && w < pinMaxWait; i++ {
		w *= 2
	}
	return min(w, pinMaxWait)
}

// retryAt is when the next try is taken; zero when at once. A clock set
// back since the last wrong try does not make the wait longer than the
// back-off: it is bounded by its length from now.
func (r pinRecord) retryAt(now time.Time) time.Time {
	w := pinWait(r.Failures)
	if w == 0 {
		return time.Time{}
	}
	at := r.LastFailure.Add(w)
	if limit := now.Add(w); at.After(limit) {
		at = limit
	}
	if !at.After(now) {
		return time.Time{}
	}
	return at
}

func (r pinRecord) state(now time.Time) apitype.PINState {
	return apitype.PINState{Set: r.Hash != nil, Failures: r.Failures, RetryAt: r.retryAt(now)}
}

// PIN says whether the admin PIN is set and whether wrong tries hold the
// next one back.
func (d *Device) PIN() (apitype.PINState, error) {
	r, err := d.store.pin()
	if err != nil {
		return apitype.PINState{}, err
	}
	return r.state(d.now()), nil
}

// CheckPIN checks the admin PIN: CodePINWrong when it is not, and
// CodePINLocked (with RetryAt) while wrong tries hold the next back.
func (d *Device) CheckPIN(ctx context.Context, pin string) (apitype.PINState, error) {
	unlock, err := d.pin.lock(ctx)
	if err != nil {
		return apitype.PINState{}, err
	}
	defer unlock()
	r, err := d.store.pin()
	if err != nil {
		return apitype.PINState{}, err
	}
	if r.Hash == nil {
		return r.state(d.now()), errPINNotSet()
	}
	r, err = d.tryPIN(r, pin)
	return r.state(d.now()), err
}

// SetPIN sets the admin PIN to pin; old must be the current one, unless
// none is set yet: then the first admin at the panel sets it.
func (d *Device) SetPIN(ctx context.Context, old, pin string) (apitype.PINState, error) {
	if err := checkPINFormat(pin); err != nil {
		return apitype.PINState{}, err
	}
	unlock, err := d.pin.lock(ctx)
	if err != nil {
		return apitype.PINState{}, err
	}
	defer unlock()
	r, err := d.store.pin()
	if err != nil {
		return apitype.PINState{}, err
	}
	if r.Hash != nil {
		if r, err = d.tryPIN(r, old); err != nil {
			return r.state(d.now()), err
		}
	}
	h, err := newPINHash(pin)
	if err != nil {
		return apitype.PINState{}, err
	}
	r = pinRecord{Hash: h}
	if err := d.store.putPIN(r); err != nil {
		return apitype.PINState{}, err
	}
	d.log.Info("admin PIN set")
	return r.state(d.now()), nil
}

// ResetPIN removes the admin PIN and the count of wrong tries, for an
// admin who forgot it: the local API's socket is root's.
func (d *Device) ResetPIN(ctx context.Context) (apitype.PINState, error) {
	unlock, err := d.pin.lock(ctx)
	if err != nil {
		return apitype.PINState{}, err
	}
	defer unlock()
	if err := d.store.putPIN(pinRecord{}); err != nil {
		return apitype.PINState{}, err
	}
	d.log.Warn("admin PIN reset")
	return apitype.PINState{}, nil
}

// tryPIN checks pin against r, which has a hash, under the guard: held
// back while wrong tries wait, counted when wrong, the count cleared when
// right. It returns the record as stored after.
func (d *Device) tryPIN(r pinRecord, pin string) (pinRecord, error) {
	now := d.now()
	if at := r.retryAt(now); !at.IsZero() {
		if r.LastFailure.After(now) {
			// The clock went back: count the wait from now, so that it
			// ends.
			r.LastFailure = now
			if err := d.store.putPIN(r); err != nil {
				return r, err
			}
		}
		return r, errPINLocked(at, now)
	}
	// A PIN of another form cannot be the PIN, and needs no hash to
	// say so; it is a try all the same.
	ok := false
	if checkPINFormat(pin) == nil {
		var err error
		if ok, err = d.pin.derive(r.Hash, pin); err != nil {
			return r, &Error{Summary: "The admin PIN stored cannot be checked", Hint: "Reset the admin PIN at the device and set it again.", Err: err}
		}
	}
	if ok {
		if r.Failures != 0 {
			r.Failures, r.LastFailure = 0, time.Time{}
			if err := d.store.putPIN(r); err != nil {
				return r, err
			}
		}
		return r, nil
	}
	r.Failures++
	r.LastFailure = now
	if err := d.store.putPIN(r); err != nil {
		return r, err
	}
	d.log.Warn("wrong admin PIN", "failures", r.Failures)
	return r, errPINWrong(r.retryAt(now), now)
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

// waitWords says a wait, rounded up: "30 seconds", "2 minutes".
func waitWords(w time.Duration) string {
	if w <= time.Minute {
		s := int((w + time.Second - 1) / time.Second)
		return plural(s, "second")
	}
	return plural(int((w+time.Minute-1)/time.Minute), "minute")
}

func plural(n int, unit string) string {
	if n == 1 {
		return "1 " + unit
	}
	return fmt.Sprintf("%d %ss", n, unit)
}
