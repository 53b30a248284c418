package board

import (
	"context"
	"fmt"
	"time"

	"github.com/jonboulle/clockwork"
	"periph.io/x/conn/v3/gpio"
)

// MatrixConfig describes a keypad matrix.
type MatrixConfig struct {
	Keys     [][]Key         // Keys[row][col]; KeyNone where nothing is fitted
	Stable   int             // scans a key must read the same before it counts; default 3
	Interval time.Duration   // time between scans; default 10ms
	Clock    clockwork.Clock // nil is the real clock; tests inject a fake one
}

// Matrix scans a keypad matrix on any GPIO pins, on the SoC or behind an I/O
// expander (pcf857x, mcp23xxx). Rows are driven Low one at a time and columns
// read with pull-ups; for a keypad wired the other way round, pass the pins
// swapped and Keys transposed.
type Matrix struct {
	rows, cols []gpio.PinIO
	cfg        MatrixConfig

	last  [][]bool // raw level of the previous scan
	count [][]int  // scans in a row that read last
	down  [][]bool // state reported
}

// NewMatrix releases every row (input with pull-up, so two keys in one column
// never short two driven rows) and sets the columns as inputs with pull-ups.
func NewMatrix(rows, cols []gpio.PinIO, cfg MatrixConfig) (*Matrix, error) {
	if len(cfg.Keys) != len(rows) {
		return nil, fmt.Errorf("board: keypad has %d rows of keys for %d row pins", len(cfg.Keys), len(rows))
	}
	for r, ks := range cfg.Keys {
		if len(ks) != len(cols) {
			return nil, fmt.Errorf("board: keypad row %d has %d keys for %d column pins", r, len(ks), len(cols))
		}
	}
	if cfg.Stable <= 0 {
		cfg.Stable = 3
	}
	if cfg.Interval <= 0 {
		cfg.Interval = 10 * time.Millisecond
	}
	if cfg.Clock == nil {
		cfg.Clock = clockwork.NewRealClock()
	}
	for _, p := range append(append([]gpio.PinIO(nil), rows...), cols...) {
		if err := p.In(gpio.PullUp, gpio.NoEdge); err != nil {
			return nil, fmt.Errorf("board: keypad pin %s: %w", p, err)
		}
	}
	m := &Matrix{rows: rows, cols: cols, cfg: cfg}
	m.last, m.down = grid[bool](len(rows), len(cols)), grid[bool](len(rows), len(cols))
	m.count = grid[int](len(rows), len(cols))
	return m, nil
}

func grid[T any](rows, cols int) [][]T {
	g := make([][]T, rows)
	for r := range g {
		g[r] = make([]T, cols)
	}
	return g
}

// Run implements Source: it scans every Interval of the configured clock.
func (m *Matrix) Run(ctx context.Context, emit func(Key)) error {
	t := m.cfg.Clock.NewTicker(m.cfg.Interval)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return nil
		case <-t.Chan():
			if err := m.step(emit); err != nil {
				return err
			}
		}
	}
}

// step scans once and reports the keys that have just become stably pressed.
func (m *Matrix) step(emit func(Key)) error {
	raw, err := m.scan()
	if err != nil {
		return err
	}
	if ghosted(raw) {
		// Without diodes, three keys on the corners of a rectangle make the
		// fourth read pressed too; which three is unknowable, so the scan
		// says nothing.
		return nil
	}
	for r := range raw {
		for c, now := range raw[r] {
			if now != m.last[r][c] {
				m.last[r][c], m.count[r][c] = now, 0
			}
			m.count[r][c]++
			if m.count[r][c] >= m.cfg.Stable && now != m.down[r][c] {
				m.down[r][c] = now
				if now && m.cfg.Keys[r][c] != KeyNone {
					emit(m.cfg.Keys[r][c])
				}
			}
		}
	}
	return nil
}

func (m *Matrix) scan() ([][]bool, error) {
	raw := grid[bool](len(m.rows), len(m.cols))
	for r, row := range m.rows {
		if err := row.Out(gpio.Low); err != nil {
			return nil, fmt.Errorf("board: keypad row %s: %w", row, err)
		}
		for c, col := range m.cols {
			raw[r][c] = col.Read() == gpio.Low
		}
		if err := row.In(gpio.PullUp, gpio.NoEdge); err != nil {
			return nil, fmt.Errorf("board: keypad row %s: %w", row, err)
		}
	}
	return raw, nil
}

// ghosted reports whether four pressed keys form a rectangle.
func ghosted(raw [][]bool) bool {
	for r1 := range raw {
		for r2 := r1 + 1; r2 < len(raw); r2++ {
			n := 0
			for c := range raw[r1] {
				if raw[r1][c] && raw[r2][c] {
					n++
				}
			}
			if n >= 2 {
				return true
			}
		}
	}
	return false
}
