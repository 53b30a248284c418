package main

import (
	"fmt"
	"strconv"
	"strings"

	"scanmail/board"
)

// displaySpec is the -display flag: which display is fitted and where.
//
//	none | term
//	ssd1306-i2c:I2C1?addr=0x3c&rotate=1
//	ssd1306-spi:SPI0.0?dc=GPIO24&rotate=1
//	st7567:SPI0.0?dc=GPIO24&rst=GPIO25&contrast=32
//
// The SPI clock is the driver's own (3.3 MHz SSD1306, 1 MHz ST7567).
//
//	hd44780:I2C1?addr=0x27&size=20x4    (PCF8574 backpack)
//	aip31068:I2C1?addr=0x3e&size=16x2   (Waveshare LCD1602 and kin)
type displaySpec struct {
	Kind       string
	Bus        string // I²C bus or SPI port name, as periph's registries know it
	Addr       uint16
	DC, Reset  string // GPIO pin names
	Rotate     bool
	Contrast   int
	Rows, Cols int
}

// The displays -display knows.
const (
	displayNone       = "none"
	displayTerm       = "term"
	displaySSD1306I2C = "ssd1306-i2c"
	displaySSD1306SPI = "ssd1306-spi"
	displayST7567     = "st7567"
	displayHD44780    = "hd44780"
	displayAIP31068   = "aip31068"
)

func parseDisplay(s string) (displaySpec, error) {
	kind, bus, params, err := splitSpec(s)
	if err != nil {
		return displaySpec{}, fmt.Errorf("-display %q: %w", s, err)
	}
	d := displaySpec{Kind: kind, Bus: bus, Contrast: 32}
	need := func(what string) error {
		return fmt.Errorf("-display %q: %s needs %s", s, kind, what)
	}
	switch kind {
	case displayNone, displayTerm:
		if bus != "" || len(params) > 0 {
			return d, fmt.Errorf("-display %q: %s takes no bus or parameters", s, kind)
		}
		return d, nil
	case displaySSD1306I2C:
		d.Addr = 0x3c
	case displaySSD1306SPI, displayST7567:
	case displayHD44780:
		d.Addr, d.Rows, d.Cols = 0x27, 2, 16
	case displayAIP31068:
		d.Addr, d.Rows, d.Cols = 0x3e, 2, 16
	default:
		return d, fmt.Errorf("-display %q: unknown display %q (known: none, term, ssd1306-i2c, ssd1306-spi, st7567, hd44780, aip31068)", s, kind)
	}
	if bus == "" {
		return d, need("a bus, e.g. " + kind + ":" + exampleBus(kind))
	}
	for _, kv := range params {
		k, v := kv[0], kv[1]
		switch {
		case k == "addr" && d.Addr != 0:
			a, err := strconv.ParseUint(v, 0, 7)
			if err != nil {
				return d, fmt.Errorf("-display %q: addr %q is not a 7-bit I²C address", s, v)
			}
			d.Addr = uint16(a)
		case k == "dc" && (kind == displaySSD1306SPI || kind == displayST7567):
			d.DC = v
		case k == "rst" && kind == displayST7567:
			d.Reset = v
		case k == "rotate" && (kind == displaySSD1306I2C || kind == displaySSD1306SPI):
			d.Rotate = v == "1" || v == "yes" || v == "true"
		case k == "contrast" && kind == displayST7567:
			c, err := strconv.Atoi(v)
			if err != nil || c < 0 || c > 63 {
				return d, fmt.Errorf("-display %q: contrast %q is not 0 to 63", s, v)
			}
			d.Contrast = c
		case k == "size" && d.Rows != 0:
			r, c, ok := parseSize(v)
			if !ok {
				return d, fmt.Errorf("-display %q: size %q is not 16x2, 20x2 or 20x4", s, v)
			}
			d.Rows, d.Cols = r, c
		default:
			return d, fmt.Errorf("-display %q: %s has no parameter %q", s, kind, k)
		}
	}
	if (kind == displaySSD1306SPI || kind == displayST7567) && d.DC == "" {
		return d, need("its D/C pin, dc=GPIO24")
	}
	return d, nil
}

func exampleBus(kind string) string {
	if kind == displaySSD1306SPI || kind == displayST7567 {
		return "SPI0.0"
	}
	return "I2C1"
}

func parseSize(v string) (rows, cols int, ok bool) {
	switch v {
	case "16x2":
		return 2, 16, true
	case "20x2":
		return 2, 20, true
	case "20x4":
		return 4, 20, true
	}
	return 0, 0, false
}

// keysSpec is one -keys flag: keys wired to GPIO pins or a keypad matrix.
//
//	buttons:?up=GPIO5&down=GPIO6&ok=GPIO13&back=GPIO19&start=GPIO26&stop=GPIO21&active=low
//	matrix:?rows=GPIO1,GPIO2,GPIO3,GPIO4&cols=GPIO5,GPIO6,GPIO7&keys=1,2,3;4,5,6;7,8,9;*,0,#
//	matrix:I2C1?expander=pcf8574&addr=0x20&rows=0,1,2,3&cols=4,5,6,7&keys=1,2,3,up;4,5,6,down;7,8,9,ok;*,0,#,back
//
// Pins behind an expander (pcf8574, pcf8575, mcp23017) are its pin numbers.
type keysSpec struct {
	Kind       string // buttons, matrix
	Bus        string // the expander's I²C bus; "" for the SoC's GPIO
	Expander   string
	Addr       uint16
	Buttons    []buttonSpec
	ActiveHigh bool
	Rows, Cols []string
	Keys       [][]board.Key
}

