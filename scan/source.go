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

const (
	ModeGray8 Mode = iota + 1 // 8-bit gray, one byte per pixel
)

func (m Mode) String() string {
	switch m {
	case ModeGray8:
		return "gray8"
	}
	return fmt.Sprintf("Mode(%d)", int(m))
}

// bytesPerPixel is 0 for modes that have no fixed raster layout.
func (m Mode) bytesPerPixel() int {
	switch m {
	case ModeGray8:
		return 1
	}
	return 0
}

// PageHeader describes a page before its pixels arrive.
type PageHeader struct {
	Width, Height int // pixels
	DPI           int
	Mode          Mode
}

// rowBytes is the length of one raster row in Data.
func (h PageHeader) rowBytes() int { return h.Width * h.Mode.bytesPerPixel() }

// Page is one scanned page. Data yields the raster rows top to bottom
// (Width*bytesPerPixel bytes per row, Height rows) and must be read to the end
// (or the Source closed) before NextPage is called again.
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
	Pages int // how many pages a simulator produces; real scanners ignore it
}

// supportedDPI are the resolutions a flatbed controller offers.
var supportedDPI = [...]int{75, 100, 150, 200, 300, 600}

// withDefaults fills zero fields and rejects what no scanner here supports.
func (o Options) withDefaults() (Options, error) {
	if o.Mode == 0 {
		o.Mode = ModeGray8
	}
	if o.DPI == 0 {
		o.DPI = 300
	}
	if o.Pages == 0 {
		o.Pages = 1
	}
	if o.Mode != ModeGray8 {
		return o, fmt.Errorf("%w: mode %v (supported: %v)", ErrUnsupported, o.Mode, ModeGray8)
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
