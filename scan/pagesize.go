package scan

import "fmt"

// maxPixels bounds the pixels of a page: A3 at 600 dpi is about 70
// million.
const maxPixels = 1 << 27

// maxSide is the largest width or height a page may have: JPEG and the
// link's page header hold no more.
const maxSide = 0xffff

// checkPageSize is the one guard on the size of a page the scanner
// announces. Products of its numbers are taken in int64: on 32-bit ARM an
// int would wrap, and a 65535x65535 page would pass as a small one.
func checkPageSize(h PageHeader) error {
	if h.Width <= 0 || h.Height <= 0 || h.DPI <= 0 {
		return fmt.Errorf("bad page header %dx%d at %d dpi", h.Width, h.Height, h.DPI)
	}
	if h.Width > maxSide || h.Height > maxSide || int64(h.Width)*int64(h.Height) > maxPixels {
		return fmt.Errorf("%w: page of %dx%d pixels is too large", ErrUnsupported, h.Width, h.Height)
	}
	return nil
}

// rasterBytes is the size of a page's uncompressed raster: for ModeJPEG,
// that of its decoded samples, given their components.
func rasterBytes(width, height, components int) int64 {
	return int64(width) * int64(height) * int64(components)
}
