//go:build !purego

package jpegenc

import "testing"

// TestFDCTAVX2 compares the AVX2 transforms with fdctGo, also where fdct
// would not choose it.
func TestFDCTAVX2(t *testing.T) {
	if !hasAVX2 {
		t.Skip("no AVX2 on this CPU")
	}
	checkFDCT(t, fdctAVX2)
	checkFDCTWrap(t, fdctAVX2)
	checkFDCTGray(t, func(rows []byte, stride int, recip *[64]uint32, b *[64]int32) uint64 {
		return fdctGrayAVX2(&rows[0], stride, recip, b)
	})
}
