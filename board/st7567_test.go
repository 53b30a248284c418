package board

import (
	"testing"

	"periph.io/x/conn/v3/gpio"
	"periph.io/x/conn/v3/gpio/gpiotest"
	"periph.io/x/conn/v3/spi/spitest"
)

// st7567Init is the ST7567 datasheet's initialisation (instruction table,
// "Initialization" flow) for a 128×64 module as periph v3.7.4 sends it with
// our options, after the reset pulse.
func st7567Init(contrast byte) []cmd {
	return []cmd{
		{"A3h LCD bias 1/7", []byte{0xA3}},
		{"A0h segment direction normal: column 0 is SEG0", []byte{0xA0}},
		{"C8h COM direction reverse: page 0 at the top of the glass", []byte{0xC8}},
		{"A6h normal display, 1 is dark", []byte{0xA6}},
		{"40h display start line 0", []byte{0x40}},
		{"2Fh power control: booster, regulator and follower on", []byte{0x2F}},
		{"23h regulation ratio RR=3", []byte{0x23}},
		{"AFh display on", []byte{0xAF}},
		{"81h electronic volume (contrast)", []byte{0x81, contrast}},
	}
}

func TestST7567(t *testing.T) {
	rec := &spitest.Record{}
	dc := &dcPin{Pin: gpiotest.Pin{N: "DC"}, rec: rec}
	rst := &dcPin{Pin: gpiotest.Pin{N: "RST"}, rec: rec}
	d, err := NewST7567(rec, dc, rst, 40)
	if err != nil {
		t.Fatal(err)
	}
	// Reset is pulsed low, then released, before the first transfer.
	if want := []dcChange{{0, gpio.Low}, {0, gpio.High}}; len(rst.changes) != 2 || rst.changes[0] != want[0] || rst.changes[1] != want[1] {
		t.Errorf("reset line changes = %v, want %v", rst.changes, want)
	}
	if got := d.Bounds().Size(); got.X != 128 || got.Y != 64 {
		t.Errorf("Bounds size = %v, want 128×64", got)
	}
	if err := d.Draw(twoCorners()); err != nil {
		t.Fatal(err)
	}

	want := []spiOp{{gpio.Low, cmdBytes(st7567Init(40))}}
	// A frame: E0h read-modify-write (the column address does not move on
	// reads), then per page B0h+page with column 0 (00h low nibble, 10h
	// high nibble) and its 128 columns of data, then EEh to leave it.
	want = append(want, spiOp{gpio.Low, []byte{0xE0}})
	for p, data := range twoCornersPages() {
		want = append(want, spiOp{gpio.Low, []byte{0xB0 | byte(p), 0x00, 0x10}}, spiOp{gpio.High, data})
	}
	want = append(want, spiOp{gpio.Low, []byte{0xEE}})
	// Halt is power save: AEh display off, A5h all points on (sleep).
	// The next Draw wakes it first: A4h display follows RAM, AFh on.
	if err := d.Halt(); err != nil {
		t.Fatal(err)
	}
	want = append(want, spiOp{gpio.Low, []byte{0xAE, 0xA5}})
	if err := d.Draw(twoCorners()); err != nil {
		t.Fatal(err)
	}
	want = append(want, spiOp{gpio.Low, []byte{0xA4, 0xAF}})

	got := dc.transfers()
	if len(got) < len(want) || !sameOps(got[:len(want)], want) {
		t.Errorf("SPI transfers differ:\n%s", diffOps(got, want))
	}
}

func TestST7567Refuses(t *testing.T) {
	rec := &spitest.Record{}
	for _, tc := range []struct {
		name     string
		dc       *dcPin
		contrast byte
	}{
		{"no D/C", nil, 40},
		{"contrast 64", &dcPin{rec: rec}, 64},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var dc gpio.PinOut
			if tc.dc != nil {
				dc = tc.dc
			}
			if _, err := NewST7567(rec, dc, nil, tc.contrast); err == nil {
				t.Fatal("no error")
			}
		})
	}
}
