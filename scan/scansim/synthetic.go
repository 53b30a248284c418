package scansim

import (
	"slices"
	"strconv"

	"scanmail/scan"
)

// Gray levels of the synthetic paper and print.
const (
	paper = 0xff
	ink   = 0x1c
	black = 0x00
)

// Colours of a colour page: a pale header band behind a blue title; the
// rest is the gray page.
var (
	bandColour  = [3]byte{0xd6, 0xe4, 0xf5}
	titleColour = [3]byte{0x1a, 0x3c, 0xb0}
)

// synthPage draws one synthetic document page row by row: a big page number
// with a title beside it, a rule, paragraphs of word-like blocks and a small
// page number at the foot. Only the paragraph layout is kept; the letters of
// a line are regenerated from its seed for every row they touch.
type synthPage struct {
	w, h   int
	num    int
	digits []byte

	margin             int
	numTop, numScale   int
	titleX             int
	title, subtitle    textLine
	ruleTop, ruleBot   int
	bodyTop, pitch     int
	body               []textLine
	footTop, footScale int
	footX              int

	// The header band of a colour page.
	bandTop, bandBot int
	bandX0, bandX1   int

	big, small glyphs
	gray       []byte // scratch row for the bilevel and colour modes

	// blank makes it the blank back of a printed sheet: paper, faint
	// scanner noise and the print of the other side showing through,
	// mirrored and pale.
	blank bool
}

// textLine is one line of word blocks between x0 and x1; x1 == 0 is blank.
type textLine struct {
	top    int
	x0, x1 int
	seed   uint64
}

// glyphs is the geometry of one type size, in pixels.
type glyphs struct {
	asc, xh, desc   int // ascender, x-height and descender bands
	minW, maxW, gap int // letter widths and the space between letters
	wordGap         int
}

func newGlyphs(dpi int, size float64) glyphs {
	px := func(in float64) int { return max(1, int(in*size*float64(dpi)+0.5)) }
	return glyphs{
		asc: px(0.03), xh: px(0.06), desc: px(0.03),
		minW: px(0.04), maxW: px(0.075), gap: px(0.012), wordGap: px(0.05),
	}
}

func newSynthPage(w, h, dpi, num int) *synthPage {
	px := func(in float64) int { return int(in*float64(dpi) + 0.5) }
	p := &synthPage{w: w, h: h, num: num, big: newGlyphs(dpi, 2), small: newGlyphs(dpi, 1)}
	for _, c := range strconv.Itoa(num) {
		p.digits = append(p.digits, byte(c-'0'))
	}
	p.margin = px(0.9)
	p.numTop = px(0.8)
	p.numScale = max(1, dpi/9)
	right := w - p.margin
	rnd := newRand(uint64(num), 0)

	p.titleX = p.margin + len(p.digits)*6*p.numScale + px(0.3)
	span := right - p.titleX
	p.title = textLine{top: p.numTop + px(0.05), x0: p.titleX, x1: p.titleX + span*(50+rnd.intn(40))/100, seed: rnd.next()}
	p.subtitle = textLine{top: p.numTop + px(0.4), x0: p.titleX, x1: p.titleX + span*(30+rnd.intn(40))/100, seed: rnd.next()}

	p.ruleTop = p.numTop + 7*p.numScale + px(0.15)
	p.ruleBot = p.ruleTop + max(1, dpi/100)

	p.bandTop, p.bandBot = p.numTop-px(0.15), p.ruleTop-px(0.05)
	p.bandX0, p.bandX1 = p.margin-px(0.15), right+px(0.15)

	p.bodyTop = p.ruleBot + px(0.35)
	p.pitch = max(1, dpi/6)
	bottom := h - px(1.1)
	indent := px(0.3)
	for top := p.bodyTop; top+p.pitch <= bottom; {
		n := 2 + rnd.intn(8)
		for i := 0; i < n && top+p.pitch <= bottom; i++ {
			l := textLine{top: top, x0: p.margin, x1: right, seed: rnd.next()}
			if i == 0 {
				l.x0 += indent
			}
			if i == n-1 {
				l.x1 = l.x0 + (right-l.x0)*(15+rnd.intn(70))/100
			}
			p.body = append(p.body, l)
			top += p.pitch
		}
		top += p.pitch // blank line between paragraphs
	}

	p.footScale = max(1, dpi/60)
	p.footTop = h - px(0.75)
	p.footX = (w - (len(p.digits)*6-1)*p.footScale) / 2
	return p
}

// drawRow fills row (one byte per pixel, Width long) with row y of the page.
func (p *synthPage) drawRow(y int, row []byte) {
	if p.blank {
		p.drawShowThrough(y, row)
		return
	}
	p.drawPrint(y, row)
}

// drawShowThrough draws row y of a blank back: the front's print mirrored
// at an eighth of its darkness, on paper with ±2 levels of noise.
func (p *synthPage) drawShowThrough(y int, row []byte) {
	p.drawPrint(y, row)
	slices.Reverse(row)
	for x, v := range row {
		row[x] = byte(paper - 3 - (paper-int(v))/8 + int(uint32(x*7919+y*104729)%5) - 2)
	}
}

