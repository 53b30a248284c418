package board

import (
	"bytes"
	"context"
	"errors"
	"log/slog"
	"strings"
	"sync"
	"testing"
	"time"
)

// wdDev is a watchdog device that records what is written to it.
type wdDev struct {
	mu  sync.Mutex
	out []byte
}

func (d *wdDev) Write(p []byte) (int, error) {
	d.mu.Lock()
	defer d.mu.Unlock()
	d.out = append(d.out, p...)
	return len(p), nil
}

func (d *wdDev) written() string {
	d.mu.Lock()
	defer d.mu.Unlock()
	return string(d.out)
}

type logBuf struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (l *logBuf) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.Write(p)
}

func (l *logBuf) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.String()
}

type wdRig struct {
	dev  *wdDev
	log  *logBuf
	tick chan time.Time
	stop context.CancelFunc
	done chan error
}

// startWatchdog runs a Watchdog on a recording device, its ticks sent by
// the test: the tick channel is unbuffered, so once a tick is taken the
// previous one has been handled in full.
func startWatchdog(alive func(context.Context) error) *wdRig {
	r := &wdRig{dev: &wdDev{}, log: &logBuf{}, tick: make(chan time.Time), done: make(chan error, 1)}
	w := &Watchdog{Dev: r.dev, Every: time.Millisecond, Alive: alive, tick: r.tick,
		Log: slog.New(slog.NewTextHandler(r.log, nil))}
	ctx, cancel := context.WithCancel(context.Background())
	r.stop = cancel
	go func() { r.done <- w.Run(ctx) }()
	return r
}

func (r *wdRig) ticks(n int) {
	for range n {
		r.tick <- time.Time{}
	}
}

// TestWatchdogFeedsWhileAlive: every tick feeds while the daemon answers,
// and a clean stop ends with the magic close character, so a deliberate
// stop does not reboot the board.
func TestWatchdogFeedsWhileAlive(t *testing.T) {
	r := startWatchdog(func(context.Context) error { return nil })
	r.ticks(5)
	r.ticks(1) // the fifth tick has been handled
	r.stop()
	if err := <-r.done; err != nil {
		t.Fatalf("Run: %v", err)
	}
	got := r.dev.written()
	if want := strings.Repeat("\x00", 7) + "V"; got != want {
		t.Errorf("written %q, want %q (a feed at start, one per tick, the magic close)", got, want)
	}
}

// TestWatchdogStopsFeedingWhenHung: once Alive fails, no tick feeds any
// more, the stall is logged once, and the stop does not disarm the
// watchdog: the board reboots.
func TestWatchdogStopsFeedingWhenHung(t *testing.T) {
	hung := errors.New("the outbox loop does not answer")
	r := startWatchdog(func(context.Context) error { return hung })
	// Ticks may feed until the verdict is in and logged; then none does.
	for i := 0; !strings.Contains(r.log.String(), "no longer feeding the watchdog"); i++ {
		if i == 100000 {
			t.Fatal("the stall is never logged")
		}
		r.ticks(1)
	}
	before := len(r.dev.written())
	r.ticks(10)
	r.stop()
	err := <-r.done
	if !errors.Is(err, hung) {
		t.Errorf("Run: %v, want the stall", err)
	}
	got := r.dev.written()
	if len(got) != before || strings.Contains(got, "V") {
		t.Errorf("written %q after the stall (%d bytes before it), want nothing more and no magic close", got, before)
	}
	if n := strings.Count(r.log.String(), "no longer feeding the watchdog"); n != 1 {
		t.Errorf("stall logged %d times, want once:\n%s", n, r.log.String())
	}
}

// TestWatchdogAliveBounded: Alive is called with a deadline (Stall), so a
// loop that never answers ends in a failure, not a check that hangs while
// the feeding goes on.
func TestWatchdogAliveBounded(t *testing.T) {
	r := startWatchdog(func(ctx context.Context) error {
		if _, ok := ctx.Deadline(); !ok {
			return errors.New("no deadline")
		}
		return nil
	})
	r.ticks(3)
	r.stop()
	if err := <-r.done; err != nil {
		t.Fatalf("Run: %v", err)
	}
}
