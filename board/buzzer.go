package board

import (
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
// Run drives it until ctx is done and leaves it silent.
type Buzzer struct{ player }

// NewBuzzer drives pin; a nil clock is the real one.
func NewBuzzer(pin gpio.PinOut, clock clockwork.Clock) *Buzzer {
	return &Buzzer{newPlayer(pin, clock)}
}

// Beep is the short click of a key press; it never blocks.
func (b *Buzzer) Beep() { offer(b.req, beepPattern) }

// Error sounds the error pattern; it never blocks.
func (b *Buzzer) Error() { offer(b.req, errorPattern) }
