package scansim

import (
	"bytes"
	"context"
	"fmt"
	"image"
	"image/color"
	"image/jpeg"
	"io"
	"log/slog"
	"slices"
	"sync/atomic"

	"scanmail/scan"
)

// Scanner is the in-process scanner of -scanner sim and of tests: no link
// and no engine, just synthetic A4 pages that look like printed documents,
// each with its page number drawn large. It offers every Mode: ModeBW1 is
// the gray page thresholded, ModeRGB24 adds a coloured header band and a
// blue title, and ModeJPEG is the gray (or colour) page as the engine's
// hardware codec would send it, one JFIF stream with the resolution in it.
type Scanner struct {
	Logger *slog.Logger // nil discards
	// ColorJPEG makes ModeJPEG pages colour (YCbCr 4:2:0) instead of gray.
	ColorJPEG bool
	// Blank are the pages, numbered from 1 in the order sent, that are
	// the blank backs of printed sheets (paper, noise, show-through).
	Blank []int
}

// scannerJPEGQuality is the simulated hardware codec's fixed setting; the
// engine Simulator's codec has its own (jpegQuality).
const scannerJPEGQuality = 75

// Scan starts a simulated job. The pages are A4 at opts.DPI and are the same
// for the same page number and mode on every run. A 2-sided job (Duplex)
// has opts.Pages sheets, each a front and a printed back (or a blank one,
// as Blank says).
func (s *Scanner) Scan(ctx context.Context, opts scan.Options) (scan.Source, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	opts, err := opts.WithDefaults()
	if err != nil {
		return nil, err
	}
	log := s.Logger
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	log.DebugContext(ctx, "simulated scan", "mode", opts.Mode, "dpi", opts.DPI, "pages", opts.Pages)
	return &simSource{opts: opts, color: s.ColorJPEG, blank: s.Blank, log: log}, nil
}

type simSource struct {
	opts   scan.Options
	color  bool // colour JPEG pages
	blank  []int
	log    *slog.Logger
	next   int     // pages handed out so far
	cur    simPage // the page handed out last
	row    []byte  // raster row buffer, kept from page to page
	closed atomic.Bool
}

// simPage is a page's Data.
type simPage interface {
	io.Reader
	unread() bool // not yet read to the end
}

func (s *simSource) NextPage(ctx context.Context) (scan.Page, error) {
	if s.closed.Load() {
		return scan.Page{}, errClosed
	}
	if err := ctx.Err(); err != nil {
		return scan.Page{}, err
	}
	if s.cur != nil && s.cur.unread() {
		// A real link would now be out of step with the scanner.
		return scan.Page{}, fmt.Errorf("scansim: NextPage called before page %d was read to the end", s.next)
	}
	sides := s.opts.Pages
	if s.opts.Duplex {
		sides *= 2
	}
	if s.next >= sides {
		return scan.Page{}, io.EOF
	}
	s.next++
	// A4 is 210x297 mm, rounded to whole pixels: 2480x3508 at 300 dpi.
	w := (210*s.opts.DPI*100/254 + 5) / 10
	h := (297*s.opts.DPI*100/254 + 5) / 10
	hdr := scan.PageHeader{Width: w, Height: h, DPI: s.opts.DPI, Mode: s.opts.Mode, Back: s.opts.Duplex && s.next%2 == 0}
	pg := newSynthPage(w, h, s.opts.DPI, s.next)
	pg.blank = slices.Contains(s.blank, s.next)
	if hdr.Mode == scan.ModeJPEG {
		s.cur = &simJPEGReader{ctx: ctx, src: s, pg: pg, dpi: s.opts.DPI, color: s.color}
	} else {
		if len(s.row) != hdr.Mode.RowBytes(w) {
			s.row = make([]byte, hdr.Mode.RowBytes(w))
		}
		s.cur = &simRowReader{ctx: ctx, src: s, pg: pg, mode: hdr.Mode, row: s.row, off: len(s.row)}
	}
	s.log.DebugContext(ctx, "simulated page", "page", s.next, "width", w, "height", h)
	return scan.Page{PageHeader: hdr, Data: s.cur}, nil
}

func (s *simSource) Close() error {
	s.closed.Store(true)
	return nil
}

// check reports why the job should stop: the source closed or the
// context done.
func (s *simSource) check(ctx context.Context) error {
	if s.closed.Load() {
		return errClosed
	}
	return ctx.Err()
}

// simRowReader draws one raster row at a time, so a page never exists
// whole.
type simRowReader struct {
	ctx  context.Context
	src  *simSource
	pg   *synthPage
	mode scan.Mode
	y    int    // next row to draw
	row  []byte // row y-1, of which row[off:] is still unread
	off  int
}

func (r *simRowReader) unread() bool { return r.y < r.pg.h || r.off < len(r.row) }

