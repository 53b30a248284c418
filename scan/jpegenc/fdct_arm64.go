//go:build !purego

package jpegenc

// fdct runs fdctNEON: ASIMD is part of every arm64 core Go runs on, so
// there is no feature to check.
func fdct(b *[64]int32, recip *[64]uint32) uint64 { return fdctNEON(b, recip) }

// fdctNEON is fdctGo in NEON assembly (fdct_arm64.s), bit for bit.
//
//go:noescape
func fdctNEON(b *[64]int32, recip *[64]uint32) uint64
