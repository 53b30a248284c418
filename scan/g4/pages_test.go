package g4_test

import (
	"bytes"
	"io"
	"math"
	"math/rand/v2"
	"testing"

	"golang.org/x/image/ccitt"

	"scanmail/scan/g4"
)

// A page is packed rows as the encoder takes them.
type page struct {
	width, height int
	pix           []byte
}

func newPage(width, height int) *page {
	return &page{width: width, height: height, pix: make([]byte, (width+7)/8*height)}
}

func (p *page) stride() int { return (p.width + 7) / 8 }

func (p *page) set(x, y int) { p.pix[y*p.stride()+x/8] |= 0x80 >> (x % 8) }

// fill paints black the pixels x0 <= x < x1 of row y.
func (p *page) fill(y, x0, x1 int) {
	x0, x1 = max(x0, 0), min(x1, p.width)
	for x := x0; x < x1; {
		if x%8 == 0 && x+8 <= x1 {
			p.pix[y*p.stride()+x/8] = 0xFF
			x += 8
			continue
		}
		p.set(x, y)
		x++
	}
}

// dirtyPad sets every pad bit, which the encoder must ignore.
func (p *page) dirtyPad() {
	if p.width%8 == 0 {
		return
	}
	for y := range p.height {
		p.pix[(y+1)*p.stride()-1] |= 0xFF >> (p.width % 8)
	}
}

// clean returns the pixels with the pad bits cleared, as a decoder gives
// them back.
func (p *page) clean() []byte {
	out := bytes.Clone(p.pix)
	if p.width%8 != 0 {
		mask := byte(0xFF << (8 - p.width%8))
		for y := range p.height {
			out[(y+1)*p.stride()-1] &= mask
		}
	}
	return out
}

func whitePage(w, h int) *page { return newPage(w, h) }

func blackPage(w, h int) *page {
	p := newPage(w, h)
	for i := range p.pix {
		p.pix[i] = 0xFF
	}
	return p
}

func checkerboard(w, h int) *page {
	p := newPage(w, h)
	for y := range h {
		for x := y % 2; x < w; x += 2 {
			p.set(x, y)
		}
	}
	return p
}

func noisePage(w, h int, seed uint64) *page {
	p := newPage(w, h)
	r := rand.New(rand.NewPCG(seed, 1))
	for i := range p.pix {
		p.pix[i] = byte(r.Uint32())
	}
	return p
}

// documentPage draws lines of text-like glyphs: stems, bars, bowls and
// diagonals about as thick and as dense as 10 pt type at 300 dpi, with
// margins, paragraphs and a rule.
func documentPage(w, h int, seed uint64) *page {
	p := newPage(w, h)
	r := rand.New(rand.NewPCG(seed, 2))
	margin := w / 12
	const xHeight, lineGap, stroke = 26, 50, 4
	for top := h / 14; top+xHeight*2 < h-h/14; top += lineGap {
		if r.IntN(9) == 0 { // paragraph break
			continue
		}
		x, end := margin, w-margin-r.IntN(w/3+1)
		if r.IntN(40) == 0 { // a rule across the page
			for y := top; y < top+3; y++ {
				p.fill(y, margin, w-margin)
			}
			continue
		}
		for x < end {
			word := 2 + r.IntN(8)
			for range word {
				gw := 14 + r.IntN(10)
				drawGlyph(p, r, x, top, gw, xHeight, stroke)
				x += gw + 3
			}
			x += 14
		}
	}
	return p
}

// scannedPage is documentPage with the flaws of a thresholded scan: stroke
// edges moved by a pixel here and there, and specks of dust.
func scannedPage(w, h int, seed uint64) *page {
	p := documentPage(w, h, seed)
	r := rand.New(rand.NewPCG(seed, 3))
	at := func(x, y int) bool { return p.pix[y*p.stride()+x/8]&(0x80>>(x%8)) != 0 }
	flip := func(x, y int) { p.pix[y*p.stride()+x/8] ^= 0x80 >> (x % 8) }
	for y := range h {
		for x := 1; x < w; x++ {
			if at(x, y) != at(x-1, y) && r.IntN(3) == 0 {
				flip(x-r.IntN(2), y)
				x++
			}
		}
	}
	for range w * h / 20000 {
		x, y := r.IntN(w-2), r.IntN(h-2)
		flip(x, y)
		if r.IntN(2) == 0 {
			flip(x+1, y+1)
		}
	}
	return p
}

func drawGlyph(p *page, r *rand.Rand, x, top, gw, xh, stroke int) {
	asc := 0
	if r.IntN(3) == 0 {
		asc = xh / 2 // ascender
	}
	base := top + xh + xh/2
	switch r.IntN(4) {
	case 0: // stem and bar
		for y := base - xh - asc; y < base; y++ {
			p.fill(y, x, x+stroke)
		}
		for y := base - xh; y < base-xh+stroke; y++ {
			p.fill(y, x, x+gw)
		}
	case 1: // bowl
		cx, cy, rx, ry := x+gw/2, base-xh/2, gw/2, xh/2
		for y := cy - ry; y < cy+ry; y++ {
			dy := float64(y-cy) / float64(ry)
			half := int(float64(rx) * math.Sqrt(max(1-dy*dy, 0)))
			inner := max(half-stroke, 0)
			p.fill(y, cx-half, cx-inner)
			p.fill(y, cx+inner, cx+half)
		}
	case 2: // diagonal pair
		for y := base - xh; y < base; y++ {
			off := (y - (base - xh)) * gw / xh / 2
			p.fill(y, x+off, x+off+stroke)
			p.fill(y, x+gw-off-stroke, x+gw-off)
		}
	default: // two stems and an arch
		for y := base - xh; y < base; y++ {
			p.fill(y, x, x+stroke)
			p.fill(y, x+gw-stroke, x+gw)
		}
		for y := base - xh; y < base-xh+stroke; y++ {
			p.fill(y, x, x+gw)
		}
	}
}

func encode(t testing.TB, p *page) []byte {
	t.Helper()
	var buf bytes.Buffer
	e, err := g4.NewEncoder(&buf, p.width)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := e.Write(p.pix); err != nil {
		t.Fatal(err)
	}
	if err := e.Close(); err != nil {
		t.Fatal(err)
	}
	if e.Rows() != p.height {
		t.Fatalf("Rows() = %d, want %d", e.Rows(), p.height)
	}
	return buf.Bytes()
}

// decode reads a stream back with golang.org/x/image/ccitt. Invert makes
// it give 1 for black, as the encoder takes, and pad bits of 0.
func decode(stream []byte, width, height int) ([]byte, error) {
	r := ccitt.NewReader(bytes.NewReader(stream), ccitt.MSB, ccitt.Group4, width, height,
		&ccitt.Options{Invert: true, Align: false})
	return io.ReadAll(r)
}
