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

// keypad is a diode-less key matrix. gpiotest pins hold one level each and
// cannot couple a column's level to the row being driven, so the rows and
// columns here are gpiotest pins whose Out, In and Read go through the
// switches: a column reads Low when a path of pressed keys joins it to a row
// driven Low, as copper does, ghosts included.
type keypad struct {
	mu      sync.Mutex
	pressed [][]bool
	driven  []bool // row driven Low
}

type keypadRow struct {
	*gpiotest.Pin
	k *keypad
	r int
}

func (p *keypadRow) Out(l gpio.Level) error {
	p.k.mu.Lock()
	defer p.k.mu.Unlock()
	p.k.driven[p.r] = l == gpio.Low
	return p.Pin.Out(l)
}

func (p *keypadRow) In(pull gpio.Pull, edge gpio.Edge) error {
	p.k.mu.Lock()
	defer p.k.mu.Unlock()
	p.k.driven[p.r] = false
	return p.Pin.In(pull, edge)
}

type keypadCol struct {
	*gpiotest.Pin
	k *keypad
	c int
}

func (p *keypadCol) Read() gpio.Level {
	p.k.mu.Lock()
	defer p.k.mu.Unlock()
	seenR, seenC := make([]bool, len(p.k.driven)), make([]bool, len(p.k.pressed[0]))
	var walk func(c int) bool
	walk = func(c int) bool {
		seenC[c] = true
		for r := range p.k.pressed {
			if !p.k.pressed[r][c] || seenR[r] {
				continue
			}
			seenR[r] = true
			if p.k.driven[r] {
				return true
			}
			for c2 := range p.k.pressed[r] {
				if p.k.pressed[r][c2] && !seenC[c2] && walk(c2) {
					return true
				}
			}
		}
		return false
	}
	if walk(p.c) {
		return gpio.Low
	}
	return gpio.High
}

func (k *keypad) set(r, c int, down bool) {
	k.mu.Lock()
	defer k.mu.Unlock()
	k.pressed[r][c] = down
}

var phoneKeys = [][]Key{
	{Key1, Key2, Key3},
	{Key4, Key5, Key6},
	{Key7, Key8, Key9},
	{KeyStar, Key0, KeyHash},
}

func newKeypad(t *testing.T, clock clockwork.Clock) (*keypad, *Matrix) {
	t.Helper()
	k := &keypad{pressed: grid[bool](4, 3), driven: make([]bool, 4)}
	var rows, cols []gpio.PinIO
	for r := range 4 {
		rows = append(rows, &keypadRow{&gpiotest.Pin{N: "row"}, k, r})
	}
	for c := range 3 {
		cols = append(cols, &keypadCol{&gpiotest.Pin{N: "col"}, k, c})
	}
	m, err := NewMatrix(rows, cols, MatrixConfig{Keys: phoneKeys, Stable: 3, Clock: clock})
	if err != nil {
		t.Fatal(err)
	}
	return k, m
}

func TestMatrix(t *testing.T) {
	type rc struct{ r, c int }
	tests := []struct {
		name  string
		steps [][]rc // keys held during each scan
		want  []Key
	}{
		{"one key", [][]rc{{{1, 2}}, {{1, 2}}, {{1, 2}}}, []Key{Key6}},
		{"held is one press", [][]rc{{{3, 0}}, {{3, 0}}, {{3, 0}}, {{3, 0}}, {{3, 0}}, {{3, 0}}}, []Key{KeyStar}},
		{"bounce shorter than stable", [][]rc{{{0, 0}}, {{0, 0}}, {}, {{0, 0}}, {}, {}}, nil},
		{"press, release, press", [][]rc{{{2, 1}}, {{2, 1}}, {{2, 1}}, {}, {}, {}, {{2, 1}}, {{2, 1}}, {{2, 1}}}, []Key{Key8, Key8}},
		{"two at once", [][]rc{{{0, 1}, {3, 2}}, {{0, 1}, {3, 2}}, {{0, 1}, {3, 2}}}, []Key{Key2, KeyHash}},
		{"two in one column", [][]rc{{{0, 1}, {2, 1}}, {{0, 1}, {2, 1}}, {{0, 1}, {2, 1}}}, []Key{Key2, Key8}},
		{"three on a rectangle are a ghost", [][]rc{
			{{0, 0}, {0, 1}, {1, 0}}, {{0, 0}, {0, 1}, {1, 0}}, {{0, 0}, {0, 1}, {1, 0}}, {{0, 0}, {0, 1}, {1, 0}}}, nil},
		{"three not on a rectangle", [][]rc{
			{{0, 0}, {1, 1}, {2, 2}}, {{0, 0}, {1, 1}, {2, 2}}, {{0, 0}, {1, 1}, {2, 2}}}, []Key{Key1, Key5, Key9}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			k, m := newKeypad(t, nil)
			var got []Key
			for _, held := range tt.steps {
				k.pressed = grid[bool](4, 3)
				for _, p := range held {
					k.set(p.r, p.c, true)
				}
				if err := m.step(func(key Key) { got = append(got, key) }); err != nil {
					t.Fatal(err)
				}
			}
			slices.Sort(got)
			if !slices.Equal(got, tt.want) {
				t.Errorf("keys %v, want %v", got, tt.want)
			}
		})
	}
}

// TestMatrixRun scans on the ticks of an injected clock.
func TestMatrixRun(t *testing.T) {
	clock := clockwork.NewFakeClock()
	k, m := newKeypad(t, clock)
	ctx, cancel := context.WithCancel(t.Context())
	keys := make(chan Key, 1)
	done := make(chan error, 1)
	go func() { done <- m.Run(ctx, func(key Key) { keys <- key }) }()
	k.set(2, 0, true)
	var got Key
	for got == KeyNone {
		if err := clock.BlockUntilContext(ctx, 1); err != nil {
			t.Fatal(err)
		}
		clock.Advance(10 * time.Millisecond)
		select {
		case got = <-keys:
		default:
			time.Sleep(time.Millisecond) // let the scan run; the fake clock is what counts
		}
	}
	cancel()
	if err := <-done; err != nil {
		t.Fatal(err)
	}
	if got != Key7 {
		t.Errorf("key %v, want 7", got)
	}
}
