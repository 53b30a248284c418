package mrc

import (
	"errors"
	"fmt"
	"io"
	"slices"
)

const (
	// Reduce is how many pixels of the page, across and down, make one
	// pixel of the background: 300 dpi pages get a 100 dpi background.
	Reduce = 3
	// Cell is the side in pixels of the square a page is judged by (text
	// or not) and of one foreground colour. It is a multiple of Reduce so
	// that a band of cells gives whole background rows.
	Cell = 4 * Reduce
)

// Thresholds of the split, on luminance 0..255.
const (
	// minContrast is the least spread between a cell's darkest and
	// lightest pixel for it to hold text: below it, the cell is paper or
	// a tint and goes to the background whole.
	minContrast = 64
	// maxMidPercent is the most a text cell may have of pixels in the
	// middle half of its spread: text is ink on paper with thin
	// anti-aliased edges, a photo is mostly in between.
	maxMidPercent = 45
	// maxFillPercent is the most of a text cell that is painted over
	// with paper in the background.
	maxFillPercent = 50
)

// Options describe the page a Splitter receives.
type Options struct {
	Width, Height int
	Components    int // 1 for gray (0 black), 3 for RGB
}

// Layers receive the split page as it goes.
type Layers struct {
	// Mask gets Height rows of (Width+7)/8 bytes, most significant bit
	// first, 1 where the page has text.
	Mask io.Writer
	// Background gets BackgroundSize rows of Components bytes a pixel.
	Background io.Writer
}

// Splitter splits a page given to Write in whole rows. It is not safe for
// concurrent use.
type Splitter struct {
	o      Options
	l      Layers
	band   []byte      // up to Cell rows of the page
	rows   int         // rows in band
	done   int         // page rows split
	mask   []byte      // one band of mask rows
	bg     []byte      // one band of background rows
	fg     []byte      // the foreground, a pixel a cell, whole page
	text   []bool      // by cell: whether it has text
	cells  []judgement // the band's cells
	lum    []byte      // the band's luminance
	cellsX int
	err    error
}

// NewSplitter returns a Splitter for the page o writing to l.
func NewSplitter(o Options, l Layers) (*Splitter, error) {
	if o.Width < 1 || o.Height < 1 || (o.Components != 1 && o.Components != 3) {
		return nil, fmt.Errorf("mrc: page %dx%d with %d components", o.Width, o.Height, o.Components)
	}
	bw, _ := BackgroundSize(o.Width, o.Height)
	fw, fh := ForegroundSize(o.Width, o.Height)
	return &Splitter{
		o:      o,
		l:      l,
		band:   make([]byte, Cell*o.Width*o.Components),
		mask:   make([]byte, Cell*((o.Width+7)/8)),
		bg:     make([]byte, Cell/Reduce*bw*o.Components),
		fg:     make([]byte, fw*fh*o.Components),
		text:   make([]bool, fw*fh),
		cells:  make([]judgement, fw),
		lum:    make([]byte, Cell*o.Width),
		cellsX: fw,
	}, nil
}

// BackgroundSize is the size of the background of a page.
func BackgroundSize(width, height int) (int, int) {
	return (width + Reduce - 1) / Reduce, (height + Reduce - 1) / Reduce
}

// ForegroundSize is the size of the foreground of a page: a pixel a cell.
func ForegroundSize(width, height int) (int, int) {
	return (width + Cell - 1) / Cell, (height + Cell - 1) / Cell
}

// Write takes whole rows of the page.
func (s *Splitter) Write(p []byte) (int, error) {
	if s.err != nil {
		return 0, s.err
	}
	rowBytes := s.o.Width * s.o.Components
	if len(p)%rowBytes != 0 {
		return 0, errors.New("mrc: rows must be written whole")
	}
	if s.done+s.rows+len(p)/rowBytes > s.o.Height {
		return 0, errors.New("mrc: more rows than the page has")
	}
	n := 0
	for n < len(p) {
		c := copy(s.band[s.rows*rowBytes:], p[n:])
		n += c
		s.rows += c / rowBytes
		if s.rows == Cell {
			if err := s.flush(); err != nil {
				s.err = err
				return n, err
			}
		}
	}
	return n, nil
}

