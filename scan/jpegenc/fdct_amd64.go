//go:build !purego

package jpegenc

// fdct is fdctGo until the assembly for this architecture is written.
func fdct(b *[64]int32, recip *[64]uint32) uint64 { return fdctGo(b, recip) }
