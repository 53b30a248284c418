package scan

import (
	"context"
	"errors"
	"fmt"
	"io"
)

// ErrUnsupported is wrapped by the errors for options or page headers that
// this package cannot handle, such as an unknown Mode or resolution.
var ErrUnsupported = errors.New("scan: unsupported")

// Mode is how a page's pixels are coded on the scanner link.
type Mode int

// The values are the mode byte of the scanner link's page header
// (scan/PROTOCOL.md); keep them stable.
const (
	// ModeGray8 is 8-bit gray, one byte a pixel, 0 black, 255 white.
	ModeGray8 Mode = iota + 1
	// ModeBW1 is bilevel, eight pixels a byte, most significant bit
	// first, 1 black, rows padded to whole bytes.
	ModeBW1
	// ModeRGB24 is 8-bit red, green, blue, three bytes a pixel.
	ModeRGB24
	// ModeJPEG is a page the engine's hardware codec already compressed:
	// Data is one baseline JPEG stream (gray or YCbCr), passed on as is.
	ModeJPEG
)

var modeNames = map[Mode]string{ModeGray8: "gray8", ModeBW1: "bw1", ModeRGB24: "rgb24", ModeJPEG: "jpeg"}

func (m Mode) String() string {
	if s, ok := modeNames[m]; ok {
		return s
	}
	return fmt.Sprintf("Mode(%d)", int(m))
}

// ParseMode reads a mode by its name ("gray8", "bw1", "rgb24", "jpeg").
func ParseMode(s string) (Mode, error) {
	for m, name := range modeNames {
		if name == s {
			return m, nil
		}
	}
	return 0, fmt.Errorf("%w: mode %q (known: bw1, gray8, rgb24, jpeg)", ErrUnsupported, s)
}

// RowBytes is the length of one raster row of width pixels in mode m, or 0
// for ModeJPEG, which has no raster layout.
func (m Mode) RowBytes(width int) int {
	switch m {
	case ModeGray8:
		return width
	case ModeBW1:
		return (width + 7) / 8
	case ModeRGB24:
		return 3 * width
	}
	return 0
}

// PageHeader describes a page before its pixels arrive.
type PageHeader struct {
	Width, Height int // pixels
	DPI           int
	Mode          Mode
	// Back is set for the back side of a sheet in a 2-sided (Duplex)
	// job; the back follows its front.
	Back bool
}

// Page is one scanned page. Data yields the raster rows top to bottom
// (Mode.RowBytes(Width) bytes a row, Height rows), or for ModeJPEG the JPEG
// stream, and must be read to the end (or the Source closed) before NextPage
// is called again.
type Page struct {
	PageHeader
	Data io.Reader
}

// Source is one scan job's stream of pages. It is not safe for concurrent
// use, except that Close may be called at any time to abort the job.
type Source interface {
	NextPage(ctx context.Context) (Page, error) // io.EOF after the last page
	Close() error
}

// Options asks a scanner for a job. Zero fields take defaults: ModeGray8,
// 300 dpi, one page.
type Options struct {
	Mode  Mode
	DPI   int
	Pages int // how many pages (sheets, when Duplex) a simulator produces; real scanners ignore it
	// Duplex scans both sides of every sheet: pages come front, back,
	// front, back. A scanner without a duplex unit refuses it with an
	// error wrapping ErrUnsupported.
	Duplex bool
}

// supportedDPI are the resolutions a flatbed controller offers.
var supportedDPI = [...]int{75, 100, 150, 200, 300, 600}

// WithDefaults fills zero fields and rejects what no scanner here supports.
func (o Options) WithDefaults() (Options, error) {
	if o.Mode == 0 {
		o.Mode = ModeGray8
	}
	if o.DPI == 0 {
		o.DPI = 300
	}
	if o.Pages == 0 {
		o.Pages = 1
	}
	if _, ok := modeNames[o.Mode]; !ok {
		return o, fmt.Errorf("%w: mode %v (supported: bw1, gray8, rgb24, jpeg)", ErrUnsupported, o.Mode)
	}
	ok := false
	for _, d := range supportedDPI {
		ok = ok || d == o.DPI
	}
	if !ok {
		return o, fmt.Errorf("%w: resolution %d dpi (supported: %v)", ErrUnsupported, o.DPI, supportedDPI)
	}
	if o.Pages < 0 {
		return o, fmt.Errorf("scan: negative page count %d", o.Pages)
	}
	return o, nil
}