// Close splits the last rows. The foreground is complete once it returns.
func (s *Splitter) Close() error {
	if s.err != nil {
		return s.err
	}
	if s.rows > 0 {
		if err := s.flush(); err != nil {
			s.err = err
			return err
		}
	}
	if s.done != s.o.Height {
		s.err = fmt.Errorf("mrc: page ended after %d of %d rows", s.done, s.o.Height)
	}
	return s.err
}

// Foreground returns the text colour of each cell, Components bytes a
// pixel, ForegroundSize pixels, once Close has returned. A text cell that
// holds only the anti-aliased fringe of a letter (its bottom, say) takes
// the colour of the darker text beside it, else the letter's end would be
// painted in a paler colour. Cells without text take the colour of a
// neighbour with text: a viewer that smooths the foreground as it enlarges
// it then blends a letter's colour with itself, not with a colour from
// across the page. It is meant to be called once.
func (s *Splitter) Foreground() []byte {
	fw, fh := ForegroundSize(s.o.Width, s.o.Height)
	comps := s.o.Components
	orig := slices.Clone(s.fg)
	for i, text := range s.text {
		if !text {
			continue
		}
		x, y := i%fw, i/fw
		best := luma(orig[i*comps:], comps)
		for ny := max(y-1, 0); ny <= min(y+1, fh-1); ny++ {
			for nx := max(x-1, 0); nx <= min(x+1, fw-1); nx++ {
				n := ny*fw + nx
				if l := luma(orig[n*comps:], comps); s.text[n] && int(l)+fringeDarker < int(best) {
					best = l
					copy(s.fg[i*comps:][:comps], orig[n*comps:][:comps])
				}
			}
		}
	}
	filled := slices.Clone(s.text)
	for range spread {
		prev := slices.Clone(filled)
		for i := range filled {
			if filled[i] {
				continue
			}
			x, y := i%fw, i/fw
			for _, n := range [4][2]int{{x - 1, y}, {x + 1, y}, {x, y - 1}, {x, y + 1}} {
				if n[0] < 0 || n[0] >= fw || n[1] < 0 || n[1] >= fh || !prev[n[1]*fw+n[0]] {
					continue
				}
				copy(s.fg[i*comps:][:comps], s.fg[(n[1]*fw+n[0])*comps:][:comps])
				filled[i] = true
				break
			}
		}
	}
	return s.fg
}

// spread is how many cells away from text its colour is spread.
const spread = 2

// fringeDarker is how much darker than a text cell's colour a neighbour's
// must be for the cell to be taken as the fringe of the neighbour's text.
const fringeDarker = 32

// flush splits the rows in band.
func (s *Splitter) flush() error {
	w, comps, rows := s.o.Width, s.o.Components, s.rows
	maskRow := (w + 7) / 8
	clear(s.mask[:rows*maskRow])
	for i := range rows * w {
		s.lum[i] = luma(s.band[i*comps:], comps)
	}
	cy := s.done / Cell
	var last [3]byte // the colour of the cell before, for cells without text
	if cy > 0 {
		copy(last[:comps], s.fg[(cy-1)*s.cellsX*comps:])
	}
	for cx := range s.cellsX {
		x0, x1 := cx*Cell, min(cx*Cell+Cell, w)
		col := s.fg[(cy*s.cellsX+cx)*comps:][:comps]
		s.cells[cx] = s.cell(x0, x1, rows, col)
		if s.cells[cx].text {
			s.text[cy*s.cellsX+cx] = true
		} else {
			copy(col, last[:comps])
		}
		copy(last[:comps], col)
	}
	for cx, c := range s.cells {
		if !c.text {
			continue
		}
		// A text cell that is mostly ink beside a cell of the same
		// ink without text is the edge of an area of colour (a logo,
		// a bar): painted over with paper, it would put a step of the
		// background's JPEG where the area goes on without a mask.
		if c.mostlyInk && (cx > 0 && s.cells[cx-1].inkArea(c) || cx+1 < len(s.cells) && s.cells[cx+1].inkArea(c)) {
			continue
		}
		s.fill(cx*Cell, min(cx*Cell+Cell, w), rows, c)
	}
	if _, err := s.l.Mask.Write(s.mask[:rows*maskRow]); err != nil {
		return err
	}
	bgRows := s.reduce(rows)
	bw, _ := BackgroundSize(w, s.o.Height)
	if _, err := s.l.Background.Write(s.bg[:bgRows*bw*comps]); err != nil {
		return err
	}
	s.done += rows
	s.rows = 0
	return nil
}

