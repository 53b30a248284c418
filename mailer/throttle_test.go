package mailer_test

import (
	"context"
	"encoding/json"
	"errors"
	"sync"
	"testing"
	"time"

	"scanmail/mailer"
)

// fakeClock is a clock that moves only when told.
type fakeClock struct {
	mu sync.Mutex
	t  time.Time
}

func newFakeClock() *fakeClock {
	return &fakeClock{t: time.Date(2026, 3, 12, 10, 0, 0, 0, time.UTC)}
}

func (c *fakeClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.t
}

func (c *fakeClock) Advance(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.t = c.t.Add(d)
}

func (c *fakeClock) Set(t time.Time) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.t = t
}

// sleep advances the clock instead of sleeping.
func (c *fakeClock) sleep(ctx context.Context, d time.Duration) error {
	c.Advance(d)
	return ctx.Err()
}

func wantWait(t *testing.T, th *mailer.Throttle, n int, want time.Duration) {
	t.Helper()
	got, err := th.Wait(n)
	if err != nil {
		t.Fatalf("Wait(%d): %v", n, err)
	}
	if got != want {
		t.Errorf("Wait(%d) = %v, want %v", n, got, want)
	}
}

func TestThrottleMessagesPerMinute(t *testing.T) {
	tests := []struct {
		name  string
		gap   time.Duration // between the 30 messages
		after time.Duration // from the 30th message to asking about the 31st
		want  time.Duration
	}{
		{name: "all at once", gap: 0, after: 0, want: time.Minute},
		{name: "one a second", gap: time.Second, after: time.Second, want: 30 * time.Second},
		{name: "a little later", gap: time.Second, after: 10 * time.Second, want: 21 * time.Second},
		{name: "first just left", gap: 0, after: time.Minute, want: 0},
		{name: "first about to leave", gap: 0, after: time.Minute - time.Nanosecond, want: time.Nanosecond},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			clock := newFakeClock()
			th := mailer.NewThrottle(mailer.Limits{}, clock.Now)
			for i := range mailer.DefaultMessagesPerMinute {
				if i > 0 {
					clock.Advance(tt.gap)
				}
				wantWait(t, th, 1, 0)
				th.Record(1)
			}
			clock.Advance(tt.after)
			wantWait(t, th, 1, tt.want)

			// Once the wait is over, the 31st message may go, and the
			// next one waits for the second message to leave.
			clock.Advance(tt.want)
			wantWait(t, th, 1, 0)
			th.Record(1)
			if tt.gap > 0 {
				wantWait(t, th, 1, tt.gap)
			}
		})
	}
}

func TestThrottleRecipientsPerDay(t *testing.T) {
	clock := newFakeClock() // 10:00:00
	th := mailer.NewThrottle(mailer.Limits{MessagesPerMinute: -1}, clock.Now)
	start := clock.Now()

	clock.Advance(30 * time.Second)
	th.Record(4000) // bucket 10:00, counts until 10:01 the next day
	clock.Set(start.Add(2*time.Hour + 10*time.Second))
	th.Record(3000) // bucket 12:00
	clock.Set(start.Add(2*time.Hour + 50*time.Second))
	th.Record(1000) // bucket 12:00 as well
	clock.Set(start.Add(3 * time.Hour))
	th.Record(2000) // bucket 13:00

	if m, d := th.Used(); m != 1 || d != 10000 {
		t.Errorf("Used() = %d, %d; want 1, 10000", m, d)
	}
	clock.Set(start.Add(5 * time.Hour))
	firstGone := start.Add(day + time.Minute)                // 10:01 the next day
	secondGone := start.Add(day + 2*time.Hour + time.Minute) // 12:01
	thirdGone := start.Add(day + 3*time.Hour + time.Minute)  // 13:01
	now := clock.Now()
	tests := []struct {
		n    int
		want time.Duration
	}{
		{1, firstGone.Sub(now)},
		{4000, firstGone.Sub(now)},
		{4001, secondGone.Sub(now)},
		{8000, secondGone.Sub(now)},
		{8001, thirdGone.Sub(now)},
		{10000, thirdGone.Sub(now)},
	}
	for _, tt := range tests {
		wantWait(t, th, tt.n, tt.want)
	}

	// The first bucket still counts a moment before its end...
	clock.Set(firstGone.Add(-time.Nanosecond))
	wantWait(t, th, 1, time.Nanosecond)
	// ...and no longer at it.
	clock.Set(firstGone)
	wantWait(t, th, 4000, 0)
	wantWait(t, th, 4001, secondGone.Sub(firstGone))
	if _, d := th.Used(); d != 6000 {
		t.Errorf("Used() day = %d, want 6000", d)
	}
}

const day = 24 * time.Hour

