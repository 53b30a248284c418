package board

import (
	"context"
	"time"

	"github.com/jonboulle/clockwork"
	"periph.io/x/conn/v3/gpio"
)

var (
	beepPattern  = pattern{steps: []step{{gpio.High, 40 * time.Millisecond}}}
	errorPattern = pattern{steps: []step{
		{gpio.High, 150 * time.Millisecond}, {gpio.Low, 100 * time.Millisecond},
		{gpio.High, 150 * time.Millisecond}, {gpio.Low, 100 * time.Millisecond},
		{gpio.High, 400 * time.Millisecond},
	}}
)

// Buzzer is an active buzzer on a GPIO output, High sounding. On/off is
// enough for an active buzzer; a passive one would need PWM.
type Buzzer struct {
	pin   gpio.PinOut
	clock clockwork.Clock
	req   chan pattern
}

// NewBuzzer drives pin; a nil clock is the real one.
func NewBuzzer(pin gpio.PinOut, clock clockwork.Clock) *Buzzer {
	if clock == nil {
		clock = clockwork.NewRealClock()
	}
	return &Buzzer{pin: pin, clock: clock, req: make(chan pattern, 1)}
}

// Beep is the short click of a key press; it never blocks.
func (b *Buzzer) Beep() { offer(b.req, beepPattern) }

// Error sounds the error pattern; it never blocks.
func (b *Buzzer) Error() { offer(b.req, errorPattern) }

// Run drives the buzzer until ctx is done and leaves it silent.
func (b *Buzzer) Run(ctx context.Context) error { return play(ctx, b.pin, b.clock, b.req) }
