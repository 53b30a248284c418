package board

import (
	"fmt"
	"strings"
	"testing"

	"periph.io/x/conn/v3/i2c/i2ctest"
)

// nib is one nibble as the HD44780 takes it: D4–D7 with RS, at a falling
// edge of E.
type nib struct {
	rs   bool
	data byte
}

func (n nib) String() string {
	if n.rs {
		return fmt.Sprintf("D%X", n.data)
	}
	return fmt.Sprintf("I%X", n.data)
}

// latched decodes a PCF8574 recording through the backpack's wiring (P0 RS,
// P1 RW, P2 E, P3 backlight, P4–P7 D4–D7) into the nibbles the controller
// takes. It fails the test on a write to another address, a byte with RW
// high (the LCD would drive the bus) or a change of RS or data while E is
// high (the nibble would be taken half-changed).
func latched(t *testing.T, rec *i2ctest.Record, addr uint16) (nibs []nib, backlight []bool) {
	t.Helper()
	var prev byte
	for i, op := range rec.Ops {
		if op.Addr != addr || len(op.W) != 1 || len(op.R) != 0 {
			t.Fatalf("transfer %d = %+v, want one byte written to %#x", i, op, addr)
		}
		b := op.W[0]
		if b&0x02 != 0 {
			t.Fatalf("transfer %d = %#02x: RW is high", i, b)
		}
		if prev&0x04 != 0 && b&0x04 != 0 && (prev^b)&0xF1 != 0 {
			t.Fatalf("transfer %d = %#02x: RS or data changed while E is high (was %#02x)", i, prev, b)
		}
		if prev&0x04 != 0 && b&0x04 == 0 {
			nibs = append(nibs, nib{rs: b&0x01 != 0, data: b >> 4})
			backlight = append(backlight, b&0x08 != 0)
		}
		prev = b
	}
	return nibs, backlight
}

func ins(b byte) []nib { return []nib{{false, b >> 4}, {false, b & 0xF}} }
func data(s string) []nib {
	var out []nib
	for i := range len(s) {
		out = append(out, nib{true, s[i] >> 4}, nib{true, s[i] & 0xF})
	}
	return out
}

func join(parts ...[]nib) []nib {
	var out []nib
	for _, p := range parts {
		out = append(out, p...)
	}
	return out
}

func nibString(ns []nib) string {
	var b strings.Builder
	for _, n := range ns {
		b.WriteString(n.String() + " ")
	}
	return b.String()
}

// hd44780Init is the datasheet's 4-bit initialisation (figure 24).
func hd44780Init(twoLines bool) []nib {
	fs := byte(0x20) // function set: DL=0 4-bit, F=0 5×8 dots
	if twoLines {
		fs |= 0x08 // N=1
	}
	return join(
		[]nib{{false, 0x3}, {false, 0x3}, {false, 0x3}}, // function set 8-bit, three times
		[]nib{{false, 0x2}},                             // function set 4-bit, as one nibble
		ins(fs),
		ins(0x08), // display off
		ins(0x01), // clear
		ins(0x06), // entry mode: I/D=1 increment, S=0 no shift
		ins(0x0C), // display on: D=1, C=0 no cursor, B=0 no blink
	)
}

func TestHD44780PCF8574(t *testing.T) {
	for _, tc := range []struct {
		name       string
		rows, cols int
		addr       uint16
		lines      []string
		want       []nib // after the initialisation
	}{
		{"2x16", 2, 16, 0x27, []string{"Hi"}, join(
			ins(0x80|0x00), data("Hi"+strings.Repeat(" ", 14)),
			ins(0x80|0x40), data(strings.Repeat(" ", 16)))},
		{"4x20 rows 2 and 3 follow rows 0 and 1", 4, 20, 0x3F, []string{"a", "b", "c", "d"}, join(
			ins(0x80|0x00), data("a"+strings.Repeat(" ", 19)),
			ins(0x80|0x40), data("b"+strings.Repeat(" ", 19)),
			ins(0x80|0x14), data("c"+strings.Repeat(" ", 19)),
			ins(0x80|0x54), data("d"+strings.Repeat(" ", 19)))},
		{"1x8 one line", 1, 8, 0x27, []string{"Café"}, join(
			ins(0x80|0x00), data("Cafe    "))},
	} {
		t.Run(tc.name, func(t *testing.T) {
			rec := &i2ctest.Record{}
			d, err := NewHD44780PCF8574(rec, tc.addr, tc.rows, tc.cols)
			if err != nil {
				t.Fatal(err)
			}
			if r, c := d.Size(); r != tc.rows || c != tc.cols {
				t.Errorf("Size = %d×%d, want %d×%d", r, c, tc.rows, tc.cols)
			}
			if err := d.WriteLines(tc.lines); err != nil {
				t.Fatal(err)
			}
			// The same lines again send nothing.
			if err := d.WriteLines(tc.lines); err != nil {
				t.Fatal(err)
			}
			got, bl := latched(t, rec, tc.addr)
			want := join(hd44780Init(tc.rows > 1), tc.want)
			if nibString(got) != nibString(want) {
				t.Errorf("nibbles:\n got  %s\n want %s", nibString(got), nibString(want))
			}
			for i, on := range bl {
				if !on {
					t.Fatalf("nibble %d with the backlight off", i)
				}
			}
		})
	}
}

func TestHD44780Halt(t *testing.T) {
	rec := &i2ctest.Record{}
	d, err := NewHD44780PCF8574(rec, 0x27, 2, 16)
	if err != nil {
		t.Fatal(err)
	}
	if err := d.WriteLines([]string{"Hi"}); err != nil {
		t.Fatal(err)
	}
	before := len(rec.Ops)
	if err := d.Halt(); err != nil {
		t.Fatal(err)
	}
	// After Halt the same lines are shown again, backlight on.
	if err := d.WriteLines([]string{"Hi"}); err != nil {
		t.Fatal(err)
	}
	got, bl := latched(t, &i2ctest.Record{Ops: rec.Ops[before:]}, 0x27)
	want := join(ins(0x01), ins(0x80), data("Hi"+strings.Repeat(" ", 14)), ins(0xC0), data(strings.Repeat(" ", 16)))
	if nibString(got) != nibString(want) {
		t.Errorf("nibbles:\n got  %s\n want %s", nibString(got), nibString(want))
	}
	if bl[0] || bl[1] || !bl[2] {
		t.Errorf("backlight = %v, want off for the clear, on after", bl[:3])
	}
}

func TestHD44780Missing(t *testing.T) {
	bus := &i2ctest.Playback{DontPanic: true}
	_, err := NewHD44780PCF8574(bus, 0x27, 2, 16)
	if err == nil || !strings.Contains(err.Error(), "no character LCD at I²C address 0x27") {
		t.Fatalf("error = %v, want it to name the LCD and address", err)
	}
}

func TestHD44780Size(t *testing.T) {
	for _, rc := range [][2]int{{0, 16}, {5, 16}, {2, 0}, {4, 40}} {
		if _, err := NewHD44780PCF8574(&i2ctest.Record{}, 0x27, rc[0], rc[1]); err == nil {
			t.Errorf("%d×%d accepted", rc[0], rc[1])
		}
	}
}
