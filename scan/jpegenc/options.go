package jpegenc

import (
	"errors"
	"fmt"
	"runtime"
)

// Options describe the raster a Writer receives and how it is coded.
type Options struct {
	Width, Height int // pixels, 1..65535
	// Components is 1 for gray (one byte a pixel, 0 black) or 3 for RGB
	// (three bytes a pixel), which is coded as YCbCr 4:2:0.
	Components int
	Quality    int // 1..100, 0 = 75
	DPI        int // JFIF pixel density, 0 = none given (aspect 1:1)
	Workers    int // goroutines coding at once, 0 = runtime.GOMAXPROCS(0)
}

// ErrOptions is wrapped by the errors for Options NewWriter cannot use.
var ErrOptions = errors.New("jpegenc: invalid options")

// withDefaults checks o and fills in the defaults.
func (o Options) withDefaults() (Options, error) {
	bad := func(format string, a ...any) (Options, error) {
		return o, fmt.Errorf("%w: "+format, append([]any{ErrOptions}, a...)...)
	}
	switch {
	case o.Width < 1 || o.Width > 0xffff || o.Height < 1 || o.Height > 0xffff:
		return bad("size %dx%d not within 1..65535", o.Width, o.Height)
	case o.Components != 1 && o.Components != 3:
		return bad("%d components, want 1 (gray) or 3 (RGB)", o.Components)
	case o.Quality < 0 || o.Quality > 100:
		return bad("quality %d not in 1..100", o.Quality)
	case o.DPI < 0 || o.DPI > 0xffff:
		return bad("%d dpi not in 0..65535", o.DPI)
	case o.Workers < 0:
		return bad("%d workers", o.Workers)
	}
	if o.Quality == 0 {
		o.Quality = 75
	}
	if o.Workers == 0 {
		o.Workers = runtime.GOMAXPROCS(0)
	}
	return o, nil
}
