package scan

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"sync/atomic"
)

// Simulator is an in-process scanner producing synthetic A4 pages that look
// like printed documents, each with its page number drawn large.
type Simulator struct {
	Logger *slog.Logger // nil discards
}

var errSourceClosed = errors.New("scan: source closed")

// Scan starts a simulated job. The pages are A4 at opts.DPI and are the same
// for the same page number on every run.
func (s *Simulator) Scan(ctx context.Context, opts Options) (Source, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	opts, err := opts.withDefaults()
	if err != nil {
		return nil, err
	}
	log := s.Logger
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	log.DebugContext(ctx, "simulated scan", "mode", opts.Mode, "dpi", opts.DPI, "pages", opts.Pages)
	return &simSource{opts: opts, log: log}, nil
}

type simSource struct {
	opts   Options
	log    *slog.Logger
	next   int // pages handed out so far
	cur    *simPageReader
	closed atomic.Bool
}

func (s *simSource) NextPage(ctx context.Context) (Page, error) {
	if s.closed.Load() {
		return Page{}, errSourceClosed
	}
	if err := ctx.Err(); err != nil {
		return Page{}, err
	}
	if s.cur != nil && s.cur.y < s.cur.pg.h {
		// A real link would now be out of step with the scanner.
		return Page{}, fmt.Errorf("scan: NextPage called before page %d was read to the end", s.next)
	}
	if s.next >= s.opts.Pages {
		return Page{}, io.EOF
	}
	s.next++
	// A4 is 210x297 mm, rounded to whole pixels: 2480x3508 at 300 dpi.
	w := (210*s.opts.DPI*100/254 + 5) / 10
	h := (297*s.opts.DPI*100/254 + 5) / 10
	hdr := PageHeader{Width: w, Height: h, DPI: s.opts.DPI, Mode: s.opts.Mode}
	var row []byte
	if s.cur != nil && len(s.cur.row) == hdr.rowBytes() {
		row = s.cur.row
	} else {
		row = make([]byte, hdr.rowBytes())
	}
	s.cur = &simPageReader{ctx: ctx, src: s, pg: newSynthPage(w, h, s.opts.DPI, s.next), row: row, off: len(row)}
	s.log.DebugContext(ctx, "simulated page", "page", s.next, "width", w, "height", h)
	return Page{PageHeader: hdr, Data: s.cur}, nil
}

func (s *simSource) Close() error {
	s.closed.Store(true)
	return nil
}

// simPageReader draws one row at a time, so a page never exists whole.
type simPageReader struct {
	ctx context.Context
	src *simSource
	pg  *synthPage
	y   int    // next row to draw
	row []byte // row y-1, of which row[off:] is still unread
	off int
}

func (r *simPageReader) Read(p []byte) (int, error) {
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
				if r.src.closed.Load() {
					return n, errSourceClosed
				}
				if err := r.ctx.Err(); err != nil {
					return n, err
				}
			}
			r.pg.drawRow(r.y, r.row)
			r.y++
			r.off = 0
		}
		c := copy(p[n:], r.row[r.off:])
		r.off += c
		n += c
	}
	return n, nil
}
