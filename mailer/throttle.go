package mailer

import (
	"context"
	"fmt"
	"slices"
	"sync"
	"time"
)

// Exchange Online's sending limits for SMTP AUTH client submission, per
// mailbox (see EXCHANGE.md). Over the first, Exchange delays delivery; over
// the second, it refuses with 554 5.2.0 SubmissionQuotaExceededException.
const (
	DefaultMessagesPerMinute = 30
	DefaultRecipientsPerDay  = 10000
)

const day = 24 * time.Hour

// Limits are the sending limits of one account. Zero means Exchange
// Online's default; a negative value means no limit, as for direct send and
// connector relay.
type Limits struct {
	MessagesPerMinute int // messages in any rolling minute
	RecipientsPerDay  int // recipients in any rolling 24 hours
}

// LimitError means a message can never be sent under the limits: it has
// more recipients than a whole day allows. Splitting it is the only way.
type LimitError struct {
	Recipients int // the message's recipients
	Limit      int // Limits.RecipientsPerDay
}

func (e *LimitError) Error() string {
	return fmt.Sprintf("mailer: a message to %d recipients exceeds the limit of %d recipients a day", e.Recipients, e.Limit)
}

// Throttle keeps one account's sends within its Limits on the device's side,
// so that the server neither delays nor refuses them. It is safe for
// concurrent use.
//
// The minute window holds each send's time. The day window holds recipients
// per minute (1440 buckets at most) and counts a bucket until 24 hours after
// the end of its minute: rounding this way can only make a sender wait up to
// a minute longer, never let it exceed the limit.
//
// If the clock goes back, sends stamped in the future count as sent now, so
// that a device whose clock is corrected waits at most a day, not years.
type Throttle struct {
	perMinute, perDay int // < 0: no limit
	now               func() time.Time

	mu      sync.Mutex
	sends   []time.Time       // ascending, within the last minute
	buckets []RecipientBucket // ascending by Minute, within the last day
}

// RecipientBucket counts the recipients of the messages sent in one minute.
type RecipientBucket struct {
	Minute     time.Time `json:"minute"` // start of the minute, in UTC
	Recipients int       `json:"recipients"`
}

// ThrottleState is what a Throttle remembers, for keeping the windows
// across a restart of the daemon; it encodes as JSON.
type ThrottleState struct {
	Sends   []time.Time       `json:"sends"`   // messages sent in the last minute
	Buckets []RecipientBucket `json:"buckets"` // recipients sent in the last day
}

// NewThrottle returns a Throttle with limits l and no sends yet. now is the
// clock; nil means time.Now.
func NewThrottle(l Limits, now func() time.Time) *Throttle {
	if now == nil {
		now = time.Now
	}
	def := func(v, d int) int {
		if v == 0 {
			return d
		}
		return v
	}
	return &Throttle{
		perMinute: def(l.MessagesPerMinute, DefaultMessagesPerMinute),
		perDay:    def(l.RecipientsPerDay, DefaultRecipientsPerDay),
		now:       now,
	}
}

// Wait reports how long to wait before a message with n recipients may be
// sent: zero if it may be sent now. It records nothing. The error is a
// *LimitError when n alone exceeds the daily limit.
func (t *Throttle) Wait(n int) (time.Duration, error) {
	if n < 0 {
		return 0, fmt.Errorf("mailer: throttle: %d recipients", n)
	}
	if t.perDay >= 0 && n > t.perDay {
		return 0, &LimitError{Recipients: n, Limit: t.perDay}
	}
	t.mu.Lock()
	defer t.mu.Unlock()
	now := t.now()
	t.prune(now)

	var wait time.Duration
	if t.perMinute >= 0 && len(t.sends) >= t.perMinute {
		// The send that must leave the window so that one more fits.
		wait = t.sends[len(t.sends)-t.perMinute].Add(time.Minute).Sub(now)
	}
	if t.perDay >= 0 {
		used := 0
		for _, b := range t.buckets {
			used += b.Recipients
		}
		for _, b := range t.buckets {
			if used+n <= t.perDay {
				break
			}
			used -= b.Recipients
			wait = max(wait, expiry(b).Sub(now))
		}
	}
	return max(wait, 0), nil
}