func TestThrottleTooManyRecipients(t *testing.T) {
	tests := []struct {
		limits mailer.Limits
		n      int
		limit  int // in the error; 0 for none
	}{
		{mailer.Limits{}, 10000, 0},
		{mailer.Limits{}, 10001, 10000},
		{mailer.Limits{RecipientsPerDay: 50}, 51, 50},
		{mailer.Limits{RecipientsPerDay: -1}, 1_000_000, 0},
	}
	for _, tt := range tests {
		clock := newFakeClock()
		th := mailer.NewThrottle(tt.limits, clock.Now)
		_, err := th.Wait(tt.n)
		aerr := th.Acquire(context.Background(), tt.n, clock.sleep)
		var le *mailer.LimitError
		if tt.limit == 0 {
			if err != nil || aerr != nil {
				t.Errorf("%+v: Wait(%d) = %v, Acquire = %v; want no error", tt.limits, tt.n, err, aerr)
			}
			continue
		}
		if !errors.As(err, &le) || le.Recipients != tt.n || le.Limit != tt.limit {
			t.Errorf("%+v: Wait(%d) error %v, want a *LimitError for %d over %d", tt.limits, tt.n, err, tt.n, tt.limit)
		}
		if !errors.As(aerr, &le) {
			t.Errorf("%+v: Acquire(%d) error %v, want a *LimitError", tt.limits, tt.n, aerr)
		}
	}
	if _, err := mailer.NewThrottle(mailer.Limits{}, nil).Wait(-1); err == nil {
		t.Error("Wait(-1) succeeded")
	}
}

func TestThrottleNoLimits(t *testing.T) {
	clock := newFakeClock()
	th := mailer.NewThrottle(mailer.Limits{MessagesPerMinute: -1, RecipientsPerDay: -1}, clock.Now)
	for range 1000 {
		wantWait(t, th, 500, 0)
		th.Record(500)
	}
	if m, d := th.Used(); m != 1000 || d != 500000 {
		t.Errorf("Used() = %d, %d; want 1000, 500000", m, d)
	}
}

func TestThrottleAcquire(t *testing.T) {
	clock := newFakeClock()
	th := mailer.NewThrottle(mailer.Limits{MessagesPerMinute: 2, RecipientsPerDay: 10}, clock.Now)
	var slept []time.Duration
	sleep := func(ctx context.Context, d time.Duration) error {
		slept = append(slept, d)
		return clock.sleep(ctx, d)
	}
	ctx := context.Background()
	for _, n := range []int{3, 3, 3, 3} {
		if err := th.Acquire(ctx, n, sleep); err != nil {
			t.Fatal(err)
		}
		th.Record(n)
		clock.Advance(time.Second)
	}
	// Messages 1 and 2 go at 0 s and 1 s; the third waits for the first to
	// leave the minute (58 s from 2 s); the fourth would make 12 recipients
	// a day and waits for the first minute's bucket: a day and a minute
	// after 10:00, from 10:01:01.
	want := []time.Duration{58 * time.Second, day - time.Second}
	if len(slept) != len(want) || slept[0] != want[0] || slept[1] != want[1] {
		t.Errorf("slept %v, want %v", slept, want)
	}

	cancelled, cancel := context.WithCancel(ctx)
	cancel()
	if err := th.Acquire(cancelled, 1, sleep); !errors.Is(err, context.Canceled) {
		t.Errorf("Acquire with a cancelled context = %v", err)
	}

	// The real sleep ends with the context.
	th = mailer.NewThrottle(mailer.Limits{MessagesPerMinute: 1}, nil)
	th.Record(1)
	short, cancel := context.WithTimeout(ctx, 20*time.Millisecond)
	defer cancel()
	begin := time.Now()
	if err := th.Acquire(short, 1, nil); !errors.Is(err, context.DeadlineExceeded) {
		t.Errorf("Acquire past the deadline = %v", err)
	}
	if d := time.Since(begin); d > 10*time.Second {
		t.Errorf("Acquire returned after %v, not at the deadline", d)
	}
}

