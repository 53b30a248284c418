//go:build !purego

package jpegenc

import "golang.org/x/sys/cpu"

// hasAVX2 is read once: the feature flags do not change while we run.
// GODEBUG=cpu.avx2=off clears it, which runs the pure-Go transform.
var hasAVX2 = cpu.X86.HasAVX2

// fdct is fdctAVX2 where the CPU has AVX2, else fdctGo.
func fdct(b *[64]int32, recip *[64]uint32) uint64 {
	if hasAVX2 {
		return fdctAVX2(b, recip)
	}
	return fdctGo(b, recip)
}

// fdctAVX2 is fdctGo in AVX2 (fdct_amd64.s), bit for bit.
//
//go:noescape
func fdctAVX2(b *[64]int32, recip *[64]uint32) uint64

// fdctGray is fdctGrayGo, with the AVX2 transform where the CPU has it.
func fdctGray(rows []byte, stride int, recip *[64]uint32, b *[64]int32) uint64 {
	_ = rows[7*stride+7] // the assembly reads up to here
	if hasAVX2 {
		return fdctGrayAVX2(&rows[0], stride, recip, b)
	}
	return fdctGrayGo(rows, stride, recip, b)
}

// fdctGrayAVX2 is fdctGrayGo in AVX2 (fdct_amd64.s): it widens the samples
// itself, at p, p+stride, … p+7·stride, which must all be valid.
//
//go:noescape
func fdctGrayAVX2(p *byte, stride int, recip *[64]uint32, b *[64]int32) uint64
