package board

import (
	"context"
	"fmt"
	"time"

	"github.com/jonboulle/clockwork"
	"periph.io/x/conn/v3/gpio"
)

// step holds a level for a time; zero holds it until the next pattern.
type step struct {
	level gpio.Level
	d     time.Duration
}

// pattern is what an LED or buzzer pin does; a pattern that does not repeat
// leaves the pin Low at its end.
type pattern struct {
	steps  []step
	repeat bool
}

// offer hands p to the player, replacing one it has not taken yet: only the
// latest wish matters, and the caller never waits on the hardware.
func offer(ch chan pattern, p pattern) {
	for {
		select {
		case ch <- p:
			return
		default:
			select {
			case <-ch:
			default:
			}
		}
	}
}

// play drives pin through the patterns received until ctx is done, and
// leaves it Low.
func play(ctx context.Context, pin gpio.PinOut, clock clockwork.Clock, req <-chan pattern) error {
	var (
		cur   pattern
		i     int
		timer clockwork.Timer
		tick  <-chan time.Time
	)
	stop := func() {
		if timer != nil {
			timer.Stop()
			timer, tick = nil, nil
		}
	}
	out := func(l gpio.Level) error {
		if err := pin.Out(l); err != nil {
			return fmt.Errorf("board: pin %s: %w", pin, err)
		}
		return nil
	}
	apply := func() error {
		stop()
		if i >= len(cur.steps) {
			return out(gpio.Low)
		}
		// The level first, then its timer: a step lasts from when it
		// shows, and whoever waits on the clock sees the level set.
		s := cur.steps[i]
		if err := out(s.level); err != nil {
			return err
		}
		if s.d > 0 {
			timer = clock.NewTimer(s.d)
			tick = timer.Chan()
		}
		return nil
	}
	if err := out(gpio.Low); err != nil {
		return err
	}
	for {
		var err error
		select {
		case <-ctx.Done():
			stop()
			return out(gpio.Low)
		case cur = <-req:
			i = 0
			err = apply()
		case <-tick:
			timer, tick = nil, nil
			i++
			if i >= len(cur.steps) && cur.repeat {
				i = 0
			}
			err = apply()
		}
		if err != nil {
			stop()
			return err
		}
	}
}

// player plays patterns on one output pin; the LED and the buzzer are
// players with their own patterns.
type player struct {
	pin   gpio.PinOut
	clock clockwork.Clock
	req   chan pattern
}

// newPlayer drives pin; a nil clock is the real one.
func newPlayer(pin gpio.PinOut, clock clockwork.Clock) player {
	if clock == nil {
		clock = clockwork.NewRealClock()
	}
	return player{pin: pin, clock: clock, req: make(chan pattern, 1)}
}

// Run drives the pin until ctx is done and leaves it Low.
func (p *player) Run(ctx context.Context) error { return play(ctx, p.pin, p.clock, p.req) }
