package board

import (
	"context"
	"time"

	"github.com/jonboulle/clockwork"
	"periph.io/x/conn/v3/gpio"
)

// Status is what the status LED tells someone standing at the printer.
type Status int

const (
	StatusOff       Status = iota
	StatusReady            // steady on
	StatusWorking          // slow blink
	StatusAttention        // fast blink: someone must act
)

var statusPatterns = map[Status]pattern{
	StatusOff:       {steps: []step{{gpio.Low, 0}}},
	StatusReady:     {steps: []step{{gpio.High, 0}}},
	StatusWorking:   {steps: []step{{gpio.High, 500 * time.Millisecond}, {gpio.Low, 500 * time.Millisecond}}, repeat: true},
	StatusAttention: {steps: []step{{gpio.High, 100 * time.Millisecond}, {gpio.Low, 100 * time.Millisecond}}, repeat: true},
}

// LED is the status LED on a GPIO output, High lit.
type LED struct {
	pin   gpio.PinOut
	clock clockwork.Clock
	req   chan pattern
}

// NewLED drives pin; a nil clock is the real one.
func NewLED(pin gpio.PinOut, clock clockwork.Clock) *LED {
	if clock == nil {
		clock = clockwork.NewRealClock()
	}
	return &LED{pin: pin, clock: clock, req: make(chan pattern, 1)}
}

// Set shows s from now on; it never blocks.
func (l *LED) Set(s Status) { offer(l.req, statusPatterns[s]) }

// Run drives the LED until ctx is done and leaves it off.
func (l *LED) Run(ctx context.Context) error { return play(ctx, l.pin, l.clock, l.req) }