// judgement is what cell found of a cell of a band.
type judgement struct {
	text      bool
	mostlyInk bool    // text covering more than maxFillPercent of the cell
	cut       byte    // a text cell's ink is this light or darker
	paperFrom byte    // a text cell's paper is this light or lighter
	paper     [3]byte // a text cell's paper colour
	mean      byte    // a cell without text's mean luminance
}

// inkArea reports whether c, a cell without text, is of the ink of the
// text cell t.
func (c judgement) inkArea(t judgement) bool { return !c.text && c.mean <= t.cut }

// cell judges the cell of columns x0..x1 of the band. For a text cell it
// sets the mask and sets col to the text's colour.
func (s *Splitter) cell(x0, x1, rows int, col []byte) judgement {
	w, comps := s.o.Width, s.o.Components
	lo, hi := byte(255), byte(0)
	sum := 0
	for y := range rows {
		for _, v := range s.lum[y*w+x0 : y*w+x1] {
			lo, hi = min(lo, v), max(hi, v)
			sum += int(v)
		}
	}
	n := rows * (x1 - x0)
	notText := judgement{mean: byte(sum / n)}
	spread := int(hi) - int(lo)
	if spread < minContrast {
		return notText
	}
	inkBelow := byte(int(lo) + spread/4)  // the ink's core, for its colour
	paperFrom := byte(int(hi) - spread/4) // paper and nothing else
	cut := byte((int(lo) + int(hi)) / 2)  // ink from here down
	mid := 0
	for y := range rows {
		for _, v := range s.lum[y*w+x0 : y*w+x1] {
			if v > inkBelow && v < paperFrom {
				mid++
			}
		}
	}
	if mid*100 > maxMidPercent*n {
		return notText
	}
	var ink, paper [3]int
	inks, papers, masked := 0, 0, 0
	maskRow := (w + 7) / 8
	for y := range rows {
		for x := x0; x < x1; x++ {
			v := s.lum[y*w+x]
			px := s.band[(y*w+x)*comps:][:comps]
			switch {
			case v >= paperFrom:
				papers++
				for c := range comps {
					paper[c] += int(px[c])
				}
			case v <= inkBelow:
				inks++
				for c := range comps {
					ink[c] += int(px[c])
				}
			}
			if v <= cut {
				s.mask[y*maskRow+x/8] |= 0x80 >> (x % 8)
				masked++
			}
		}
	}
	j := judgement{text: true, mostlyInk: masked*100 > maxFillPercent*n, cut: cut, paperFrom: paperFrom}
	for c := range comps {
		col[c] = byte(ink[c] / max(inks, 1))
		j.paper[c] = byte(paper[c] / max(papers, 1))
	}
	return j
}

// fill paints the text of the text cell c, of columns x0..x1 of the band,
// over with its paper's colour, so that the background's JPEG does not
// ring around letters that are not there.
func (s *Splitter) fill(x0, x1, rows int, c judgement) {
	w, comps := s.o.Width, s.o.Components
	for y := range rows {
		for x := x0; x < x1; x++ {
			if s.lum[y*w+x] < c.paperFrom {
				copy(s.band[(y*w+x)*comps:][:comps], c.paper[:comps])
			}
		}
	}
}

// reduce averages Reduce×Reduce blocks of band into bg and returns how
// many background rows that made.
func (s *Splitter) reduce(rows int) int {
	w, comps := s.o.Width, s.o.Components
	bw, _ := BackgroundSize(w, s.o.Height)
	out := (rows + Reduce - 1) / Reduce
	var sum [3]int
	for by := range out {
		y0, y1 := by*Reduce, min(by*Reduce+Reduce, rows)
		for bx := range bw {
			x0, x1 := bx*Reduce, min(bx*Reduce+Reduce, w)
			sum = [3]int{}
			for y := y0; y < y1; y++ {
				for x := x0; x < x1; x++ {
					for c := range comps {
						sum[c] += int(s.band[(y*w+x)*comps+c])
					}
				}
			}
			n := (y1 - y0) * (x1 - x0)
			for c := range comps {
				s.bg[(by*bw+bx)*comps+c] = byte((sum[c] + n/2) / n)
			}
		}
	}
	return out
}

// luma is a pixel's luminance (ITU-R BT.601 weights).
func luma(px []byte, comps int) byte {
	if comps == 1 {
		return px[0]
	}
	return byte((77*int(px[0]) + 150*int(px[1]) + 29*int(px[2]) + 128) >> 8)
}
