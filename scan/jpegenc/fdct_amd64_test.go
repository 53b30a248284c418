//go:build !purego

package jpegenc

import "testing"

// TestFDCTAVX2 compares the AVX2 transforms with fdctGo, also where fdct
// would not choose it, and on inputs far outside 0..255: it does the same
// int32 arithmetic, wrap-around included, not merely the same on samples.
func TestFDCTAVX2(t *testing.T) {
	if !hasAVX2 {
		t.Skip("no AVX2 on this CPU")
	}
	checkFDCT(t, fdctAVX2)
	checkFDCTGray(t, func(rows []byte, stride int, recip *[64]uint32, b *[64]int32) uint64 {
		return fdctGrayAVX2(&rows[0], stride, recip, b)
	})

	rnd := &splitmix{s: 2}
	tables := fdctTables()
	for n := range 10000 {
		var in [64]int32
		for i := range in {
			in[i] = int32(rnd.next())
		}
		recip := tables[n%len(tables)]
		want, got := in, in
		wantNZ := fdctGo(&want, recip)
		if gotNZ := fdctAVX2(&got, recip); got != want || gotNZ != wantNZ {
			t.Fatalf("block %v:\ngot  %v mask %#x\nwant %v mask %#x", in, got, gotNZ, want, wantNZ)
		}
	}
}
