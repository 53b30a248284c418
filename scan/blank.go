package scan

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
)

// Blank detection defaults; see BlankOptions.
const (
	DefaultBlankDarkness = 160
	DefaultBlankDust     = 6
)

// BlankOptions say what a blank page is: one whose content is only paper.
// A pixel darker than Darkness is ink; lighter ones (the paper's tint,
// scanner noise, bleed-through from the back, a light pencil trace) are
// paper. A page is blank when no patch of about 5 mm holds more ink than a
// speck of dust Dust tenths of a millimetre square: specks of dust and noise
// are ignored, a page number is not.
type BlankOptions struct {
	Darkness int // 1..254, 0 = DefaultBlankDarkness
	Dust     int // tenths of a millimetre, 1..20, 0 = DefaultBlankDust
}

func (o BlankOptions) withDefaults() BlankOptions {
	if o.Darkness == 0 {
		o.Darkness = DefaultBlankDarkness
	}
	if o.Dust == 0 {
		o.Dust = DefaultBlankDust
	}
	return o
}

// blankJudge decides, as a raster page's bytes go by, whether it holds ink.
// It counts ink pixels in square tiles of a tenth of an inch, keeping two
// rows of tiles; any mark smaller than a tile lies wholly in some 2×2 block
// of tiles, so a block with more ink than the largest speck of dust is a
// mark. Once it has seen one it stays inked: the decision never goes back.
type blankJudge struct {
	mode      Mode
	width     int
	rowBytes  int
	tile      int
	minMark   int32 // ink pixels in a block that make a mark
	dark      int
	cur, prev []int32 // ink pixels by tile column: this row of tiles, the last
	col, row  int     // byte in the row, row in the page
	rgb       [3]byte
	inked     bool
}

func newBlankJudge(h PageHeader, o BlankOptions) *blankJudge {
	o = o.withDefaults()
	tile := max(h.DPI/10, 1)
	side := float64(o.Dust) * float64(h.DPI) / 254 // the speck's side in pixels
	n := (h.Width + tile - 1) / tile
	return &blankJudge{
		mode: h.Mode, width: h.Width, rowBytes: h.Mode.RowBytes(h.Width),
		tile: tile, minMark: int32(side*side) + 1, dark: o.Darkness,
		cur: make([]int32, n), prev: make([]int32, n),
	}
}

// Write takes the page's next bytes; it never fails.
func (j *blankJudge) Write(p []byte) (int, error) {
	for _, b := range p {
		if j.inked {
			break
		}
		switch j.mode {
		case ModeGray8:
			if int(b) < j.dark {
				j.cur[j.col/j.tile]++
			}
		case ModeBW1:
			for bit := range 8 {
				x := j.col*8 + bit
				if x < j.width && b&(0x80>>bit) != 0 {
					j.cur[x/j.tile]++
				}
			}
		case ModeRGB24:
			j.rgb[j.col%3] = b
			if j.col%3 == 2 {
				// Luma, BT.601 weights in 1/256.
				y := (77*int(j.rgb[0]) + 150*int(j.rgb[1]) + 29*int(j.rgb[2])) >> 8
				if y < j.dark {
					j.cur[j.col/3/j.tile]++
				}
			}
		}
		j.col++
		if j.col == j.rowBytes {
			j.col = 0
			j.row++
			if j.row%j.tile == 0 {
				j.endTileRow()
			}
		}
	}
	return len(p), nil
}

// endTileRow checks the blocks of the last two rows of tiles.
func (j *blankJudge) endTileRow() {
	for i := range j.cur {
		sum := j.cur[i] + j.prev[i]
		if i+1 < len(j.cur) {
			sum += j.cur[i+1] + j.prev[i+1]
		}
		if sum >= j.minMark {
			j.inked = true
		}
	}
	j.cur, j.prev = j.prev, j.cur
	clear(j.cur)
}

// finish checks the bottom's partial row of tiles.
func (j *blankJudge) finish() {
	if j.row%j.tile != 0 || j.col != 0 {
		j.endTileRow()
	}
}

