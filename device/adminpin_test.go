package device

import (
	"context"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"log/slog"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"scanmail/device/apitype"
	"scanmail/scan/scansim"
)

// pinRig is a device on a state file that the test reopens, with a clock
// it moves and a log it reads.
type pinRig struct {
	t     *testing.T
	path  string
	clock *fakeClock
	log   *syncBuffer
	st    *Store
	dev   *Device
}

func newPINRig(t *testing.T) *pinRig {
	r := &pinRig{t: t, path: filepath.Join(t.TempDir(), "scanmail.db"), clock: &fakeClock{t: time.Date(2026, 12, 3, 9, 0, 0, 0, time.UTC)}, log: &syncBuffer{}}
	r.open()
	t.Cleanup(r.close)
	return r
}

func (r *pinRig) open() {
	r.t.Helper()
	st, err := OpenStore(r.path)
	if err != nil {
		r.t.Fatal(err)
	}
	dev, err := New(Config{Store: st, Scanner: &scansim.Scanner{}, SpoolDir: filepath.Join(filepath.Dir(r.path), "spool"), Now: r.clock.Now,
		Logger: slog.New(slog.NewTextHandler(r.log, &slog.HandlerOptions{Level: slog.LevelDebug}))})
	if err != nil {
		r.t.Fatal(err)
	}
	r.st, r.dev = st, dev
}

func (r *pinRig) close() {
	if r.dev != nil {
		r.dev.Close()
		r.st.Close()
		r.dev, r.st = nil, nil
	}
}

func (r *pinRig) reopen() {
	r.close()
	r.open()
}

// TestPINFormats: a PIN is 4 to 12 ASCII digits; anything else is
// refused with words, and nothing is set.
func TestPINFormats(t *testing.T) {
	r := newPINRig(t)
	ctx := context.Background()
	for _, tc := range []struct {
		pin string
		ok  bool
	}{
		{"", false},
		{"123", false},
		{"1234567890123", false},
		{"12a4", false},
		{" 1234", false},
		{"1234\n", false},
		{"١٢٣٤", false}, // Arabic-Indic digits: not on the keypad
		{"+1234", false},
		{"1234", true},
		{"123456789012", true},
	} {
		_, err := r.dev.SetPIN(ctx, "", tc.pin)
		if tc.ok {
			if err != nil {
				t.Errorf("%q refused: %v", tc.pin, err)
			}
			// Cleared again, so that the next needs no old PIN.
			if _, err := r.dev.ResetPIN(ctx); err != nil {
				t.Fatal(err)
			}
			continue
		}
		summary, hint := Explain(err)
		if CodeOf(err) != apitype.CodeInvalidRequest || !strings.Contains(summary, "4 to 12 digits") || hint == "" {
			t.Errorf("%q: %v (%s), want it refused as invalid-request with words", tc.pin, err, CodeOf(err))
		}
		if st, _ := r.dev.PIN(); st.Set {
			t.Errorf("%q refused, yet a PIN is set", tc.pin)
		}
	}
}

// TestPINWait: the back-off of wrong PINs, from none to its most.
func TestPINWait(t *testing.T) {
	for _, tc := range []struct {
		failures int
		want     time.Duration
	}{
		{0, 0}, {1, 0}, {2, 0},
		{3, 30 * time.Second}, {4, time.Minute}, {5, 2 * time.Minute}, {7, 8 * time.Minute},
		{8, 15 * time.Minute}, {9, 15 * time.Minute}, {1 << 30, 15 * time.Minute},
	} {
		if got := backOff(tc.failures); got != tc.want {
			t.Errorf("backOff(%d) = %v, want %v", tc.failures, got, tc.want)
		}
	}
}

