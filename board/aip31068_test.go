package board

import (
	"bytes"
	"fmt"
	"strings"
	"testing"

	"periph.io/x/conn/v3/i2c/i2ctest"
)

// AIP31068 over I²C: a control byte before the bytes (datasheet, "I²C
// interface"): 00h the last control byte and a command follows, 40h the
// last control byte and data follow. The commands are the HD44780's.
func aipCmd(b byte) []byte       { return []byte{0x00, b} }
func aipData(s string) []byte    { return append([]byte{0x40}, s...) }
func fmtOps(ops [][]byte) string { return fmt.Sprintf("% x", ops) }

func TestAIP31068(t *testing.T) {
	for _, tc := range []struct {
		name       string
		rows, cols int
		lines      []string
		want       [][]byte // after the initialisation
	}{
		{"2x16", 2, 16, []string{"Hi"}, [][]byte{
			aipCmd(0x80 | 0x00), aipData("Hi" + strings.Repeat(" ", 14)),
			aipCmd(0x80 | 0x40), aipData(strings.Repeat(" ", 16))}},
		{"4x20", 4, 20, []string{"a", "b", "c", "d"}, [][]byte{
			aipCmd(0x80 | 0x00), aipData("a" + strings.Repeat(" ", 19)),
			aipCmd(0x80 | 0x40), aipData("b" + strings.Repeat(" ", 19)),
			aipCmd(0x80 | 0x14), aipData("c" + strings.Repeat(" ", 19)),
			aipCmd(0x80 | 0x54), aipData("d" + strings.Repeat(" ", 19))}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			rec := &i2ctest.Record{}
			d, err := NewAIP31068(rec, 0x3E, tc.rows, tc.cols)
			if err != nil {
				t.Fatal(err)
			}
			if err := d.WriteLines(tc.lines); err != nil {
				t.Fatal(err)
			}
			if err := d.WriteLines(tc.lines); err != nil { // unchanged: nothing sent
				t.Fatal(err)
			}
			want := [][]byte{
				aipCmd(0x28), // function set: N=1 two lines
				aipCmd(0x0C), // display on, no cursor, no blink
				aipCmd(0x01), // clear
				aipCmd(0x02), // home
				aipCmd(0x06), // entry mode: increment, no shift
			}
			want = append(want, tc.want...)
			var got [][]byte
			for _, op := range rec.Ops {
				if op.Addr != 0x3E {
					t.Fatalf("write to %#x, want 0x3e", op.Addr)
				}
				got = append(got, op.W)
			}
			if len(got) != len(want) {
				t.Fatalf("writes:\n got  %s\n want %s", fmtOps(got), fmtOps(want))
			}
			for i := range got {
				if !bytes.Equal(got[i], want[i]) {
					t.Fatalf("writes:\n got  %s\n want %s", fmtOps(got), fmtOps(want))
				}
			}
		})
	}
}

func TestAIP31068Missing(t *testing.T) {
	bus := &i2ctest.Playback{DontPanic: true}
	_, err := NewAIP31068(bus, 0x3E, 2, 16)
	if err == nil || !strings.Contains(err.Error(), "no character LCD at I²C address 0x3e") {
		t.Fatalf("error = %v, want it to name the LCD and address", err)
	}
}

func TestAIP31068Halt(t *testing.T) {
	rec := &i2ctest.Record{}
	d, err := NewAIP31068(rec, 0x3E, 2, 16)
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
	if err := d.WriteLines([]string{"Hi"}); err != nil {
		t.Fatal(err)
	}
	want := [][]byte{
		aipCmd(0x01), aipCmd(0x08), // Halt: clear, display off
		aipCmd(0x0C), // display on again
		aipCmd(0x80), aipData("Hi" + strings.Repeat(" ", 14)),
		aipCmd(0xC0), aipData(strings.Repeat(" ", 16)),
	}
	var got [][]byte
	for _, op := range rec.Ops[before:] {
		got = append(got, op.W)
	}
	if fmtOps(got) != fmtOps(want) {
		t.Fatalf("writes:\n got  %s\n want %s", fmtOps(got), fmtOps(want))
	}
}
