//go:build !amd64 || purego

package jpegenc

// fdctGray is fdctGrayGo where there is no assembly for it (or with -tags
// purego).
func fdctGray(rows []byte, stride int, recip *[64]uint32, b *[64]int32) uint64 {
	return fdctGrayGo(rows, stride, recip, b)
}
