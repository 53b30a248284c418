package device

import (
	"context"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	"scanmail/device/idptest"
)

// fakeClock is a clock the test moves.
type fakeClock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *fakeClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.t
}

func (c *fakeClock) Set(t time.Time) {
	c.mu.Lock()
	c.t = t
	c.mu.Unlock()
}

func (c *fakeClock) Add(d time.Duration) {
	c.mu.Lock()
	c.t = c.t.Add(d)
	c.mu.Unlock()
}

// keepAliveRig is a signed-in device whose clock, and its identity
// provider's, the test moves.
func keepAliveRig(t *testing.T) (*rig, *fakeClock) {
	clock := &fakeClock{t: time.Now()}
	r := newRig(t, rigOptions{now: clock.Now, idp: idptest.Options{IgnoreInterval: true, Now: clock.Now}})
	r.signedIn(testUPN)
	return r, clock
}

// idle lets days pass a day at a time, running the keep-alive as its timer
// would, and returns how many refreshes the provider saw.
func idle(r *rig, clock *fakeClock, days int) int {
	before := r.idp.Refreshes()
	for range days {
		clock.Add(24 * time.Hour)
		r.dev.keepAlive(context.Background())
	}
	return r.idp.Refreshes() - before
}

// TestKeepAliveIdleDevice: a device that sends nothing for 8 days still
// refreshes, stores the rotated token, and after 91 idle days its sign-in
// still works, where an unrefreshed one would have died (AADSTS700082).
func TestKeepAliveIdleDevice(t *testing.T) {
	t.Parallel()
	r, clock := keepAliveRig(t)
	before, _, _ := r.store.Account()
	if n := idle(r, clock, 8); n < 1 {
		t.Fatalf("%d refreshes in 8 idle days, want at least 1", n)
	}
	after, _, _ := r.store.Account()
	if after.Token.RefreshToken == before.Token.RefreshToken || !after.LastRefresh.After(before.LastRefresh) {
		t.Fatal("the rotated refresh token or the refresh time was not stored")
	}
	idle(r, clock, 83) // 91 days in all
	if _, err := r.dev.TokenSource(context.Background()).Token(); err != nil {
		t.Fatalf("after 91 kept-alive days: %v", err)
	}
	if st, _ := r.dev.Status(); !st.Ready {
		t.Fatalf("not ready: %s", st.Problem)
	}
}

// TestWithoutKeepAliveTokenDies shows what the keep-alive prevents: the
// identity provider lets a refresh token unused for 90 days die.
func TestWithoutKeepAliveTokenDies(t *testing.T) {
	t.Parallel()
	r, clock := keepAliveRig(t)
	clock.Add(91 * 24 * time.Hour)
	_, _, err := r.dev.accessToken(context.Background(), true)
	if summary, _ := Explain(err); !strings.Contains(summary, "90 days") {
		t.Fatalf("got %v, want the 90-day inactivity refusal", err)
	}
}

// TestKeepAliveRefused: a refusal raises "sign-in needed" at once, without
// a scan; a provider in trouble is retried later and the tokens are kept.
func TestKeepAliveRefused(t *testing.T) {
	t.Parallel()
	t.Run("invalid_grant", func(t *testing.T) {
		t.Parallel()
		r, clock := keepAliveRig(t)
		r.idp.Revoke(testUPN)
		clock.Add(keepAliveEvery)
		r.dev.keepAlive(context.Background())
		st, _ := r.dev.Status()
		if st.Ready || !strings.Contains(st.Problem, "no longer valid") || !strings.Contains(st.Hint, "Sign in again") {
			t.Fatalf("status ready %v problem %q hint %q, want sign-in needed", st.Ready, st.Problem, st.Hint)
		}
		if !strings.Contains(r.log.String(), "sign-in needed") {
			t.Error("no sign-in needed in the log")
		}
	})
	t.Run("503", func(t *testing.T) {
		t.Parallel()
		r, clock := keepAliveRig(t)
		before, _, _ := r.store.Account()
		r.idp.ScriptRefresh(idptest.RefreshAnswer{Status: http.StatusServiceUnavailable})
		clock.Add(keepAliveEvery)
		if next := r.dev.keepAlive(context.Background()); next != keepAliveRetry {
			t.Errorf("next try in %v, want %v", next, keepAliveRetry)
		}
		after, _, _ := r.store.Account()
		if after.Token.RefreshToken != before.Token.RefreshToken || after.Ended != nil {
			t.Fatal("a 503 changed the stored sign-in")
		}
		if st, _ := r.dev.Status(); !st.Ready {
			t.Fatalf("not ready after a 503: %s", st.Problem)
		}
		// An hour later the provider is back and the refresh happens.
		clock.Add(keepAliveRetry)
		if next := r.dev.keepAlive(context.Background()); next != keepAliveEvery {
			t.Errorf("next check in %v after the retry, want %v", next, keepAliveEvery)
		}
		if r.idp.Refreshes() == 0 {
			t.Error("no refresh after the provider came back")
		}
	})
}

// TestKeepAliveClockSetLate: a board without a clock starts at 1970 and is
// signed in; NTP sets the clock much later. The keep-alive never sleeps
// more than keepAliveWake, so it sees the new time at its next wake and
// refreshes the sign-in then, not after the days (or decades) its old
// timer, on the monotonic clock, would have run.
func TestKeepAliveClockSetLate(t *testing.T) {
	t.Parallel()
	clock := &fakeClock{t: time.Unix(0, 0).UTC()}
	r := newRig(t, rigOptions{now: clock.Now, idp: idptest.Options{IgnoreInterval: true}})
	r.signedIn(testUPN)

	sleeps := make(chan time.Duration)
	wake := make(chan struct{})
	sleep := func(ctx context.Context, d time.Duration) error {
		select {
		case sleeps <- d:
		case <-ctx.Done():
			return ctx.Err()
		}
		select {
		case <-wake:
			return nil
		case <-ctx.Done():
			return ctx.Err()
		}
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() {
		defer close(done)
		r.dev.runKeepAlive(ctx, sleep)
	}()
	defer func() { cancel(); <-done }()
	next := func() time.Duration {
		select {
		case d := <-sleeps:
			return d
		case <-time.After(30 * time.Second):
			t.Fatal("the keep-alive did not go to sleep")
			return 0
		}
	}

	if d := next(); d > keepAliveWake {
		t.Fatalf("the keep-alive sleeps %v at once, want at most %v", d, keepAliveWake)
	}
	if n := r.idp.Refreshes(); n != 0 {
		t.Fatalf("%d refreshes right after signing in", n)
	}
	clock.Set(time.Now()) // NTP
	wake <- struct{}{}
	if d := next(); d > keepAliveWake {
		t.Fatalf("after the refresh the keep-alive sleeps %v, want at most %v", d, keepAliveWake)
	}
	if n := r.idp.Refreshes(); n != 1 {
		t.Fatalf("%d refreshes after the clock was set, want 1", n)
	}
	acct, _, _ := r.store.Account()
	if acct.LastRefresh.Year() < 2000 {
		t.Errorf("last refresh %v, want the time NTP set", acct.LastRefresh)
	}
}
