package main

import (
	"errors"
	"fmt"
	"log/slog"
	"strconv"

	"github.com/jonboulle/clockwork"
	"periph.io/x/conn/v3/gpio"
	"periph.io/x/conn/v3/gpio/gpioreg"
	"periph.io/x/conn/v3/i2c"
	"periph.io/x/conn/v3/i2c/i2creg"
	"periph.io/x/conn/v3/spi/spireg"
	"periph.io/x/devices/v3/mcp23xxx"
	"periph.io/x/devices/v3/pcf857x"
	"periph.io/x/host/v3"

	"scanmail/board"
)

// panelFlags say what front panel hardware is fitted.
type panelFlags struct {
	display     displaySpec
	keys        []keysSpec
	led, buzzer string // GPIO pin names; "" none
}

// hardware reports whether the flags name anything on a bus or pin.
func (f panelFlags) hardware() bool {
	return (f.display.Kind != displayNone && f.display.Kind != displayTerm) ||
		len(f.keys) > 0 || f.led != "" || f.buzzer != ""
}

// fitted is the panel hardware that opened. A part that did not open is
// nil, and the daemon runs on without it.
type fitted struct {
	bitmap board.Bitmap
	text   board.Text
	keys   board.Sources
	led    *board.LED
	buzzer *board.Buzzer
	closes []func() error
}

func (f *fitted) Close() error {
	var errs []error
	for i := len(f.closes) - 1; i >= 0; i-- {
		errs = append(errs, f.closes[i]())
	}
	return errors.Join(errs...)
}

// openFitted opens what the flags name. Hardware that is missing or does
// not answer is logged once, each part with its reason, and left out: a
// board without its panel still mails what the command line and the web
// page scan.
func openFitted(pf panelFlags, log *slog.Logger) *fitted {
	f := &fitted{}
	if !pf.hardware() {
		return f
	}
	if _, err := host.Init(); err != nil {
		log.Warn("no front panel: the board's hardware drivers did not start; running without it", "err", err)
		return f
	}
	clock := clockwork.NewRealClock()
	warn := func(part string, err error) {
		log.Warn("front panel: "+part+" not available; running without it", "err", err)
	}
	if err := f.openDisplay(pf.display); err != nil {
		warn("display", err)
	}
	for _, k := range pf.keys {
		src, err := f.openKeys(k)
		if err != nil {
			warn("keys", err)
			continue
		}
		f.keys = append(f.keys, src)
	}
	if pf.led != "" {
		if p := gpioreg.ByName(pf.led); p != nil {
			f.led = board.NewLED(p, clock)
		} else {
			warn("status LED", fmt.Errorf("no GPIO pin %s", pf.led))
		}
	}
	if pf.buzzer != "" {
		if p := gpioreg.ByName(pf.buzzer); p != nil {
			f.buzzer = board.NewBuzzer(p, clock)
		} else {
			warn("buzzer", fmt.Errorf("no GPIO pin %s", pf.buzzer))
		}
	}
	return f
}

func (f *fitted) openI2C(name string) (i2c.Bus, error) {
	bus, err := i2creg.Open(name)
	if err != nil {
		return nil, fmt.Errorf("I²C bus %s: %w", name, err)
	}
	f.closes = append(f.closes, bus.Close)
	return bus, nil
}

func pinOut(name string) (gpio.PinOut, error) {
	if name == "" {
		return nil, nil
	}
	p := gpioreg.ByName(name)
	if p == nil {
		return nil, fmt.Errorf("no GPIO pin %s", name)
	}
	return p, nil
}

