//go:build !amd64 || purego

package jpegenc

// fdctGray is fdctGrayGo where there is no assembly reading the raster
// (or with -tags purego): a copy, then fdct, which may still be assembly
// (arm64).
func fdctGray(rows []byte, stride int, recip *[64]uint32, b *[64]int32) uint64 {
	loadGray(rows, stride, b)
	return fdct(b, recip)
}
