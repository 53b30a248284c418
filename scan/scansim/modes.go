package scansim

import (
	"bytes"
	"context"
	"fmt"
	"image"
	"image/jpeg"
	"io"
	"slices"

	"scanmail/scan"
)

// jpegQuality is what the simulated hardware codec uses.
const jpegQuality = 85

// syntheticPage takes the next gray page of the job and codes it in the
// job's mode. Raster modes are converted row by row as they are read, so
// no page is held whole; jpeg needs the whole page to encode.
// blank says whether the page being made is one of the blank backs.
func (s *source) blank() bool {
	return slices.Contains(s.sim.Blank, s.next+1)
}

func (s *source) syntheticPage(ctx context.Context) (scan.Page, error) {
	g, err := s.gray.NextPage(ctx)
	if err != nil {
		return scan.Page{}, err
	}
	hdr := scan.PageHeader{Width: g.Width, Height: g.Height, DPI: g.DPI, Mode: s.opts.Mode, Back: g.Back}
	grayRow := make([]byte, g.Width)
	fromGray := func(convert func(y int, gray, row []byte)) io.Reader {
		return newRowReader(hdr, func(y int, row []byte) error {
			if _, err := io.ReadFull(g.Data, grayRow); err != nil {
				return fmt.Errorf("scansim: gray row %d: %w", y, err)
			}
			convert(y, grayRow, row)
			return nil
		})
	}
	switch s.opts.Mode {
	case scan.ModeGray8:
		return scan.Page{PageHeader: hdr, Data: g.Data}, nil
	case scan.ModeBW1:
		return scan.Page{PageHeader: hdr, Data: fromGray(func(_ int, gray, row []byte) { threshold(gray, row) })}, nil
	case scan.ModeRGB24:
		bar := headerBar(g.DPI)
		if s.blank() {
			bar = 0 // a blank back has no coloured header
		}
		return scan.Page{PageHeader: hdr, Data: fromGray(func(y int, gray, row []byte) { tint(y < bar, gray, row) })}, nil
	}
	img := image.NewGray(image.Rect(0, 0, g.Width, g.Height))
	if _, err := io.ReadFull(g.Data, img.Pix); err != nil {
		return scan.Page{}, fmt.Errorf("scansim: gray page: %w", err)
	}
	return jpegPage(hdr, img)
}

func jpegPage(hdr scan.PageHeader, img image.Image) (scan.Page, error) {
	var buf bytes.Buffer
	if err := jpeg.Encode(&buf, img, &jpeg.Options{Quality: jpegQuality}); err != nil {
		return scan.Page{}, fmt.Errorf("scansim: encoding JPEG: %w", err)
	}
	hdr.Mode = scan.ModeJPEG
	return scan.Page{PageHeader: hdr, Data: bytes.NewReader(buf.Bytes())}, nil
}

// threshold packs a gray row into bw1: eight pixels a byte, most
// significant bit first, 1 black.
func threshold(gray, row []byte) {
	clear(row)
	for x, v := range gray {
		if v < 0x80 {
			row[x/8] |= 0x80 >> (x % 8)
		}
	}
}

// headerBar is the height of the coloured band at the top of rgb24 pages.
func headerBar(dpi int) int { return dpi * 19 / 10 }

// tint turns a gray row into rgb24: blue in the header bar, slightly warm
// paper below it.
func tint(bar bool, gray, row []byte) {
	for x, v := range gray {
		r, g, b := v, v, v-v/20
		if bar {
			r, g, b = byte(int(v)*11/20), byte(int(v)*14/20), v
		}
		row[3*x], row[3*x+1], row[3*x+2] = r, g, b
	}
}

// rowReader makes a page's data one row at a time.
type rowReader struct {
	rows int
	y    int    // next row to draw
	row  []byte // row y-1; row[off:] is unread
	off  int
	draw func(y int, row []byte) error
}

func newRowReader(hdr scan.PageHeader, draw func(y int, row []byte) error) *rowReader {
	rb := hdr.Mode.RowBytes(hdr.Width)
	return &rowReader{rows: hdr.Height, row: make([]byte, rb), off: rb, draw: draw}
}

func (r *rowReader) Read(p []byte) (int, error) {
	n := 0
	for n < len(p) {
		if r.off == len(r.row) {
			if r.y == r.rows {
				if n > 0 {
					return n, nil
				}
				return 0, io.EOF
			}
			if err := r.draw(r.y, r.row); err != nil {
				return n, err
			}
			r.y++
			r.off = 0
		}
		c := copy(p[n:], r.row[r.off:])
		r.off += c
		n += c
	}
	return n, nil
}