func (f *fitted) openDisplay(d displaySpec) error {
	var err error
	switch d.Kind {
	case displayNone, displayTerm:
		return nil
	case displaySSD1306I2C, displayHD44780, displayAIP31068:
		bus, err := f.openI2C(d.Bus)
		if err != nil {
			return err
		}
		switch d.Kind {
		case displaySSD1306I2C:
			f.bitmap, err = board.NewSSD1306I2C(bus, d.Addr, d.Rotate)
		case displayHD44780:
			f.text, err = board.NewHD44780PCF8574(bus, d.Addr, d.Rows, d.Cols)
		default:
			f.text, err = board.NewAIP31068(bus, d.Addr, d.Rows, d.Cols)
		}
		return err
	}
	port, err := spireg.Open(d.Bus)
	if err != nil {
		return fmt.Errorf("SPI port %s: %w", d.Bus, err)
	}
	f.closes = append(f.closes, port.Close)
	dc, err := pinOut(d.DC)
	if err != nil {
		return err
	}
	if d.Kind == displaySSD1306SPI {
		f.bitmap, err = board.NewSSD1306SPI(port, dc, d.Rotate)
		return err
	}
	rst, err := pinOut(d.Reset)
	if err != nil {
		return err
	}
	f.bitmap, err = board.NewST7567(port, dc, rst, byte(d.Contrast))
	return err
}

func (f *fitted) openKeys(k keysSpec) (board.Source, error) {
	if k.Kind == "buttons" {
		var bs []board.Button
		for _, b := range k.Buttons {
			p := gpioreg.ByName(b.Pin)
			if p == nil {
				return nil, fmt.Errorf("no GPIO pin %s for key %s", b.Pin, b.Key)
			}
			bs = append(bs, board.Button{Pin: p, Key: b.Key})
		}
		pull := gpio.PullUp
		if k.ActiveHigh {
			pull = gpio.PullDown
		}
		return board.NewButtons(bs, board.ButtonConfig{ActiveHigh: k.ActiveHigh, Pull: pull})
	}
	pin, err := f.matrixPins(k)
	if err != nil {
		return nil, err
	}
	var rows, cols []gpio.PinIO
	for _, n := range k.Rows {
		p, err := pin(n)
		if err != nil {
			return nil, err
		}
		rows = append(rows, p)
	}
	for _, n := range k.Cols {
		p, err := pin(n)
		if err != nil {
			return nil, err
		}
		cols = append(cols, p)
	}
	return board.NewMatrix(rows, cols, board.MatrixConfig{Keys: k.Keys})
}

// matrixPins finds a keypad's pins by name: the SoC's, or an expander's
// by number.
func (f *fitted) matrixPins(k keysSpec) (func(string) (gpio.PinIO, error), error) {
	if k.Bus == "" {
		return func(name string) (gpio.PinIO, error) {
			if p := gpioreg.ByName(name); p != nil {
				return p, nil
			}
			return nil, fmt.Errorf("no GPIO pin %s for the keypad", name)
		}, nil
	}
	bus, err := f.openI2C(k.Bus)
	if err != nil {
		return nil, err
	}
	var pins []gpio.PinIO
	switch k.Expander {
	case "pcf8574", "pcf8575":
		variant := pcf857x.PCF8574
		if k.Expander == "pcf8575" {
			variant = pcf857x.PCF8575
		}
		dev, err := pcf857x.New(bus, k.Addr, variant)
		if err != nil {
			return nil, fmt.Errorf("%s at I²C address %#x: %w", k.Expander, k.Addr, err)
		}
		pins = dev.Pins
	case "mcp23017":
		dev, err := mcp23xxx.NewI2C(bus, mcp23xxx.MCP23017, k.Addr)
		if err != nil {
			return nil, fmt.Errorf("mcp23017 at I²C address %#x: %w", k.Addr, err)
		}
		for _, port := range dev.Pins {
			for _, p := range port {
				pins = append(pins, p)
			}
		}
	}
	return func(name string) (gpio.PinIO, error) {
		n, _ := strconv.Atoi(name) // checked by parseKeys
		if n >= len(pins) {
			return nil, fmt.Errorf("%s has no pin %d (it has %d)", k.Expander, n, len(pins))
		}
		return pins[n], nil
	}, nil
}