// BlankFilter leaves the blank pages out of scanned pages. It judges each
// raster page as it streams in, keeping a copy of it in a file, unlinked
// at once, in dir; once the page shows ink, the copy stops and the page is
// passed on, the copy first and the rest from the scanner. Memory stays
// constant; the disk holds at most two pages. Pages in the engine's own
// JPEG mode are passed on unjudged: judging them would mean decoding them.
//
// The document is never left empty: while no page has been passed on, the
// first blank page is kept aside and passed on when a Source ends with no
// other page (AllBlank then says so).
type BlankFilter struct {
	dir      string
	opts     BlankOptions
	dropped  int
	passed   int
	allBlank bool
	held     *os.File // the first blank page, while none was passed on
	heldHdr  PageHeader
	heldLen  int64
	open     *os.File // the copy the page last passed on reads from
}

// NewBlankFilter returns a filter keeping its page copies in dir.
func NewBlankFilter(dir string, opts BlankOptions) *BlankFilter {
	return &BlankFilter{dir: dir, opts: opts.withDefaults()}
}

// Dropped is how many blank pages were left out.
func (f *BlankFilter) Dropped() int { return f.dropped }

// AllBlank says every page was blank and the first was kept.
func (f *BlankFilter) AllBlank() bool { return f.allBlank }

// Close removes the page copies still open.
func (f *BlankFilter) Close() error {
	f.closeOpen()
	if f.held != nil {
		f.held.Close()
		f.held = nil
	}
	return nil
}

func (f *BlankFilter) closeOpen() {
	if f.open != nil {
		f.open.Close()
		f.open = nil
	}
}

// Source returns src without its blank pages. For a job scanned as several
// Sources (a flatbed's page at a time), wrap each with the same filter.
func (f *BlankFilter) Source(src Source) Source { return &blankSource{f: f, src: src} }

type blankSource struct {
	f   *BlankFilter
	src Source
}

func (s *blankSource) Close() error {
	s.f.closeOpen()
	return s.src.Close()
}

func (s *blankSource) NextPage(ctx context.Context) (Page, error) {
	f := s.f
	f.closeOpen()
	for {
		pg, err := s.src.NextPage(ctx)
		if errors.Is(err, io.EOF) && f.passed == 0 && f.held != nil {
			// Every page so far was blank: the first goes after all.
			f.open, f.held = f.held, nil
			f.allBlank = true
			f.passed++
			return Page{PageHeader: f.heldHdr, Data: io.NewSectionReader(f.open, 0, f.heldLen)}, nil
		}
		if err != nil {
			return pg, err
		}
		if pg.Mode.RowBytes(pg.Width) == 0 {
			f.pass()
			return pg, nil
		}
		file, n, inked, err := f.judge(ctx, pg)
		if err != nil {
			return Page{}, err
		}
		if inked {
			f.pass()
			f.open = file
			data := io.MultiReader(io.NewSectionReader(file, 0, n), pg.Data)
			return Page{PageHeader: pg.PageHeader, Data: data}, nil
		}
		if f.passed == 0 && f.held == nil {
			f.held, f.heldHdr, f.heldLen = file, pg.PageHeader, n
			continue
		}
		file.Close()
		f.dropped++
	}
}

// pass counts a page passed on; the blank page kept aside is no longer
// needed.
func (f *BlankFilter) pass() {
	if f.held != nil {
		f.held.Close()
		f.held = nil
		f.dropped++
	}
	f.passed++
}

// judge copies pg's data into a new unlinked file until it shows ink or
// ends, and returns the file and the bytes copied.
func (f *BlankFilter) judge(ctx context.Context, pg Page) (*os.File, int64, bool, error) {
	file, err := os.CreateTemp(f.dir, ".blank-*")
	if err != nil {
		return nil, 0, false, fmt.Errorf("scan: blank page check: %w", err)
	}
	// Unlinked at once: the copy is gone when closed, or if we crash.
	if err := os.Remove(file.Name()); err != nil {
		file.Close()
		return nil, 0, false, fmt.Errorf("scan: blank page check: %w", err)
	}
	j := newBlankJudge(pg.PageHeader, f.opts)
	buf := make([]byte, 64<<10)
	var n int64
	for !j.inked {
		if err := ctx.Err(); err != nil {
			file.Close()
			return nil, 0, false, err
		}
		m, rerr := pg.Data.Read(buf)
		if m > 0 {
			if _, err := file.Write(buf[:m]); err != nil {
				file.Close()
				return nil, 0, false, fmt.Errorf("scan: blank page check: %w", err)
			}
			j.Write(buf[:m])
			n += int64(m)
		}
		if errors.Is(rerr, io.EOF) {
			j.finish()
			break
		}
		if rerr != nil {
			file.Close()
			return nil, 0, false, rerr
		}
	}
	return file, n, j.inked, nil
}
