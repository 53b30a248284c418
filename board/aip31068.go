package board

import (
	"fmt"

	"periph.io/x/conn/v3/i2c"
	"periph.io/x/devices/v3/aip31068"
)

// AIP31068 is a character LCD with an I²C controller of its own (the
// Waveshare LCD1602 and its kin), driven by periph's aip31068. Its
// backlight, if any, is not switched here.
type AIP31068 struct {
	dev    *aip31068.Dev
	shown  []string
	halted bool
}

var _ Text = (*AIP31068)(nil)

// NewAIP31068 initialises a rows×cols LCD at addr (0x3E on the Waveshare
// LCD1602) on bus.
func NewAIP31068(bus i2c.Bus, addr uint16, rows, cols int) (*AIP31068, error) {
	if rows < 1 || rows > 4 || cols < 1 || cols > 40 || rows*cols > 80 {
		return nil, fmt.Errorf("board: a character LCD of %d×%d does not exist", rows, cols)
	}
	dev, err := aip31068.New(bus, addr, nil, rows, cols)
	if err != nil {
		return nil, fmt.Errorf("board: no character LCD at I²C address %#x on %s: %w", addr, bus, err)
	}
	return &AIP31068{dev: dev}, nil
}

func (d *AIP31068) Size() (rows, cols int) { return d.dev.Rows(), d.dev.Cols() }

// WriteLines shows lines, fitted by FitLines; rows that already show the
// same text are not sent again.
func (d *AIP31068) WriteLines(lines []string) error {
	if d.halted {
		if err := d.dev.Display(true); err != nil {
			return fmt.Errorf("board: character LCD: %w", err)
		}
		d.halted = false
	}
	fitted := FitLines(lines, d.dev.Rows(), d.dev.Cols())
	for r, line := range fitted {
		if r < len(d.shown) && d.shown[r] == line {
			continue
		}
		// periph counts rows and columns from 1. FitLines never yields
		// 0xFE, which periph's Write would take for a command.
		if err := d.dev.MoveTo(r+1, 1); err != nil {
			return fmt.Errorf("board: character LCD: %w", err)
		}
		if _, err := d.dev.WriteString(line); err != nil {
			return fmt.Errorf("board: character LCD: %w", err)
		}
	}
	d.shown = fitted
	return nil
}

// Halt clears the panel and turns it off; the next WriteLines turns it on.
func (d *AIP31068) Halt() error {
	d.shown = nil
	d.halted = true
	return d.dev.Halt()
}