// TestPINBackOff: checks and changes of the PIN, step by step on a
// clock the test moves: three wrong PINs are taken at once, then each try
// waits (the right PIN too), longer after each wrong one; the count and
// the time survive a restart; a clock set back does not lock the PIN for
// longer than the wait; the right PIN clears the count.
func TestPINBackOff(t *testing.T) {
	r := newPINRig(t)
	ctx := context.Background()
	const pin, other = "246810", "135790"
	type step struct {
		name     string
		before   func()
		do       func() (apitype.PINState, error)
		code     apitype.ErrorCode
		wait     time.Duration // RetryAt - now, on the error and the state after
		fails    int           // the state's failures after
		pinIsSet bool
	}
	check := func(p string) func() (apitype.PINState, error) {
		return func() (apitype.PINState, error) { return r.dev.CheckPIN(ctx, p) }
	}
	set := func(old, p string) func() (apitype.PINState, error) {
		return func() (apitype.PINState, error) { return r.dev.SetPIN(ctx, old, p) }
	}
	advance := func(d time.Duration) func() { return func() { r.clock.Add(d) } }
	steps := []step{
		{name: "check before any PIN", do: check(pin), code: apitype.CodePINNotSet},
		{name: "the first admin sets it", do: set("", pin), pinIsSet: true},
		{name: "set again without the old one", do: set("", other), code: apitype.CodePINWrong, fails: 1, pinIsSet: true},
		{name: "right", do: check(pin), pinIsSet: true},
		{name: "wrong 1", do: check(other), code: apitype.CodePINWrong, fails: 1, pinIsSet: true},
		{name: "wrong 2, of another form", do: check("12"), code: apitype.CodePINWrong, fails: 2, pinIsSet: true},
		{name: "wrong 3: the next waits", do: check(other), code: apitype.CodePINWrong, fails: 3, wait: 30 * time.Second, pinIsSet: true},
		{name: "right, too soon", before: advance(29 * time.Second), do: check(pin), code: apitype.CodePINLocked, fails: 3, wait: time.Second, pinIsSet: true},
		{name: "a change, too soon", do: set(pin, other), code: apitype.CodePINLocked, fails: 3, wait: time.Second, pinIsSet: true},
		{name: "wrong 4 after the wait", before: advance(time.Second), do: check(other), code: apitype.CodePINWrong, fails: 4, wait: time.Minute, pinIsSet: true},
		{name: "after a restart, still held back", before: r.reopen, do: check(pin), code: apitype.CodePINLocked, fails: 4, wait: time.Minute, pinIsSet: true},
		{name: "wrong 5", before: advance(time.Minute), do: check(other), code: apitype.CodePINWrong, fails: 5, wait: 2 * time.Minute, pinIsSet: true},
		// The clock goes back a year: the wait is counted from now.
		{name: "clock set back", before: advance(-365 * 24 * time.Hour), do: check(pin), code: apitype.CodePINLocked, fails: 5, wait: 2 * time.Minute, pinIsSet: true},
		{name: "clock set back, later", before: advance(time.Minute), do: check(pin), code: apitype.CodePINLocked, fails: 5, wait: time.Minute, pinIsSet: true},
		{name: "right after the wait: the count is cleared", before: advance(time.Minute), do: check(pin), pinIsSet: true},
		{name: "wrong again counts from 1", do: check(other), code: apitype.CodePINWrong, fails: 1, pinIsSet: true},
		{name: "change with the old PIN", do: set(pin, other), pinIsSet: true},
		{name: "the old PIN is wrong now", do: check(pin), code: apitype.CodePINWrong, fails: 1, pinIsSet: true},
		{name: "the new one is right", do: check(other), pinIsSet: true},
		{name: "a bad new PIN", do: set(other, "12345678901234"), code: apitype.CodeInvalidRequest, pinIsSet: true},
		{name: "reset at the board", do: func() (apitype.PINState, error) { return r.dev.ResetPIN(ctx) }},
		{name: "after the reset, set without the old one", do: set("", pin), pinIsSet: true},
	}
	for _, s := range steps {
		if s.before != nil {
			s.before()
		}
		now := r.clock.Now()
		_, err := s.do()
		if got := CodeOf(err); got != s.code {
			t.Fatalf("%s: %v (code %q), want code %q", s.name, err, got, s.code)
		}
		var wantAt time.Time
		if s.wait != 0 {
			wantAt = now.Add(s.wait)
		}
		if s.code == apitype.CodePINLocked || s.code == apitype.CodePINWrong {
			if got := Describe(err).RetryAt; !got.Equal(wantAt) {
				t.Errorf("%s: the error's RetryAt is %v after now, want %v", s.name, got.Sub(now), s.wait)
			}
		}
		st, err := r.dev.PIN()
		if err != nil {
			t.Fatal(err)
		}
		if st.Set != s.pinIsSet || st.Failures != s.fails || !st.RetryAt.Equal(wantAt) {
			t.Errorf("%s: state %+v, want set %v, %d failures, retry %v after now", s.name, st, s.pinIsSet, s.fails, s.wait)
		}
	}
	// Nothing of the PINs or their hash is in the log, or in the export.
	rec, err := r.st.secret(keyPIN)
	if err != nil || rec.Hash == nil {
		t.Fatalf("stored PIN: %+v %v", rec, err)
	}
	exp, err := r.dev.ExportConfig()
	if err != nil {
		t.Fatal(err)
	}
	export, _ := json.Marshal(exp)
	for _, place := range []struct{ name, text string }{{"log", r.log.String()}, {"export", string(export)}} {
		for _, secret := range []string{pin, other, base64.StdEncoding.EncodeToString(rec.Hash.Key), base64.RawStdEncoding.EncodeToString(rec.Hash.Key), hex.EncodeToString(rec.Hash.Key), base64.StdEncoding.EncodeToString(rec.Hash.Salt)} {
			if strings.Contains(place.text, secret) {
				t.Errorf("the %s holds a PIN or its hash (%s)", place.name, secret)
			}
		}
	}
	if !strings.Contains(r.log.String(), "wrong admin PIN") || !strings.Contains(r.log.String(), "admin PIN reset") {
		t.Errorf("the log does not say what happened:\n%s", r.log.String())
	}
}

// TestPINOneHashAtATime: a burst of tries hashes one at a time, so that
// they cannot take the board's memory; each is answered.
func TestPINOneHashAtATime(t *testing.T) {
	r := newPINRig(t)
	ctx := context.Background()
	const pin = "4711"
	if _, err := r.dev.SetPIN(ctx, "", pin); err != nil {
		t.Fatal(err)
	}
	var running, most atomic.Int32
	derive := r.dev.hashes.derive
	r.dev.hashes.derive = func(h *secretHash, p string) (bool, error) {
		n := running.Add(1)
		defer running.Add(-1)
		for {
			m := most.Load()
			if n <= m || most.CompareAndSwap(m, n) {
				break
			}
		}
		return derive(h, p)
	}
	var wg sync.WaitGroup
	errs := make(chan error, 8)
	for range 8 {
		wg.Go(func() {
			_, err := r.dev.CheckPIN(ctx, pin)
			errs <- err
		})
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		if err != nil {
			t.Error(err)
		}
	}
	if m := most.Load(); m != 1 {
		t.Errorf("%d hashes at once, want 1", m)
	}
}

// TestPINCheckCanceled: a try waiting for another's hash gives up with
// its caller.
func TestPINCheckCanceled(t *testing.T) {
	r := newPINRig(t)
	unlock, err := r.dev.hashes.lock(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	defer unlock()
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if _, err := r.dev.CheckPIN(ctx, "1234"); err != context.Canceled {
		t.Errorf("%v, want context.Canceled", err)
	}
}
