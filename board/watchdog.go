package board

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"time"
)

// DefaultStall is how long the daemon's loops may take to answer Alive
// before the daemon counts as hung. A loop answers between two steps of
// its work, and a step can be the delivery of a large job over a slow
// uplink (its SMTP timeouts bound each read and write, not the whole);
// a deadlock found within half an hour is still found.
const DefaultStall = 30 * time.Minute

// Watchdog feeds the board's hardware watchdog (/dev/watchdog) while the
// daemon is alive. Once Alive fails it stops feeding for good, so the
// kernel's watchdog reboots a hung board; Restart=always in the service
// unit covers a daemon that dies instead.
type Watchdog struct {
	// Dev is the opened watchdog device; each write feeds it.
	Dev io.Writer
	// Every is how often it is fed: well under the device's timeout
	// (a third of it is the usual choice).
	Every time.Duration
	// Stall bounds each call of Alive; zero means DefaultStall.
	Stall time.Duration
	// Alive reports whether the daemon's loops still answer
	// (device.Device.Alive).
	Alive func(context.Context) error
	// Log gets the one loud line when feeding stops.
	Log *slog.Logger

	// tick replaces the feeding ticker in tests.
	tick <-chan time.Time
}

// feed is what is written to feed the device: any byte but 'V', which
// would arm the magic close.
var feed = []byte{0}

// magicClose, written just before the device is closed, tells a driver
// with WDIOF_MAGICCLOSE that the stop is deliberate, so it disarms the
// watchdog instead of rebooting the board. Drivers without it disarm on
// close anyway (unless built with nowayout, when nothing can stop it and
// systemd's Restart=always brings the daemon back in time).
var magicClose = []byte("V")

// Run feeds the device until ctx ends, checking Alive every Every. When
// ctx ends while the daemon is alive it writes the magic close character;
// the caller then closes the device. After a stall it writes nothing
// more, so the board reboots when the device's timeout runs out.
func (w *Watchdog) Run(ctx context.Context) error {
	if w.Every <= 0 || w.Dev == nil || w.Alive == nil {
		return fmt.Errorf("board: watchdog needs Dev, Every and Alive")
	}
	log := w.Log
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	tick := w.tick
	if tick == nil {
		t := time.NewTicker(w.Every)
		defer t.Stop()
		tick = t.C
	}
	verdict := make(chan error, 1)
	checkCtx, stopCheck := context.WithCancel(ctx)
	defer stopCheck()
	go w.check(checkCtx, verdict)

	if _, err := w.Dev.Write(feed); err != nil {
		return fmt.Errorf("feeding the watchdog: %w", err)
	}
	for {
		select {
		case <-ctx.Done():
			if _, err := w.Dev.Write(magicClose); err != nil {
				return fmt.Errorf("disarming the watchdog: %w", err)
			}
			return nil
		case err := <-verdict:
			return w.stalled(ctx, log, tick, err)
		case <-tick:
			// A verdict that is in takes precedence over the tick.
			select {
			case err := <-verdict:
				return w.stalled(ctx, log, tick, err)
			default:
			}
			if _, err := w.Dev.Write(feed); err != nil {
				return fmt.Errorf("feeding the watchdog: %w", err)
			}
		}
	}
}

// stalled logs once that feeding stopped and waits for ctx, letting the
// ticks pass without feeding or disarming, so the board reboots.
func (w *Watchdog) stalled(ctx context.Context, log *slog.Logger, tick <-chan time.Time, err error) error {
	log.Error("the daemon is hung: no longer feeding the watchdog, the board will reboot", "err", err)
	for {
		select {
		case <-ctx.Done():
			return fmt.Errorf("daemon hung: %w", err)
		case <-tick:
		}
	}
}

// check asks Alive every Every and sends the first failure, if any, on
// verdict.
func (w *Watchdog) check(ctx context.Context, verdict chan<- error) {
	stall := w.Stall
	if stall <= 0 {
		stall = DefaultStall
	}
	for {
		actx, cancel := context.WithTimeout(ctx, stall)
		err := w.Alive(actx)
		cancel()
		if ctx.Err() != nil {
			return
		}
		if err != nil {
			verdict <- err
			return
		}
		t := time.NewTimer(w.Every)
		select {
		case <-ctx.Done():
			t.Stop()
			return
		case <-t.C:
		}
	}
}