// Record notes that a message with n recipients was sent: call it once the
// server has accepted the message.
func (t *Throttle) Record(n int) {
	t.mu.Lock()
	defer t.mu.Unlock()
	now := t.now()
	t.prune(now)
	t.sends = append(t.sends, now)
	if n <= 0 {
		return
	}
	m := now.Truncate(time.Minute).UTC()
	if i := len(t.buckets) - 1; i >= 0 && t.buckets[i].Minute.Equal(m) {
		t.buckets[i].Recipients += n
		return
	}
	t.buckets = append(t.buckets, RecipientBucket{Minute: m, Recipients: n})
}

// Used reports the messages sent in the last minute and the recipients sent
// to in the last 24 hours (by whole minutes, as the limit is kept).
func (t *Throttle) Used() (lastMinute, lastDay int) {
	t.mu.Lock()
	defer t.mu.Unlock()
	t.prune(t.now())
	for _, b := range t.buckets {
		lastDay += b.Recipients
	}
	return len(t.sends), lastDay
}

// Acquire waits until a message with n recipients may be sent, calling
// sleep for each wait (nil means a timer that ctx cancels). It records
// nothing: call Record once the server has accepted the message. Senders
// of one account that run at the same time must hold their own lock from
// Acquire to Record, or together they may exceed the limits by one message
// each.
func (t *Throttle) Acquire(ctx context.Context, n int, sleep func(ctx context.Context, d time.Duration) error) error {
	if sleep == nil {
		sleep = sleepContext
	}
	for {
		if err := ctx.Err(); err != nil {
			return err
		}
		d, err := t.Wait(n)
		if err != nil || d == 0 {
			return err
		}
		if err := sleep(ctx, d); err != nil {
			return err
		}
	}
}

func sleepContext(ctx context.Context, d time.Duration) error {
	timer := time.NewTimer(d)
	defer timer.Stop()
	select {
	case <-timer.C:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}

// State returns a copy of the windows, for Restore after a restart.
func (t *Throttle) State() ThrottleState {
	t.mu.Lock()
	defer t.mu.Unlock()
	t.prune(t.now())
	s := ThrottleState{
		Sends:   make([]time.Time, len(t.sends)),
		Buckets: slices.Clone(t.buckets),
	}
	for i, ts := range t.sends {
		s.Sends[i] = ts.Round(0).UTC() // no monotonic reading: it means nothing after a restart
	}
	return s
}

// Restore replaces the windows with s, as returned by State before a
// restart. Entries that have left their window are dropped; unsorted or
// duplicate entries are put in order.
func (t *Throttle) Restore(s ThrottleState) {
	sends := slices.Clone(s.Sends)
	slices.SortFunc(sends, time.Time.Compare)

	var buckets []RecipientBucket
	for _, b := range s.Buckets {
		if b.Recipients > 0 {
			buckets = append(buckets, RecipientBucket{Minute: b.Minute.Truncate(time.Minute).UTC(), Recipients: b.Recipients})
		}
	}
	slices.SortFunc(buckets, func(a, b RecipientBucket) int { return a.Minute.Compare(b.Minute) })
	buckets = mergeBuckets(buckets)

	t.mu.Lock()
	defer t.mu.Unlock()
	t.sends, t.buckets = sends, buckets
	t.prune(t.now())
}

// prune drops what has left the windows at now, and brings entries stamped
// after now back to now.
func (t *Throttle) prune(now time.Time) {
	i := 0
	for i < len(t.sends) && !t.sends[i].Add(time.Minute).After(now) {
		i++
	}
	t.sends = slices.Delete(t.sends, 0, i)
	for j := len(t.sends) - 1; j >= 0 && t.sends[j].After(now); j-- {
		t.sends[j] = now
	}

	i = 0
	for i < len(t.buckets) && !expiry(t.buckets[i]).After(now) {
		i++
	}
	t.buckets = slices.Delete(t.buckets, 0, i)
	m := now.Truncate(time.Minute).UTC()
	clamped := false
	for j := len(t.buckets) - 1; j >= 0 && t.buckets[j].Minute.After(m); j-- {
		t.buckets[j].Minute = m
		clamped = true
	}
	if clamped {
		t.buckets = mergeBuckets(t.buckets)
	}
}

// expiry is when a bucket's recipients stop counting: a day after the end
// of its minute.
func expiry(b RecipientBucket) time.Time { return b.Minute.Add(time.Minute + day) }

// mergeBuckets adds up neighbouring buckets of the same minute.
func mergeBuckets(bs []RecipientBucket) []RecipientBucket {
	out := bs[:0]
	for _, b := range bs {
		if k := len(out) - 1; k >= 0 && out[k].Minute.Equal(b.Minute) {
			out[k].Recipients += b.Recipients
			continue
		}
		out = append(out, b)
	}
	return out
}