func (r *simRowReader) Read(p []byte) (int, error) {
	n := 0
	for n < len(p) {
		if r.off == len(r.row) {
			if r.y == r.pg.h {
				if n > 0 {
					return n, nil
				}
				return 0, io.EOF
			}
			if r.y%64 == 0 {
				if err := r.src.check(r.ctx); err != nil {
					return n, err
				}
			}
			r.pg.drawRowMode(r.mode, r.y, r.row)
			r.y++
			r.off = 0
		}
		c := copy(p[n:], r.row[r.off:])
		r.off += c
		n += c
	}
	return n, nil
}

// simJPEGReader plays the engine's hardware codec: the page is compressed
// when its first byte is read, and only the JPEG stream is kept.
type simJPEGReader struct {
	ctx   context.Context
	src   *simSource
	pg    *synthPage
	dpi   int
	color bool
	data  *bytes.Reader // nil until encoded
}

func (r *simJPEGReader) unread() bool { return r.data == nil || r.data.Len() > 0 }

func (r *simJPEGReader) Read(p []byte) (int, error) {
	if err := r.src.check(r.ctx); err != nil {
		return 0, err
	}
	if r.data == nil {
		b, err := r.encode()
		if err != nil {
			return 0, err
		}
		r.data = bytes.NewReader(b)
		r.pg = nil
	}
	return r.data.Read(p)
}

func (r *simJPEGReader) encode() ([]byte, error) {
	var img image.Image
	var bands *rgbBands
	if r.color {
		// A colour raster would be four bytes a pixel; the encoder reads
		// this one a band of rows at a time.
		bands = &rgbBands{ctx: r.ctx, src: r.src, pg: r.pg}
		img = bands
	} else {
		// image/jpeg writes a gray JPEG only from an *image.Gray, so the
		// gray page exists whole while it is encoded (as in PDFWriter).
		g := image.NewGray(image.Rect(0, 0, r.pg.w, r.pg.h))
		for y := range r.pg.h {
			if y%64 == 0 {
				if err := r.src.check(r.ctx); err != nil {
					return nil, err
				}
			}
			r.pg.drawRow(y, g.Pix[y*g.Stride:][:r.pg.w])
		}
		img = g
	}
	var b bytes.Buffer
	b.Write([]byte{0xff, 0xd8})
	b.Write(jfifSegment(r.dpi))
	// image/jpeg writes no JFIF segment: ours goes right after its SOI.
	if err := jpeg.Encode(&skipWriter{w: &b, skip: 2}, img, &jpeg.Options{Quality: scannerJPEGQuality}); err != nil {
		return nil, fmt.Errorf("scansim: simulated JPEG codec: %w", err)
	}
	if bands != nil && bands.err != nil {
		return nil, bands.err
	}
	return b.Bytes(), nil
}

// jfifSegment is a JFIF 1.02 APP0 segment giving the resolution in dots
// per inch, without thumbnail.
func jfifSegment(dpi int) []byte {
	return []byte{0xff, 0xe0, 0, 16, 'J', 'F', 'I', 'F', 0, 1, 2, 1,
		byte(dpi >> 8), byte(dpi), byte(dpi >> 8), byte(dpi), 0, 0}
}

// skipWriter drops the first skip bytes written to it.
type skipWriter struct {
	w    io.Writer
	skip int
}

func (s *skipWriter) Write(p []byte) (int, error) {
	n := len(p)
	d := min(s.skip, len(p))
	s.skip -= d
	if _, err := s.w.Write(p[d:]); err != nil {
		return 0, err
	}
	return n, nil
}

// rgbBands is a colour page as an image whose rows are drawn on demand,
// bandRows at a time: image/jpeg asks for pixels in 16-row stripes, top
// to bottom.
type rgbBands struct {
	ctx  context.Context
	src  *simSource
	pg   *synthPage
	y0   int          // first row in px, -1 for none
	px   []color.RGBA // bandRows rows
	line []byte       // one RGB24 row
	err  error        // why drawing stopped; the rest is left blank
}

const bandRows = 16

func (b *rgbBands) ColorModel() color.Model { return color.RGBAModel }
func (b *rgbBands) Bounds() image.Rectangle { return image.Rect(0, 0, b.pg.w, b.pg.h) }

func (b *rgbBands) At(x, y int) color.Color {
	if b.px == nil || y < b.y0 || y >= b.y0+bandRows {
		b.fill(y - y%bandRows)
	}
	// A pointer into the band: returning a color.RGBA value would allocate
	// for every pixel.
	return &b.px[(y-b.y0)*b.pg.w+x]
}

func (b *rgbBands) fill(y0 int) {
	w := b.pg.w
	if b.px == nil {
		b.px = make([]color.RGBA, bandRows*w)
		b.line = make([]byte, scan.ModeRGB24.RowBytes(w))
	}
	b.y0 = y0
	if b.err == nil && y0%64 == 0 {
		b.err = b.src.check(b.ctx)
	}
	for j := range min(bandRows, b.pg.h-y0) {
		if b.err != nil {
			clear(b.px)
			return
		}
		b.pg.drawRowMode(scan.ModeRGB24, y0+j, b.line)
		for x := range w {
			b.px[j*w+x] = color.RGBA{b.line[3*x], b.line[3*x+1], b.line[3*x+2], 0xff}
		}
	}
}