// drawPrint fills row with row y of the printed page.
func (p *synthPage) drawPrint(y int, row []byte) {
	for i := range row {
		row[i] = paper
	}
	drawNumber(row, y-p.numTop, p.margin, p.numScale, p.digits)
	p.title.draw(row, y, p.big)
	p.subtitle.draw(row, y, p.small)
	if y >= p.ruleTop && y < p.ruleBot {
		fill(row, p.margin, p.w-p.margin, black)
	}
	if y >= p.bodyTop {
		// Lines are sorted by top and never taller than a pitch.
		for i := range p.body {
			l := &p.body[i]
			if l.top > y {
				break
			}
			if y-l.top < p.pitch {
				l.draw(row, y, p.small)
			}
		}
	}
	drawNumber(row, y-p.footTop, p.footX, p.footScale, p.digits)
}

// drawRowMode fills row with row y of the page coded in mode m, which has
// a raster layout (not ModeJPEG).
func (p *synthPage) drawRowMode(m scan.Mode, y int, row []byte) {
	if m == scan.ModeGray8 {
		p.drawRow(y, row)
		return
	}
	if p.gray == nil {
		p.gray = make([]byte, p.w)
	}
	p.drawRow(y, p.gray)
	switch m {
	case scan.ModeBW1:
		// The print is black or dark gray on white: a plain threshold.
		clear(row)
		for x, v := range p.gray {
			if v < 0x80 {
				row[x>>3] |= 0x80 >> (x & 7)
			}
		}
	case scan.ModeRGB24:
		inBand := !p.blank && y >= p.bandTop && y < p.bandBot
		for x, v := range p.gray {
			c := [3]byte{v, v, v}
			if inBand && x >= p.bandX0 && x < p.bandX1 {
				switch {
				case v == paper:
					c = bandColour
				case v == ink && x >= p.titleX:
					c = titleColour
				}
			}
			copy(row[3*x:], c[:])
		}
	}
}

// draw paints the part of the line's letters that falls on row y. The random
// sequence is consumed the same way for every row, so the letters line up.
func (l *textLine) draw(row []byte, y int, g glyphs) {
	dy := y - l.top
	if l.x1 == 0 || dy < 0 || dy >= g.asc+g.xh+g.desc {
		return
	}
	rnd := newRand(l.seed, 1)
	for x := l.x0; x < l.x1; x += g.wordGap {
		letters := 1 + rnd.intn(9)
		for i := 0; i < letters && x < l.x1; i++ {
			w := g.minW + rnd.intn(g.maxW-g.minW+1)
			top, bot := g.asc, g.asc+g.xh
			switch rnd.intn(8) {
			case 0, 1:
				top = 0 // ascender
			case 2:
				bot += g.desc
			}
			if dy >= top && dy < bot {
				fill(row, x, min(x+w, l.x1), ink)
			}
			x += w + g.gap
		}
	}
}

// drawNumber paints row dy of the decimal digits, each font pixel scale
// pixels square, starting at x.
func drawNumber(row []byte, dy, x, scale int, digits []byte) {
	if dy < 0 || dy >= 7*scale {
		return
	}
	for _, d := range digits {
		bits := font5x7[d][dy/scale]
		for c := range 5 {
			if bits&(0x10>>c) != 0 {
				fill(row, x+c*scale, x+(c+1)*scale, black)
			}
		}
		x += 6 * scale
	}
}

func fill(row []byte, x0, x1 int, v byte) {
	x0, x1 = max(x0, 0), min(x1, len(row))
	for i := x0; i < x1; i++ {
		row[i] = v
	}
}

// font5x7 holds the digits 0-9, one byte per row, the low five bits left to right.
var font5x7 = [10][7]byte{
	{0x0e, 0x11, 0x13, 0x15, 0x19, 0x11, 0x0e},
	{0x04, 0x0c, 0x04, 0x04, 0x04, 0x04, 0x0e},
	{0x0e, 0x11, 0x01, 0x02, 0x04, 0x08, 0x1f},
	{0x1f, 0x02, 0x04, 0x02, 0x01, 0x11, 0x0e},
	{0x02, 0x06, 0x0a, 0x12, 0x1f, 0x02, 0x02},
	{0x1f, 0x10, 0x1e, 0x01, 0x01, 0x11, 0x0e},
	{0x06, 0x08, 0x10, 0x1e, 0x11, 0x11, 0x0e},
	{0x1f, 0x01, 0x02, 0x04, 0x08, 0x08, 0x08},
	{0x0e, 0x11, 0x11, 0x0e, 0x11, 0x11, 0x0e},
	{0x0e, 0x11, 0x11, 0x0f, 0x01, 0x02, 0x0c},
}

// splitmix is splitmix64: the pages must stay the same across Go releases, so
// the generator is ours rather than math/rand's.
type splitmix struct{ s uint64 }

func newRand(a, b uint64) splitmix {
	r := splitmix{s: a*0x9e3779b97f4a7c15 ^ b}
	r.next()
	return r
}

func (r *splitmix) next() uint64 {
	r.s += 0x9e3779b97f4a7c15
	z := r.s
	z = (z ^ z>>30) * 0xbf58476d1ce4e5b9
	z = (z ^ z>>27) * 0x94d049bb133111eb
	return z ^ z>>31
}

// intn returns a number in [0, n); the slight modulo bias does not matter here.
func (r *splitmix) intn(n int) int { return int(r.next() % uint64(n)) }
