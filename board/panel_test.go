package board

import (
	"bytes"
	"fmt"
	"image"
	"image/color"
	"strings"

	"periph.io/x/conn/v3/gpio"
	"periph.io/x/conn/v3/gpio/gpiotest"
	"periph.io/x/conn/v3/spi/spitest"
)

// cmd is one controller command as its datasheet lists it: its bytes and
// what they mean, so that a test's expected stream reads like the datasheet.
type cmd struct {
	meaning string
	b       []byte
}

func cmdBytes(cmds []cmd) []byte {
	var out []byte
	for _, c := range cmds {
		out = append(out, c.b...)
	}
	return out
}

// twoCorners is a 128×64 gray image lit at (0,0) and (127,63) only: the
// first and last pixel of the panel's first and last page.
func twoCorners() image.Image {
	img := image.NewGray(image.Rect(0, 0, 128, 64))
	img.SetGray(0, 0, color.Gray{Y: 255})
	img.SetGray(127, 63, color.Gray{Y: 255})
	return img
}

// twoCornersPages is twoCorners in the controllers' memory layout: 8 pages
// of 128 columns, a byte a column with bit 0 the page's top row.
func twoCornersPages() [8][]byte {
	var pages [8][]byte
	for p := range pages {
		pages[p] = make([]byte, 128)
	}
	pages[0][0] = 0x01   // row 0 is bit 0 of page 0
	pages[7][127] = 0x80 // row 63 is bit 7 of page 7
	return pages
}

// dcPin is a D/C (or reset) line that notes, at each change, how many SPI
// transfers the recording holds, so that each transfer's D/C level is known.
type dcPin struct {
	gpiotest.Pin
	rec     *spitest.Record
	changes []dcChange
}

type dcChange struct {
	beforeOp int
	level    gpio.Level
}

func (p *dcPin) Out(l gpio.Level) error {
	p.rec.Lock()
	n := len(p.rec.Ops)
	p.rec.Unlock()
	p.changes = append(p.changes, dcChange{n, l})
	return p.Pin.Out(l)
}

// spiOp is a transfer with the D/C level it was sent with: Low a command,
// High display data.
type spiOp struct {
	dc gpio.Level
	w  []byte
}

func (o spiOp) String() string {
	kind := "cmd"
	if o.dc == gpio.High {
		kind = "data"
	}
	return fmt.Sprintf("%s % x", kind, o.w)
}

// transfers pairs each recorded SPI transfer with its D/C level.
func (p *dcPin) transfers() []spiOp {
	var out []spiOp
	for i, io := range p.rec.Ops {
		level := gpio.Level(false)
		seen := false
		for _, c := range p.changes {
			if c.beforeOp <= i {
				level, seen = c.level, true
			}
		}
		if !seen {
			panic("transfer before D/C was set")
		}
		out = append(out, spiOp{level, io.W})
	}
	return out
}

func diffOps(got, want []spiOp) string {
	var b strings.Builder
	for i := 0; i < max(len(got), len(want)); i++ {
		var g, w string
		if i < len(got) {
			g = got[i].String()
		}
		if i < len(want) {
			w = want[i].String()
		}
		if g != w {
			fmt.Fprintf(&b, "transfer %d:\n got  %s\n want %s\n", i, g, w)
		}
	}
	return b.String()
}

func sameOps(got, want []spiOp) bool {
	if len(got) != len(want) {
		return false
	}
	for i := range got {
		if got[i].dc != want[i].dc || !bytes.Equal(got[i].w, want[i].w) {
			return false
		}
	}
	return true
}
