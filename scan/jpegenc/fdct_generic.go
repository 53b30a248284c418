//go:build (!amd64 && !arm64) || purego

package jpegenc

// fdct is fdctGo where there is no assembly (or with -tags purego).
func fdct(b *[64]int32, recip *[64]uint32) uint64 { return fdctGo(b, recip) }
