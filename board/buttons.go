package board

import (
	"context"
	"fmt"
	"sync"
	"time"

	"periph.io/x/conn/v3/gpio"
	"periph.io/x/conn/v3/gpio/gpioutil"
)

// Button is one key wired to its own GPIO input.
type Button struct {
	Pin gpio.PinIO
	Key Key
}

// ButtonConfig says how buttons are wired. The common wiring is a switch to
// ground with the pin's pull-up, so a press reads Low (ActiveHigh false).
type ButtonConfig struct {
	ActiveHigh bool
	Pull       gpio.Pull     // gpio.PullNoChange keeps the board's own resistors
	Denoise    time.Duration // level must settle this long after an edge; default 20ms
	Poll       time.Duration // how often a wait looks at ctx; default 200ms
}

// Buttons reads keys wired one per GPIO input.
type Buttons struct {
	keys    []Key
	pins    []gpio.PinIO
	active  gpio.Level
	denoise time.Duration
	poll    time.Duration
}

// NewButtons sets the pins up as debounced inputs with edge detection.
func NewButtons(buttons []Button, cfg ButtonConfig) (*Buttons, error) {
	b := &Buttons{active: gpio.Low, denoise: cfg.Denoise, poll: cfg.Poll}
	if cfg.ActiveHigh {
		b.active = gpio.High
	}
	if b.denoise <= 0 {
		b.denoise = 20 * time.Millisecond
	}
	if b.poll <= 0 {
		b.poll = 200 * time.Millisecond
	}
	for _, bt := range buttons {
		if err := bt.Pin.In(cfg.Pull, gpio.BothEdges); err != nil {
			return nil, fmt.Errorf("board: button %s on %s: %w", bt.Key, bt.Pin, err)
		}
		p, err := gpioutil.Debounce(bt.Pin, b.denoise, 0, gpio.BothEdges)
		if err != nil {
			return nil, fmt.Errorf("board: button %s on %s: %w", bt.Key, bt.Pin, err)
		}
		b.keys = append(b.keys, bt.Key)
		b.pins = append(b.pins, p)
	}
	return b, nil
}

// Run implements Source. Each button is waited on by its own goroutine; a
// press is reported once, when the contact settles, and not repeated while
// held.
func (b *Buttons) Run(ctx context.Context, emit func(Key)) error {
	var mu sync.Mutex // emit is called from one goroutine at a time
	var wg sync.WaitGroup
	for i, k := range b.keys {
		wg.Add(1)
		go func() {
			defer wg.Done()
			watch(ctx, b.pins[i], b.active, b.denoise, b.poll, func() {
				mu.Lock()
				defer mu.Unlock()
				emit(k)
			})
		}()
	}
	wg.Wait()
	return nil
}

// watch reports a press when the pin settles at the active level after having
// been released. The edges of a bouncing contact are swallowed by waiting
// until no edge comes for a whole denoise window before reading the level.
func watch(ctx context.Context, p gpio.PinIO, active gpio.Level, denoise, poll time.Duration, press func()) {
	held := p.Read() == active // a key held at start is not a press
	for ctx.Err() == nil {
		if !p.WaitForEdge(poll) {
			continue
		}
		for p.WaitForEdge(denoise) && ctx.Err() == nil {
		}
		now := p.Read() == active
		if now && !held {
			press()
		}
		held = now
	}
}
