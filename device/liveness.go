package device

import (
	"context"
	"fmt"
	"time"
)

// A ping asks a background loop to prove it is not stuck: the loop
// answers the channel it is sent while it waits, or between two steps of
// its work. A loop that deadlocks or blocks forever never answers, so
// Alive fails and the board's watchdog stops being fed. Asking needs no
// clock: a loop that sleeps for an hour still answers at once.
type ping chan chan<- struct{}

// loopPings are the pings of the device's long-lived loops.
type loopPings struct {
	outbox, prune, keepAlive ping
}

func newLoopPings() loopPings {
	return loopPings{outbox: make(ping), prune: make(ping), keepAlive: make(ping)}
}

// Alive asks each background loop (outbox, pruning, keep-alive) to answer
// and returns nil once all have. It fails with the name of the first loop
// that has not answered when ctx ends, or with ErrClosed after Close. A
// loop answers between two jobs, not during one, so ctx should allow for
// the longest step (a delivery bounded by its SMTP timeouts).
func (d *Device) Alive(ctx context.Context) error {
	for _, l := range []struct {
		name string
		p    ping
	}{{"outbox", d.pings.outbox}, {"prune", d.pings.prune}, {"keep-alive", d.pings.keepAlive}} {
		if err := d.ask(ctx, l.p); err != nil {
			return fmt.Errorf("the %s loop does not answer: %w", l.name, err)
		}
	}
	return nil
}

func (d *Device) ask(ctx context.Context, p ping) error {
	reply := make(chan struct{}, 1)
	select {
	case p <- reply:
	case <-d.ctx.Done():
		return ErrClosed
	case <-ctx.Done():
		return ctx.Err()
	}
	select {
	case <-reply:
		return nil
	case <-d.ctx.Done():
		return ErrClosed
	case <-ctx.Done():
		return ctx.Err()
	}
}

// answer answers a pending ping, if any, without waiting.
func (p ping) answer() {
	select {
	case r := <-p:
		r <- struct{}{}
	default:
	}
}

// wait waits for tick or kick (either may be nil), answering pings
// meanwhile; it reports false when ctx ended.
func (p ping) wait(ctx context.Context, tick <-chan time.Time, kick <-chan struct{}) bool {
	for {
		select {
		case <-ctx.Done():
			return false
		case r := <-p:
			r <- struct{}{}
		case <-kick:
			return true
		case <-tick:
			return true
		}
	}
}

// sleep is sleepCtx answering pings.
func (p ping) sleep(ctx context.Context, d time.Duration) error {
	t := time.NewTimer(d)
	defer t.Stop()
	if !p.wait(ctx, t.C, nil) {
		return ctx.Err()
	}
	return nil
}