func TestThrottleStateRoundTrip(t *testing.T) {
	clock := newFakeClock()
	th := mailer.NewThrottle(mailer.Limits{}, clock.Now)
	for i := range 40 {
		th.Record(i + 1) // 820 recipients in all
		clock.Advance(20 * time.Second)
	}
	// Now 13m20s after the first send: 2 sends in the last minute.
	for range 28 {
		th.Record(100)
	}
	b, err := json.Marshal(th.State())
	if err != nil {
		t.Fatal(err)
	}
	var st mailer.ThrottleState
	if err := json.Unmarshal(b, &st); err != nil {
		t.Fatal(err)
	}
	if n := len(st.Buckets); n > 14 {
		t.Errorf("state holds %d buckets for 14 minutes of sends", n)
	}

	restored := mailer.NewThrottle(mailer.Limits{}, clock.Now)
	restored.Restore(st)
	m1, d1 := th.Used()
	m2, d2 := restored.Used()
	if m1 != 30 || d1 != 3620 || m2 != m1 || d2 != d1 {
		t.Errorf("Used() = %d, %d before and %d, %d after the round trip; want 30, 3620", m1, d1, m2, d2)
	}
	for _, n := range []int{1, 6380, 6381, 10000} {
		w1, err1 := th.Wait(n)
		w2, err2 := restored.Wait(n)
		if w1 != w2 || (err1 == nil) != (err2 == nil) {
			t.Errorf("Wait(%d) = %v, %v before and %v, %v after the round trip", n, w1, err1, w2, err2)
		}
	}
	wantWait(t, restored, 1, 20*time.Second) // the send at 12m40s leaves at 13m40s

	// A restart a day later keeps nothing.
	clock.Advance(day + 2*time.Minute)
	restored.Restore(st)
	if m, d := restored.Used(); m != 0 || d != 0 {
		t.Errorf("Used() a day later = %d, %d", m, d)
	}
	if st := restored.State(); len(st.Sends) != 0 || len(st.Buckets) != 0 {
		t.Errorf("State() a day later = %+v", st)
	}
}

func TestThrottleRestoreUnordered(t *testing.T) {
	clock := newFakeClock()
	now := clock.Now()
	th := mailer.NewThrottle(mailer.Limits{MessagesPerMinute: 2, RecipientsPerDay: 100}, clock.Now)
	th.Restore(mailer.ThrottleState{
		Sends: []time.Time{now.Add(-10 * time.Second), now.Add(-50 * time.Second), now.Add(-2 * time.Minute)},
		Buckets: []mailer.RecipientBucket{
			{Minute: now.Add(-time.Hour + 15*time.Second), Recipients: 30}, // not on a minute: 09:00
			{Minute: now.Add(-2 * time.Hour), Recipients: 40},
			{Minute: now.Add(-time.Hour), Recipients: 30},
			{Minute: now.Add(-3 * day), Recipients: 99},
			{Minute: now.Add(-time.Minute), Recipients: -5},
		},
	})
	if m, d := th.Used(); m != 2 || d != 100 {
		t.Errorf("Used() = %d, %d; want 2, 100", m, d)
	}
	wantWait(t, th, 1, day-2*time.Hour+time.Minute) // the 08:00 bucket
	wantWait(t, th, 41, day-time.Hour+time.Minute)  // and both of 09:00
}

// TestThrottleClockBack: a clock set back (by NTP after a boot at a wrong
// time) must not make the device wait for years.
func TestThrottleClockBack(t *testing.T) {
	clock := newFakeClock()
	th := mailer.NewThrottle(mailer.Limits{MessagesPerMinute: 1, RecipientsPerDay: 10}, clock.Now)
	th.Record(10)
	clock.Advance(-10 * 365 * day)
	w, err := th.Wait(1)
	if err != nil {
		t.Fatal(err)
	}
	if w > day+time.Minute || w == 0 {
		t.Errorf("Wait after the clock went back 10 years = %v, want a day at most", w)
	}
	if m, d := th.Used(); m != 1 || d != 10 {
		t.Errorf("Used() = %d, %d; want 1, 10", m, d)
	}
	clock.Advance(w)
	wantWait(t, th, 1, 0)
}

// TestThrottleConcurrent runs senders that hold a lock from Acquire to
// Record, as the documentation asks, and checks that no rolling minute saw
// more messages than allowed. Run with -race.
func TestThrottleConcurrent(t *testing.T) {
	const limit, senders, each = 5, 8, 10
	clock := newFakeClock()
	th := mailer.NewThrottle(mailer.Limits{MessagesPerMinute: limit, RecipientsPerDay: -1}, clock.Now)

	var (
		sending sync.Mutex
		times   []time.Time
		wg      sync.WaitGroup
	)
	for range senders {
		wg.Go(func() {
			for range each {
				sending.Lock()
				if err := th.Acquire(context.Background(), 2, clock.sleep); err != nil {
					t.Error(err)
				}
				th.Record(2)
				times = append(times, clock.Now())
				clock.Advance(time.Second)
				sending.Unlock()
			}
		})
		wg.Go(func() {
			for range each {
				th.Used()
				th.State()
			}
		})
	}
	wg.Wait()

	if len(times) != senders*each {
		t.Fatalf("%d sends, want %d", len(times), senders*each)
	}
	for i := limit; i < len(times); i++ {
		if d := times[i].Sub(times[i-limit]); d < time.Minute {
			t.Errorf("send %d is %v after send %d: %d messages within a minute", i, d, i-limit, limit+1)
		}
	}
	if _, d := th.Used(); d != 2*senders*each {
		t.Errorf("Used() day = %d, want %d", d, 2*senders*each)
	}
}
