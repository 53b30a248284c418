//go:build !purego

package jpegenc

import (
	"math"
	"testing"
)

// TestFDCTAsmARM64 compares fdctNEON with fdctGo, coefficients and mask,
// on extreme blocks against every table, and on random blocks and blocks
// of real rasters against tables in turn.
func TestFDCTAsmARM64(t *testing.T) {
	var tables [][64]uint32
	for q := 1; q <= 100; q++ {
		for _, base := range []*[64]uint8{&baseLumaQuant, &baseChromaQuant} {
			s := scaleQuant(base, q)
			tables = append(tables, newQuantizer(&s).recip)
		}
	}
	// The largest reciprocal allowed (no quantisation at all), 1 (almost
	// everything quantised to zero) and random ones below 2^31.
	rnd := &splitmix{s: 14}
	var largest, one, random [64]uint32
	for i := range 64 {
		largest[i], one[i] = 1<<31-1, 1
		random[i] = uint32(rnd.next() >> 33)
	}
	tables = append(tables, largest, one, random)

	var extremes [][64]int32
	fill := func(f func(x, y int) int32) {
		var b [64]int32
		for i := range b {
			b[i] = f(i%8, i/8)
		}
		extremes = append(extremes, b)
	}
	fill(func(x, y int) int32 { return 0 })
	fill(func(x, y int) int32 { return 255 })
	fill(func(x, y int) int32 { return int32((x+y)%2) * 255 })
	fill(func(x, y int) int32 { return int32((x+y+1)%2) * 255 })
	// The largest output of each coefficient: the signs of its cosines.
	for v := range 8 {
		for u := range 8 {
			sign := func(x, y int) bool {
				return math.Cos(float64(2*x+1)*float64(u)*math.Pi/16)*
					math.Cos(float64(2*y+1)*float64(v)*math.Pi/16) >= 0
			}
			fill(func(x, y int) int32 {
				if sign(x, y) {
					return 255
				}
				return 0
			})
			fill(func(x, y int) int32 {
				if sign(x, y) {
					return 0
				}
				return 255
			})
		}
	}
	for _, in := range extremes {
		for ti := range tables {
			compareFDCT(t, &in, &tables[ti])
		}
	}

	n := 0
	for range 3000 {
		var in [64]int32
		for i := range in {
			switch n % 3 {
			case 0:
				in[i] = int32(rnd.intn(256))
			case 1:
				in[i] = int32(rnd.intn(2)) * 255
			default: // noise around a level
				in[i] = int32(min(max(128+rnd.intn(40)-20+(n%7-3)*18, 0), 255))
			}
		}
		compareFDCT(t, &in, &tables[n%len(tables)])
		n++
	}

	const w, h = 320, 240
	for _, p := range []struct {
		bpp  int
		page []byte
	}{{1, docPage(w, h, 1, 2, 2)}, {3, docPage(w, h, 3, 2, 3)}} {
		for c := range p.bpp {
			for by := 0; by < h; by += 8 {
				for bx := 0; bx < w; bx += 8 {
					var in [64]int32
					for i := range in {
						in[i] = int32(p.page[((by+i/8)*w+bx+i%8)*p.bpp+c])
					}
					compareFDCT(t, &in, &tables[n%len(tables)])
					compareFDCT(t, &in, &tables[(n+len(tables)/2)%len(tables)])
					n++
				}
			}
		}
	}
	if t.Failed() {
		return
	}
	t.Logf("%d blocks agree", len(extremes)*len(tables)+2*n)
}

// compareFDCT fails t when fdctNEON and fdctGo differ on in with recip.
func compareFDCT(t *testing.T, in *[64]int32, recip *[64]uint32) {
	t.Helper()
	want, got := *in, *in
	wantNZ := fdctGo(&want, recip)
	gotNZ := fdctNEON(&got, recip)
	if got != want || gotNZ != wantNZ {
		t.Fatalf("block %v, reciprocals %v:\nfdctNEON %v mask %#x\nfdctGo   %v mask %#x",
			*in, *recip, got, gotNZ, want, wantNZ)
	}
}

// BenchmarkFDCTARM64 times both transforms on the blocks of a scanned
// page at quality 75; one op is one block. Under qemu the figures only say that nothing is
// grossly wrong; qemu does not model the speed of a core.
func BenchmarkFDCTARM64(b *testing.B) {
	const w, h = 320, 240
	page := docPage(w, h, 1, 2, 1)
	var blocks [][64]int32
	for by := 0; by < h; by += 8 {
		for bx := 0; bx < w; bx += 8 {
			var in [64]int32
			for i := range in {
				in[i] = int32(page[(by+i/8)*w+bx+i%8])
			}
			blocks = append(blocks, in)
		}
	}
	s := scaleQuant(&baseLumaQuant, 75)
	recip := &newQuantizer(&s).recip
	for _, f := range []struct {
		name string
		fn   func(*[64]int32, *[64]uint32) uint64
	}{{"neon", fdctNEON}, {"go", fdctGo}} {
		b.Run(f.name, func(b *testing.B) {
			var blk [64]int32
			for i := 0; b.Loop(); i++ {
				blk = blocks[i%len(blocks)]
				f.fn(&blk, recip)
			}
		})
	}
}
