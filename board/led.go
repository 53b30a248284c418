package board

import (
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
// Run drives it until ctx is done and leaves it off.
type LED struct{ player }

// NewLED drives pin; a nil clock is the real one.
func NewLED(pin gpio.PinOut, clock clockwork.Clock) *LED {
	return &LED{newPlayer(pin, clock)}
}

// Set shows s from now on; it never blocks.
func (l *LED) Set(s Status) { offer(l.req, statusPatterns[s]) }
