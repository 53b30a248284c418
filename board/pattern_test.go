package board

import (
	"context"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/jonboulle/clockwork"
	"periph.io/x/conn/v3/gpio"
	"periph.io/x/conn/v3/gpio/gpiotest"
)

type change struct {
	at time.Duration
	l  gpio.Level
}

// recPin is a gpiotest pin that also keeps every level written, stamped with
// the fake clock, since gpiotest keeps only the last one.
type recPin struct {
	gpiotest.Pin
	clock *clockwork.FakeClock
	start time.Time
	mu    sync.Mutex
	log   []change
}

func newRecPin(clock *clockwork.FakeClock) *recPin {
	return &recPin{clock: clock, start: clock.Now()}
}

func (p *recPin) Out(l gpio.Level) error {
	p.mu.Lock()
	p.log = append(p.log, change{p.clock.Since(p.start), l})
	p.mu.Unlock()
	return p.Pin.Out(l)
}

func (p *recPin) changes() []change {
	p.mu.Lock()
	defer p.mu.Unlock()
	return slices.Clone(p.log)
}

// waitChanges waits until the player has written n levels.
func (p *recPin) waitChanges(n int) {
	for len(p.changes()) < n {
		time.Sleep(time.Millisecond)
	}
}

// advance moves the fake clock by d once the player waits on its timer.
func advance(t *testing.T, clock *clockwork.FakeClock, d time.Duration) {
	t.Helper()
	if err := clock.BlockUntilContext(t.Context(), 1); err != nil {
		t.Fatal(err)
	}
	clock.Advance(d)
}

const ms = time.Millisecond

func TestLED(t *testing.T) {
	clock := clockwork.NewFakeClock()
	pin := newRecPin(clock)
	led := NewLED(pin, clock)
	ctx, cancel := context.WithCancel(t.Context())
	done := make(chan error, 1)
	go func() { done <- led.Run(ctx) }()

	led.Set(StatusWorking)
	for range 3 {
		advance(t, clock, 500*ms)
	}
	pin.waitChanges(5)
	led.Set(StatusAttention)
	pin.waitChanges(6)
	for range 2 {
		advance(t, clock, 100*ms)
	}
	pin.waitChanges(8)
	led.Set(StatusReady)
	pin.waitChanges(9)
	clock.Advance(time.Hour) // steady: nothing more
	cancel()
	if err := <-done; err != nil {
		t.Fatal(err)
	}
	want := []change{
		{0, gpio.Low},                                                                       // Run starts dark
		{0, gpio.High}, {500 * ms, gpio.Low}, {1000 * ms, gpio.High}, {1500 * ms, gpio.Low}, // working
		{1500 * ms, gpio.High}, {1600 * ms, gpio.Low}, {1700 * ms, gpio.High}, // attention
		{1700 * ms, gpio.High},          // ready
		{1700*ms + time.Hour, gpio.Low}, // stopped
	}
	if got := pin.changes(); !slices.Equal(got, want) {
		t.Errorf("LED\n got %v\nwant %v", got, want)
	}
}

func TestBuzzer(t *testing.T) {
	clock := clockwork.NewFakeClock()
	pin := newRecPin(clock)
	bz := NewBuzzer(pin, clock)
	ctx, cancel := context.WithCancel(t.Context())
	done := make(chan error, 1)
	go func() { done <- bz.Run(ctx) }()

	bz.Beep()
	advance(t, clock, 40*ms)
	pin.waitChanges(3)
	clock.Advance(time.Second)
	bz.Error()
	for _, d := range []time.Duration{150, 100, 150, 100, 400} {
		advance(t, clock, d*ms)
	}
	pin.waitChanges(9)
	cancel()
	if err := <-done; err != nil {
		t.Fatal(err)
	}
	at := 1040 * ms
	want := []change{
		{0, gpio.Low},
		{0, gpio.High}, {40 * ms, gpio.Low}, // beep
		{at, gpio.High}, {at + 150*ms, gpio.Low}, {at + 250*ms, gpio.High}, {at + 400*ms, gpio.Low},
		{at + 500*ms, gpio.High}, {at + 900*ms, gpio.Low}, // error, then silent
		{at + 900*ms, gpio.Low}, // stopped
	}
	if got := pin.changes(); !slices.Equal(got, want) {
		t.Errorf("buzzer\n got %v\nwant %v", got, want)
	}
}
