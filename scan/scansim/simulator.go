// Package scansim holds the project's scanner simulators, beside each
// other: Scanner, the in-process scanner of -scanner sim and of tests,
// which draws synthetic document pages; Simulator, a scanner engine (a
// link.Engine) that scans those pages or image files in every mode, with
// a paper jam on demand; and Faults, a byte-stream wrapper that damages,
// drops, duplicates and delays what goes over the link. cmd/scansim
// serves the engine on a pty or a serial port.
package scansim

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"

	"scanmail/scan"
	"scanmail/scan/link"
)

// Simulator is a scanner engine. Its pages are the same for the same
// settings on every run, so tests can compare what arrives with what a
// second Simulator makes.
type Simulator struct {
	// Dir holds PNG and JPEG files, one page each, in name order. Empty
	// means synthetic A4 document pages.
	Dir string
	// Pages is how many pages the feeder holds when the host asks for all
	// of them (scan.Options.Pages 0): default 3 synthetic pages, or every
	// file in Dir once. A job for more pages than files cycles through
	// them.
	Pages int
	// JamAtPage makes the engine report a paper jam when it reaches this
	// page (from 1); 0 never jams.
	JamAtPage int
	// JamMidPage moves the jam to halfway through that page's data.
	JamMidPage bool
	// HangAtPage makes the engine stop halfway through this page's data
	// (from 1) and send nothing more until the job is cancelled, while
	// the link stays alive: a scanner whose motor or codec hung.
	HangAtPage int
	// EndlessPage makes the engine send this page's data (from 1)
	// without end: a codec that never closes its stream.
	EndlessPage int
	// Blank are the pages, from 1 in the order sent (sides in a 2-sided
	// job), that are blank backs: paper, noise and show-through.
	Blank  []int
	Logger *slog.Logger // nil discards
}

var _ link.Engine = (*Simulator)(nil)

var errClosed = errors.New("scansim: source closed")

// Scan starts a job. Modes are gray8, bw1, rgb24 and jpeg; synthetic pages
// take the resolutions Scanner draws (75 to 600 dpi), image files
// any, their pixels taken as they are.
func (s *Simulator) Scan(ctx context.Context, opts scan.Options) (scan.Source, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	if opts.Mode == 0 {
		opts.Mode = scan.ModeGray8
	}
	if opts.DPI == 0 {
		opts.DPI = 300
	}
	if opts.Mode < scan.ModeGray8 || opts.Mode > scan.ModeJPEG {
		return nil, fmt.Errorf("%w: mode %v", scan.ErrUnsupported, opts.Mode)
	}
	if opts.Pages < 0 {
		return nil, fmt.Errorf("scansim: negative page count %d", opts.Pages)
	}
	log := s.Logger
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	src := &source{sim: s, opts: opts, log: log, total: opts.Pages}
	if s.Dir != "" {
		files, err := imageFiles(s.Dir)
		if err != nil {
			return nil, err
		}
		src.files = files
		if src.total == 0 {
			src.total = len(files)
			if s.Pages > 0 {
				src.total = s.Pages
			}
		}
	} else {
		if src.total == 0 {
			src.total = 3
			if s.Pages > 0 {
				src.total = s.Pages
			}
		}
		gray, err := (&Scanner{Logger: log, Blank: s.Blank}).Scan(ctx, scan.Options{Mode: scan.ModeGray8, DPI: opts.DPI, Pages: src.total, Duplex: opts.Duplex})
		if err != nil {
			return nil, err
		}
		src.gray = gray
	}
	if opts.Duplex {
		src.total *= 2 // sides
	}
	log.DebugContext(ctx, "simulated job", "duplex", opts.Duplex, "mode", opts.Mode, "dpi", opts.DPI, "pages", src.total, "dir", s.Dir)
	return src, nil
}

// source is one job's feeder.
type source struct {
	sim    *Simulator
	opts   scan.Options
	log    *slog.Logger
	total  int
	next   int         // pages handed out
	gray   scan.Source // synthetic pages, in gray
	files  []string
	err    error
	closed bool
}

func (s *source) NextPage(ctx context.Context) (scan.Page, error) {
	switch {
	case s.closed:
		return scan.Page{}, errClosed
	case s.err != nil:
		return scan.Page{}, s.err
	case s.next >= s.total:
		return scan.Page{}, io.EOF
	}
	if err := ctx.Err(); err != nil {
		return scan.Page{}, err
	}
	num := s.next + 1
	jam := &link.EngineError{Code: link.CodePaperJam, Text: fmt.Sprintf("simulated jam at page %d", num)}
	if s.sim.JamAtPage == num && !s.sim.JamMidPage {
		s.err = jam
		return scan.Page{}, jam
	}
	var (
		page scan.Page
		err  error
	)
	if s.gray != nil {
		page, err = s.syntheticPage(ctx)
	} else {
		page, err = imagePage(s.files[(num-1)%len(s.files)], s.opts)
	}
	if err != nil {
		s.err = err
		return scan.Page{}, err
	}
	s.next = num
	page.Back = s.opts.Duplex && num%2 == 0
	size := int64(page.Mode.RowBytes(page.Width)) * int64(page.Height)
	if sized, ok := page.Data.(interface{ Size() int64 }); ok {
		size = sized.Size() // a JPEG stream
	}
	switch num {
	case s.sim.JamAtPage:
		page.Data = &jamReader{r: page.Data, left: size / 2, err: jam}
		s.err = jam
	case s.sim.HangAtPage:
		page.Data = &hangReader{r: page.Data, left: size / 2, ctx: ctx}
	case s.sim.EndlessPage:
		page.Data = io.MultiReader(page.Data, filler{})
	}
	s.log.DebugContext(ctx, "simulated page", "page", num, "width", page.Width, "height", page.Height, "mode", page.Mode)
	return page, nil
}

func (s *source) Close() error {
	s.closed = true
	if s.gray != nil {
		return s.gray.Close()
	}
	return nil
}

// hangReader gives left bytes, then nothing until ctx is done.
type hangReader struct {
	r    io.Reader
	left int64
	ctx  context.Context
}

func (h *hangReader) Read(p []byte) (int, error) {
	if h.left <= 0 {
		<-h.ctx.Done()
		return 0, h.ctx.Err()
	}
	if int64(len(p)) > h.left {
		p = p[:h.left]
	}
	n, err := h.r.Read(p)
	h.left -= int64(n)
	return n, err
}

// filler is data without end.
type filler struct{}

func (filler) Read(p []byte) (int, error) {
	for i := range p {
		p[i] = 0x55
	}
	return len(p), nil
}

// jamReader fails with err after left bytes.
type jamReader struct {
	r    io.Reader
	left int64
	err  error
}

func (j *jamReader) Read(p []byte) (int, error) {
	if j.left <= 0 {
		return 0, j.err
	}
	if int64(len(p)) > j.left {
		p = p[:j.left]
	}
	n, err := j.r.Read(p)
	j.left -= int64(n)
	return n, err
}
