//go:build !purego

package jpegenc

// fdct runs fdctNEON: ASIMD is part of every arm64 core Go runs on, so
// there is no feature to check.
func fdct(b *[64]int32, recip *[64]uint32) uint64 { return fdctNEON(b, recip) }

// fdctNEON is fdctGo in NEON assembly, bit for bit. fdct_arm64.s is
// written by fdct_arm64_gen.go: go run fdct_arm64_gen.go (on any host).
//
//go:noescape
func fdctNEON(b *[64]int32, recip *[64]uint32) uint64
