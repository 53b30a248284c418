package g4_test

import (
	"bytes"
	"testing"
)

// fuzzPage paints a width x height page from data, read as a list of
// operations so that small inputs make runs of every length, rows that
// follow the row above (vertical and pass modes) and noise:
//
//	00nnnnnn  toggle the colour, then a run of n+1 pixels
//	01nnnnnn  toggle the colour, then a run of (n+1)*64 pixels
//	10lllddd  copy the row above, shifted by ddd-3, for lll*8+1 pixels
//	11nnnnnn  the next byte as pixels, n%4+1 times
//
// The pixels after the last operation copy the row above.
func fuzzPage(width, height int, data []byte) *page {
	p := newPage(width, height)
	total := width * height
	black := false
	x := 0
	get := func(i int) bool {
		return i >= 0 && i < total && p.pix[(i/width)*p.stride()+(i%width)/8]&(0x80>>((i%width)%8)) != 0
	}
	put := func(v bool) {
		if x < total && v {
			p.set(x%width, x/width)
		}
		x++
	}
	above := func(shift int) bool {
		col := x%width + shift
		if x < width || col < 0 || col >= width {
			return false
		}
		return get(x - width + shift)
	}
	for i := 0; i < len(data) && x < total; i++ {
		b := data[i]
		switch b >> 6 {
		case 0, 1:
			black = !black
			n := int(b&63) + 1
			if b>>6 == 1 {
				n *= 64
			}
			for range n {
				put(black)
			}
		case 2:
			shift := int(b&7) - 3
			for range int(b>>3&7)*8 + 1 {
				put(above(shift))
			}
		case 3:
			if i+1 < len(data) {
				i++
				for range int(b&3) + 1 {
					for bit := range 8 {
						put(data[i]&(0x80>>bit) != 0)
					}
				}
			}
		}
	}
	for x < total {
		put(above(0))
	}
	return p
}

func FuzzRoundTrip(f *testing.F) {
	f.Add(uint16(1), uint8(1), []byte{})
	f.Add(uint16(7), uint8(9), []byte{0xC3, 0xAA, 0x01})
	f.Add(uint16(1728), uint8(30), []byte{0x0A, 0x03, 0x48, 0x05, 0x70, 0x9D, 0x91, 0x03, 0x41})
	f.Add(uint16(2561), uint8(3), []byte{0x40 | 39, 0x00, 0x7F, 0x7F})
	f.Add(uint16(4961), uint8(4), []byte{0x7F, 0x7F, 0x43, 0x01, 0x85, 0xBF, 0xC7, 0x55})
	f.Add(uint16(300), uint8(40), []byte{0xC3, 0x5A, 0xC3, 0xA5, 0x94, 0x9C, 0x8C, 0xA4, 0x10, 0x20, 0xFB, 0x81})
	f.Fuzz(func(t *testing.T, w uint16, h uint8, data []byte) {
		width, height := 1+int(w)%6000, 1+int(h)%64
		p := fuzzPage(width, height, data)
		want := p.clean()
		p.dirtyPad()
		stream := encode(t, p)
		got, err := decode(stream, width, height)
		if err != nil {
			t.Fatalf("%dx%d: decode: %v", width, height, err)
		}
		if !bytes.Equal(got, want) {
			i := firstDiff(got, want)
			t.Fatalf("%dx%d: first difference at row %d byte %d", width, height, i/p.stride(), i%p.stride())
		}
	})
}
