package device

import (
	"context"
	"fmt"
	"time"

	bolt "go.etcd.io/bbolt"
)

// adminSecret is one of the secrets that guard the admin's screens: the
// panel's PIN and the web pages' password. Both are kept alike (an
// argon2id hash in bucketAdmin, with the wrong tries since the last right
// one) and held back alike after wrong tries. The local API's socket is
// root's, so whoever reaches it may also remove either: that is how a
// forgotten one is cleared, at the board.
type adminSecret struct {
	key    []byte             // its record in bucketAdmin
	name   string             // in the log and the words: "admin PIN"
	format func(string) error // refuses what cannot be the secret, with words
	notSet func() error
	wrong  func(retryAt, now time.Time) error
	locked func(retryAt, now time.Time) error
	// ends, when not nil, runs in the transaction that sets or removes
	// the secret: what it let in ends with it.
	ends func(*bolt.Tx) error
}

// The back-off of wrong tries: the first freeTries are taken at once;
// after them each try waits firstWait, doubled after each wrong one up to
// maxWait. A 4-digit PIN then takes weeks to guess at the panel.
const (
	freeTries = 3
	firstWait = 30 * time.Second
	maxWait   = 15 * time.Minute
)

// hashGuard lets one check or change of an admin secret run at a time:
// each hash takes hashMemory, and a burst of tries (at the panel and the
// web pages at once) must not take the board's memory from the jobs.
// Holding it across read, hash and write also keeps the count of wrong
// tries exact.
type hashGuard struct {
	sem chan struct{}
	// derive hashes; the tests count the hashes running at once.
	derive func(h *secretHash, secret string) (bool, error)
}

func newHashGuard() hashGuard {
	return hashGuard{sem: make(chan struct{}, 1), derive: (*secretHash).matches}
}

// lock waits for the guard; call the returned func to release it.
func (g *hashGuard) lock(ctx context.Context) (unlock func(), err error) {
	select {
	case g.sem <- struct{}{}:
		return func() { <-g.sem }, nil
	case <-ctx.Done():
		return nil, ctx.Err()
	}
}

// backOff is how long the try after failures wrong ones waits.
func backOff(failures int) time.Duration {
	if failures < freeTries {
		return 0
	}
	w := firstWait
	for i := freeTries; i < failures && w < maxWait; i++ {
		w *= 2
	}
	return min(w, maxWait)
}

// retryAt is when the next try is taken; zero when at once. A clock set
// back since the last wrong try does not make the wait longer than the
// back-off: it is bounded by its length from now.
func (r secretRecord) retryAt(now time.Time) time.Time {
	w := backOff(r.Failures)
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

// checkSecret checks given against the secret s: s.notSet when none is
// set, s.wrong when it is not the secret, s.locked while wrong tries hold
// the next back. When it is right, then (if not nil) runs before another
// check or change of a secret may, so that what it lets in cannot
// outlive a change of the secret made meanwhile. It returns the record as
// stored after.
func (d *Device) checkSecret(ctx context.Context, s adminSecret, given string, then func() error) (secretRecord, error) {
	unlock, err := d.hashes.lock(ctx)
	if err != nil {
		return secretRecord{}, err
	}
	defer unlock()
	r, err := d.store.secret(s.key)
	if err != nil {
		return secretRecord{}, err
	}
	if r.Hash == nil {
		return r, s.notSet()
	}
	if r, err = d.trySecret(s, r, given); err != nil || then == nil {
		return r, err
	}
	return r, then()
}

// setSecret sets the secret s to secret; old must be the current one,
// unless none is set yet: then the first admin sets it.
func (d *Device) setSecret(ctx context.Context, s adminSecret, old, secret string) (secretRecord, error) {
	if err := s.format(secret); err != nil {
		return secretRecord{}, err
	}
	unlock, err := d.hashes.lock(ctx)
	if err != nil {
		return secretRecord{}, err
	}
	defer unlock()
	r, err := d.store.secret(s.key)
	if err != nil {
		return secretRecord{}, err
	}
	if r.Hash != nil {
		if r, err = d.trySecret(s, r, old); err != nil {
			return r, err
		}
	}
	h, err := newSecretHash(secret)
	if err != nil {
		return secretRecord{}, err
	}
	r = secretRecord{Hash: h}
	if err := d.store.putSecret(s.key, r, s.ends); err != nil {
		return secretRecord{}, err
	}
	d.log.Info(s.name + " set")
	return r, nil
}

// resetSecret removes the secret s and the count of wrong tries, for an
// admin who forgot it: the local API's socket is root's.
func (d *Device) resetSecret(ctx context.Context, s adminSecret) error {
	unlock, err := d.hashes.lock(ctx)
	if err != nil {
		return err
	}
	defer unlock()
	if err := d.store.putSecret(s.key, secretRecord{}, s.ends); err != nil {
		return err
	}
	d.log.Warn(s.name + " reset")
	return nil
}

// trySecret checks given against r, which has a hash, under the guard:
// held back while wrong tries wait, counted when wrong, the count cleared
// when right. It returns the record as stored after.
func (d *Device) trySecret(s adminSecret, r secretRecord, given string) (secretRecord, error) {
	now := d.now()
	if at := r.retryAt(now); !at.IsZero() {
		if r.LastFailure.After(now) {
			// The clock went back: count the wait from now, so that it
			// ends.
			r.LastFailure = now
			if err := d.store.putSecret(s.key, r, nil); err != nil {
				return r, err
			}
		}
		return r, s.locked(at, now)
	}
	// A guess of another form cannot be the secret, and needs no hash
	// to say so; it is a try all the same.
	ok := false
	if s.format(given) == nil {
		var err error
		if ok, err = d.hashes.derive(r.Hash, given); err != nil {
			return r, &Error{
				Summary: fmt.Sprintf("The %s stored cannot be checked", s.name),
				Hint:    fmt.Sprintf("Reset the %s at the device and set it again.", s.name),
				Err:     err,
			}
		}
	}
	if ok {
		if r.Failures != 0 {
			r.Failures, r.LastFailure = 0, time.Time{}
			if err := d.store.putSecret(s.key, r, nil); err != nil {
				return r, err
			}
		}
		return r, nil
	}
	r.Failures++
	r.LastFailure = now
	if err := d.store.putSecret(s.key, r, nil); err != nil {
		return r, err
	}
	d.log.Warn("wrong "+s.name, "failures", r.Failures)
	return r, s.wrong(r.retryAt(now), now)
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
