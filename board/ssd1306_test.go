package board

import (
	"errors"
	"strings"
	"testing"

	"periph.io/x/conn/v3/conntest"
	"periph.io/x/conn/v3/gpio"
	"periph.io/x/conn/v3/gpio/gpiotest"
	"periph.io/x/conn/v3/i2c/i2ctest"
	"periph.io/x/conn/v3/spi/spitest"
	"periph.io/x/devices/v3/ssd1306/image1bit"
)

// ssd1306Init is the power-on sequence the SSD1306 datasheet (rev 1.1,
// command table §9 and the application example §8.9) asks for a 128×64
// panel, as periph v3.7.4 sends it.
func ssd1306Init(rotated bool) []cmd {
	segRemap, comScan := []byte{0xA1}, []byte{0xC8}
	if rotated {
		segRemap, comScan = []byte{0xA0}, []byte{0xC0}
	}
	return []cmd{
		{"AEh display off while set up", []byte{0xAE}},
		{"D3h display offset 0", []byte{0xD3, 0x00}},
		{"40h display start line 0", []byte{0x40}},
		{"A0h/A1h segment remap: column 127 is SEG0 unless rotated", segRemap},
		{"C0h/C8h COM scan direction: remapped unless rotated", comScan},
		{"DAh COM pins: alternative configuration, no left/right remap", []byte{0xDA, 0x12}},
		{"81h contrast 255", []byte{0x81, 0xFF}},
		{"A4h display follows RAM", []byte{0xA4}},
		{"A6h normal display, 1 is lit", []byte{0xA6}},
		{"D5h clock: divide ratio 1, highest oscillator frequency", []byte{0xD5, 0xF0}},
		{"8Dh 14h charge pump on", []byte{0x8D, 0x14}},
		{"D9h pre-charge: phase 1 one clock, phase 2 fifteen", []byte{0xD9, 0xF1}},
		{"DBh VCOMH deselect level 40h (above the datasheet's 30h, as Adafruit's driver)", []byte{0xDB, 0x40}},
		{"2Eh scrolling off", []byte{0x2E}},
		{"A8h multiplex ratio 64 (63+1)", []byte{0xA8, 63}},
		{"20h memory addressing mode horizontal", []byte{0x20, 0x00}},
		{"21h column address 0..127", []byte{0x21, 0, 127}},
		{"22h page address 0..7", []byte{0x22, 0, 7}},
		{"AFh display on", []byte{0xAF}},
	}
}

// ssd1306Page addresses a page in page addressing mode: B0h+page, then the
// column's low nibble (00h-0Fh) and high nibble (10h-1Fh).
func ssd1306Page(page, col byte) []byte {
	return []byte{0xB0 | page, col & 0x0F, 0x10 | col>>4}
}

// Over I²C each transfer starts with a control byte (datasheet §8.1.5.2):
// 00h a stream of commands, 40h a stream of display data.
func i2cCmd(b []byte) []byte  { return append([]byte{0x00}, b...) }
func i2cData(b []byte) []byte { return append([]byte{0x40}, b...) }

func TestSSD1306I2C(t *testing.T) {
	for _, tc := range []struct {
		name    string
		addr    uint16
		rotated bool
	}{
		{"0x3C", 0x3C, false},
		{"0x3D rotated", 0x3D, true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			ops := []i2ctest.IO{{Addr: tc.addr, W: i2cCmd(cmdBytes(ssd1306Init(tc.rotated)))}}
			// The first frame is sent whole, page by page.
			for p, data := range twoCornersPages() {
				ops = append(ops,
					i2ctest.IO{Addr: tc.addr, W: i2cCmd(ssd1306Page(byte(p), 0))},
					i2ctest.IO{Addr: tc.addr, W: i2cData(data)})
			}
			// The second frame differs by the pixel at (127,63) only: periph
			// sends that column of page 7 alone, addressed the page-mode
			// way (see the SSD1306 type's comment).
			ops = append(ops,
				i2ctest.IO{Addr: tc.addr, W: i2cCmd(ssd1306Page(7, 127))},
				i2ctest.IO{Addr: tc.addr, W: i2cData([]byte{0x00})})
			bus := &i2ctest.Playback{Ops: ops, DontPanic: true}

			d, err := NewSSD1306I2C(bus, tc.addr, tc.rotated)
			if err != nil {
				t.Fatal(err)
			}
			if got := d.Bounds().Size(); got.X != 128 || got.Y != 64 {
				t.Errorf("Bounds size = %v, want 128×64", got)
			}
			if err := d.Draw(twoCorners()); err != nil {
				t.Fatal(err)
			}
			second := image1bit.NewVerticalLSB(d.Bounds())
			second.SetBit(0, 0, image1bit.On)
			if err := d.Draw(second); err != nil {
				t.Fatal(err)
			}
			if err := bus.Close(); err != nil {
				t.Fatal(err)
			}
		})
	}
}

// A board without the display: the bus NACKs, the constructor says so.
func TestSSD1306I2CMissing(t *testing.T) {
	bus := &i2ctest.Playback{DontPanic: true}
	_, err := NewSSD1306I2C(bus, 0x3C, false)
	if err == nil {
		t.Fatal("no error from a bus with no display")
	}
	if !strings.Contains(err.Error(), "no SSD1306 display at I²C address 0x3c") {
		t.Errorf("error = %q, want it to name the display and address", err)
	}
	if !conntest.IsErr(errors.Unwrap(err)) {
		t.Errorf("error = %q does not wrap the bus's error", err)
	}
}

func TestSSD1306SPI(t *testing.T) {
	rec := &spitest.Record{}
	dc := &dcPin{Pin: gpiotest.Pin{N: "DC"}, rec: rec}
	d, err := NewSSD1306SPI(rec, dc, false)
	if err != nil {
		t.Fatal(err)
	}
	if err := d.Draw(twoCorners()); err != nil {
		t.Fatal(err)
	}
	// Over 4-wire SPI the D/C line tells commands (low) from data (high),
	// datasheet §8.1.3; there is no control byte.
	want := []spiOp{{gpio.Low, cmdBytes(ssd1306Init(false))}}
	for p, data := range twoCornersPages() {
		want = append(want, spiOp{gpio.Low, ssd1306Page(byte(p), 0)}, spiOp{gpio.High, data})
	}
	if got := dc.transfers(); !sameOps(got, want) {
		t.Errorf("SPI transfers differ:\n%s", diffOps(got, want))
	}
}

func TestSSD1306SPINeedsDC(t *testing.T) {
	if _, err := NewSSD1306SPI(&spitest.Record{}, nil, false); err == nil {
		t.Fatal("no error without a D/C line")
	}
}
