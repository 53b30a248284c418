package device

import (
	"context"
	"errors"
	"time"
)

const (
	// keepAliveEvery is how often the sign-in is refreshed when nothing
	// is sent. Microsoft's refresh tokens die after 90 days unused
	// (AADSTS700082), which is how a rarely used scanner silently stops
	// working; a weekly refresh keeps them alive with a wide margin.
	keepAliveEvery = 7 * 24 * time.Hour
	// keepAliveRetry is the pause after a refresh that failed for a
	// reason that passes (network, the provider's 5xx).
	keepAliveRetry = time.Hour
	// keepAliveWake is the longest the keep-alive sleeps before it reads
	// the wall clock again. A timer runs on the monotonic clock, which NTP
	// setting the wall clock later does not move: a board started at 1970
	// would sleep for decades toward a refresh that is due now, and its
	// refresh token would die unused.
	keepAliveWake = time.Hour
)

// keepAlive refreshes the sign-in if its last refresh is keepAliveEvery
// old, and says when to look again. A refusal is recorded as "sign-in
// needed" at once (status, log, panel), not at the next scan; a passing
// failure keeps the tokens and tries again in an hour.
func (d *Device) keepAlive(ctx context.Context) time.Duration {
	acct, ok, err := d.store.Account()
	if err != nil || !ok || acct.Ended != nil {
		return keepAliveEvery // nothing to keep alive until someone signs in
	}
	if due := keepAliveDue(acct, time.Time{}, d.now()); d.now().Before(due) {
		return due.Sub(d.now())
	}
	_, _, err = d.accessToken(ctx, true)
	switch {
	case err == nil:
		d.log.Info("sign-in kept alive", "upn", acct.UPN)
		return keepAliveEvery
	case errors.Is(err, ErrSignInNeeded):
		d.log.Error("sign-in needed", "upn", acct.UPN, "err", err)
		return keepAliveEvery
	default:
		d.log.Warn("keep-alive refresh failed, trying again later", "upn", acct.UPN, "err", err, "retry_in", keepAliveRetry)
		d.keepAliveFailed(err)
		return keepAliveRetry
	}
}

// runKeepAlive keeps the sign-in alive until ctx ends, waking at least
// every keepAliveWake; sleep waits (a timer that ctx cancels).
func (d *Device) runKeepAlive(ctx context.Context, sleep func(context.Context, time.Duration) error) {
	for {
		next := d.keepAlive(ctx)
		d.setNextKeepAlive(d.now().Add(next))
		if sleep(ctx, min(next, keepAliveWake)) != nil {
			return
		}
	}
}

// keepAliveDue is when the keep-alive refreshes acct's sign-in next: a
// week after its last refresh, or, once that is past (the refresh failed
// for a passing reason), when it tries again, which runKeepAlive recorded
// as planned.
func keepAliveDue(acct Account, planned, now time.Time) time.Time {
	last := acct.LastRefresh
	if last.IsZero() {
		last = acct.SignedInAt
	}
	due := last.Add(keepAliveEvery)
	if due.Before(now) && planned.After(due) {
		return planned
	}
	return due
}

// setNextKeepAlive records, for Status and the watchers, when the
// keep-alive refreshes the sign-in next. Waking on the hour to read the
// clock moves it by no more than the clock did, which is no change.
func (d *Device) setNextKeepAlive(at time.Time) {
	d.mu.Lock()
	was := d.nextKeepAlive
	d.nextKeepAlive = at
	d.mu.Unlock()
	if moved := at.Sub(was); moved > time.Minute || moved < -time.Minute {
		d.statusChanged()
	}
}