type buttonSpec struct {
	Key board.Key
	Pin string
}

func parseKeys(s string) (keysSpec, error) {
	kind, bus, params, err := splitSpec(s)
	if err != nil {
		return keysSpec{}, fmt.Errorf("-keys %q: %w", s, err)
	}
	k := keysSpec{Kind: kind, Bus: bus}
	bad := func(format string, a ...any) (keysSpec, error) {
		return k, fmt.Errorf("-keys %q: %s", s, fmt.Sprintf(format, a...))
	}
	switch kind {
	case "buttons":
		if bus != "" {
			return bad("buttons are on the SoC's GPIO pins: write buttons:?ok=GPIO13&…")
		}
		for _, kv := range params {
			if kv[0] == "active" {
				if kv[1] != "low" && kv[1] != "high" {
					return bad("active is low or high")
				}
				k.ActiveHigh = kv[1] == "high"
				continue
			}
			key, err := board.ParseKey(kv[0])
			if err != nil {
				return bad("%q is not a key name", kv[0])
			}
			if kv[1] == "" {
				return bad("key %s has no pin", key)
			}
			k.Buttons = append(k.Buttons, buttonSpec{Key: key, Pin: kv[1]})
		}
		if len(k.Buttons) == 0 {
			return bad("no key given")
		}
		return k, nil
	case "matrix":
	default:
		return bad("unknown kind %q (known: buttons, matrix)", kind)
	}
	for _, kv := range params {
		switch kv[0] {
		case "rows":
			k.Rows = strings.Split(kv[1], ",")
		case "cols":
			k.Cols = strings.Split(kv[1], ",")
		case "keys":
			for _, row := range strings.Split(kv[1], ";") {
				var keys []board.Key
				for _, name := range strings.Split(row, ",") {
					key := board.KeyNone
					if name != "" && name != "-" {
						if key, err = board.ParseKey(name); err != nil {
							return bad("%q is not a key name (use - where no key is fitted)", name)
						}
					}
					keys = append(keys, key)
				}
				k.Keys = append(k.Keys, keys)
			}
		case "expander":
			k.Expander = kv[1]
		case "addr":
			a, err := strconv.ParseUint(kv[1], 0, 7)
			if err != nil {
				return bad("addr %q is not a 7-bit I²C address", kv[1])
			}
			k.Addr = uint16(a)
		default:
			return bad("matrix has no parameter %q", kv[0])
		}
	}
	if len(k.Rows) == 0 || len(k.Cols) == 0 || len(k.Keys) == 0 {
		return bad("a matrix needs rows, cols and keys")
	}
	if len(k.Keys) != len(k.Rows) {
		return bad("keys has %d rows for %d row pins", len(k.Keys), len(k.Rows))
	}
	for r, row := range k.Keys {
		if len(row) != len(k.Cols) {
			return bad("keys row %d has %d keys for %d column pins", r+1, len(row), len(k.Cols))
		}
	}
	switch {
	case bus == "" && k.Expander != "":
		return bad("an expander needs its I²C bus: matrix:I2C1?expander=%s&…", k.Expander)
	case bus != "" && k.Expander == "":
		return bad("a matrix on a bus needs expander=pcf8574, pcf8575 or mcp23017")
	case bus != "":
		switch k.Expander {
		case "pcf8574", "pcf8575":
			if k.Addr == 0 {
				k.Addr = 0x20
			}
		case "mcp23017":
			if k.Addr == 0 {
				k.Addr = 0x20
			}
		default:
			return bad("unknown expander %q (known: pcf8574, pcf8575, mcp23017)", k.Expander)
		}
		for _, p := range append(append([]string(nil), k.Rows...), k.Cols...) {
			if n, err := strconv.Atoi(p); err != nil || n < 0 || n > 15 {
				return bad("expander pin %q is not a pin number", p)
			}
		}
	}
	return k, nil
}

// splitSpec reads KIND:BUS?k=v&k=v. Values may hold commas and
// semicolons, which url.ParseQuery would refuse.
func splitSpec(s string) (kind, bus string, params [][2]string, err error) {
	kind, rest, _ := strings.Cut(s, ":")
	bus, query, _ := strings.Cut(rest, "?")
	if kind == "" {
		return "", "", nil, fmt.Errorf("empty")
	}
	for kv := range strings.SplitSeq(query, "&") {
		if kv == "" {
			continue
		}
		k, v, ok := strings.Cut(kv, "=")
		if !ok || k == "" {
			return "", "", nil, fmt.Errorf("%q is not key=value", kv)
		}
		params = append(params, [2]string{k, v})
	}
	return kind, bus, params, nil
}
