package device

import (
	"context"
	"errors"
	"fmt"
	"time"

	bolt "go.etcd.io/bbolt"

	"scanmail/mailer"
)

// ThrottleState reads what the sending limits have counted, so that a
// restart does not reset a day's count.
func (st *Store) ThrottleState() (mailer.ThrottleState, error) {
	var r throttleRecord
	err := st.db.View(func(tx *bolt.Tx) error {
		_, err := getJSON(tx.Bucket(bucketLimits), keyThrottle, &r)
		return err
	})
	return r.state(), err
}

// SaveThrottleState stores what the sending limits have counted.
func (st *Store) SaveThrottleState(ts mailer.ThrottleState) error {
	return st.db.Update(func(tx *bolt.Tx) error {
		return putJSON(tx.Bucket(bucketLimits), keyThrottle, throttleRecordOf(ts))
	})
}

// throttleFor returns the throttle for the limits in force, carrying over
// what was counted. The caller holds sendMu, as every send does.
func (d *Device) throttleFor(l mailer.Limits) (*mailer.Throttle, error) {
	if d.throttle != nil && d.throttleLimits == l {
		return d.throttle, nil
	}
	ts, err := d.store.ThrottleState()
	if err != nil {
		return nil, err
	}
	t := mailer.NewThrottle(l, d.now)
	t.Restore(ts)
	d.throttle, d.throttleLimits = t, l
	return t, nil
}

// waitForLimits holds a message for n recipients until the provider's
// sending limits allow it, telling the operator why it waits.
func (d *Device) waitForLimits(ctx context.Context, l mailer.Limits, n int, note func(string)) error {
	t, err := d.throttleFor(l)
	if err != nil {
		return err
	}
	err = t.Acquire(ctx, n, func(ctx context.Context, wait time.Duration) error {
		note(fmt.Sprintf("Waiting %s for the mail provider's sending limit (%d messages a minute, %d recipients a day)",
			wait.Round(time.Second), l.MessagesPerMinute, l.RecipientsPerDay))
		d.log.Info("waiting for the sending limit", "wait", wait)
		d.setLimitWait(d.now().Add(wait))
		defer d.setLimitWait(time.Time{})
		return d.sleep(ctx, wait)
	})
	if le, ok := errors.AsType[*mailer.LimitError](err); ok {
		return &Error{
			Summary: fmt.Sprintf("%d recipients are more than the mail provider accepts in a day (%d)", le.Recipients, le.Limit),
			Hint:    "Send to fewer recipients, or use a distribution list.",
			Err:     err,
		}
	}
	return err
}

// setLimitWait records, for Status and the watchers, until when a message
// waits for the sending limits; zero when none waits.
func (d *Device) setLimitWait(until time.Time) {
	d.mu.Lock()
	d.limitWait = until
	d.mu.Unlock()
	d.statusChanged()
}

// sent counts a message the server accepted against the limits.
func (d *Device) sent(n int) {
	if d.throttle == nil {
		return
	}
	d.throttle.Record(n)
	if err := d.store.SaveThrottleState(d.throttle.State()); err != nil {
		d.log.Error("sending-limit count not stored", "err", err)
	}
}

// sleepCtx waits d or until ctx ends.
func sleepCtx(ctx context.Context, d time.Duration) error {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-ctx.Done():
		return ctx.Err()
	case <-t.C:
		return nil
	}
}
