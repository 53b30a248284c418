package board

import (
	"fmt"
	"time"

	"periph.io/x/conn/v3/gpio"
	"periph.io/x/conn/v3/i2c"
	"periph.io/x/devices/v3/pcf857x"
)

// The common PCF8574 backpack wires the expander's port to the HD44780 so.
const (
	bpRS        = 1 << 0 // register select: 0 instruction, 1 data
	bpRW        = 1 << 1 // read/write: always 0, we only write
	bpE         = 1 << 2 // enable: the nibble is taken on its falling edge
	bpBacklight = 1 << 3
	bpDataShift = 4 // D4–D7 on P4–P7
)

// HD44780 is a character LCD in 4-bit mode behind a PCF8574 I²C backpack.
//
// periph's hd44780 package is not used: its initialisation sends 14h and
// 10h (cursor shifts) where the datasheet's function set and display off
// belong, so a second row never shows, and it addresses two rows only.
// The expander is periph's pcf857x.
type HD44780 struct {
	port       gpio.Group
	rows, cols int
	backlight  byte
	shown      []string // what each row shows, to leave unchanged rows alone
}

var _ Text = (*HD44780)(nil)

// NewHD44780PCF8574 initialises a rows×cols LCD (2×16, 4×20, …) behind a
// PCF8574 at addr (0x27, or 0x3F on the PCF8574A) on bus.
func NewHD44780PCF8574(bus i2c.Bus, addr uint16, rows, cols int) (*HD44780, error) {
	if rows < 1 || rows > 4 || cols < 1 || cols > 40 || rows*cols > 80 {
		return nil, fmt.Errorf("board: a character LCD of %d×%d does not exist", rows, cols)
	}
	exp, err := pcf857x.New(bus, addr, pcf857x.PCF8574)
	if err != nil {
		return nil, fmt.Errorf("board: PCF8574 at I²C address %#x: %w", addr, err)
	}
	port, err := exp.Group(0, 1, 2, 3, 4, 5, 6, 7)
	if err != nil {
		return nil, fmt.Errorf("board: PCF8574 at I²C address %#x: %w", addr, err)
	}
	d := &HD44780{port: port, rows: rows, cols: cols, backlight: bpBacklight}
	if err := d.init(); err != nil {
		return nil, fmt.Errorf("board: no character LCD at I²C address %#x on %s: %w", addr, bus, err)
	}
	return d, nil
}

// init is the datasheet's "initializing by instruction" for 4-bit mode
// (figure 24): whatever state the controller is in after power-on, three
// 8-bit function sets then one 4-bit one bring it to 4-bit mode.
func (d *HD44780) init() error {
	time.Sleep(50 * time.Millisecond) // more than 40 ms after power reaches 2.7 V
	for _, s := range []struct {
		nibble byte
		wait   time.Duration
	}{
		{0x3, 5 * time.Millisecond},   // more than 4.1 ms
		{0x3, 200 * time.Microsecond}, // more than 100 µs
		{0x3, 200 * time.Microsecond},
		{0x2, 200 * time.Microsecond}, // 4-bit interface from here on
	} {
		if err := d.nibble(0, s.nibble); err != nil {
			return err
		}
		time.Sleep(s.wait)
	}
	lines := byte(0x08) // N=1: two lines; four-row panels are two long lines
	if d.rows == 1 {
		lines = 0
	}
	for _, ins := range []byte{
		0x20 | lines, // function set: 4-bit, 5×8 dots
		0x08,         // display off
		0x01,         // clear
		0x06,         // entry mode: increment, no shift
		0x0C,         // display on, cursor and blink off
	} {
		if err := d.instruction(ins); err != nil {
			return err
		}
	}
	return nil
}

func (d *HD44780) Size() (rows, cols int) { return d.rows, d.cols }

// WriteLines shows lines, fitted by FitLines; rows that already show the
// same text are not sent again.
func (d *HD44780) WriteLines(lines []string) error {
	if d.backlight == 0 {
		d.backlight = bpBacklight
		d.shown = nil
	}
	fitted := FitLines(lines, d.rows, d.cols)
	for r, line := range fitted {
		if r < len(d.shown) && d.shown[r] == line {
			continue
		}
		if err := d.instruction(0x80 | d.rowAddr(r)); err != nil {
			return fmt.Errorf("board: character LCD: %w", err)
		}
		for i := range len(line) {
			if err := d.write(bpRS, line[i]); err != nil {
				return fmt.Errorf("board: character LCD: %w", err)
			}
		}
	}
	d.shown = fitted
	return nil
}

// rowAddr is the display RAM address of a row's first character: rows 2
// and 3 continue rows 0 and 1 (0x00 and 0x40) past the visible columns.
func (d *HD44780) rowAddr(r int) byte {
	return [4]byte{0x00, 0x40, byte(d.cols), 0x40 + byte(d.cols)}[r]
}

// Halt clears the panel and turns its backlight off.
func (d *HD44780) Halt() error {
	d.backlight = 0
	d.shown = nil
	if err := d.instruction(0x01); err != nil {
		return fmt.Errorf("board: character LCD: %w", err)
	}
	return nil
}

func (d *HD44780) instruction(b byte) error {
	if err := d.write(0, b); err != nil {
		return err
	}
	if b == 0x01 || b == 0x02 {
		time.Sleep(2 * time.Millisecond) // clear and home take 1.52 ms
	}
	// Other instructions take 37 µs, less than one I²C byte at 400 kHz.
	return nil
}

func (d *HD44780) write(rs, b byte) error {
	if err := d.nibble(rs, b>>4); err != nil {
		return err
	}
	return d.nibble(rs, b&0x0F)
}

// nibble puts n on D4–D7 with E high, then drops E: the controller takes
// the nibble on the falling edge. Each I²C byte lasts longer than the E
// pulse width and setup times the datasheet asks (hundreds of ns).
func (d *HD44780) nibble(rs, n byte) error {
	v := n<<bpDataShift | d.backlight | rs
	if err := d.port.Out(gpio.GPIOValue(v|bpE), 0xFF); err != nil {
		return err
	}
	return d.port.Out(gpio.GPIOValue(v), 0xFF)
}
