package jpegenc

import (
	"math"
	"runtime"
	"testing"
)

// The assembly transforms must give fdctGo's coefficients and mask bit for
// bit, or the output bytes would differ between architectures. The blocks
// and tables here are shared: a test for another implementation calls
// checkFDCT with it (TestFDCTDispatch does so with fdct, which is the
// assembly where there is one, so it runs on every architecture and under
// qemu).

// fdctBlocks returns the sample blocks (0..255) of the comparison: the
// extreme ones, for every table, and random and real ones, dealt out among
// the tables.
func fdctBlocks() (extreme, more [][64]int32) {
	var blocks [][64]int32
	add := func(f func(x, y int) int32) {
		var b [64]int32
		for i := range b {
			b[i] = f(i%8, i/8)
		}
		blocks = append(blocks, b)
	}
	for _, v := range []int32{0, 1, 127, 128, 129, 254, 255} {
		add(func(x, y int) int32 { return v })
	}
	for _, lo := range []int32{0, 255} {
		hi := 255 - lo
		pick := func(c bool) int32 {
			if c {
				return hi
			}
			return lo
		}
		add(func(x, y int) int32 { return pick((x+y)%2 == 0) }) // checkerboard
		add(func(x, y int) int32 { return pick(x%2 == 0) })     // columns
		add(func(x, y int) int32 { return pick(y%2 == 0) })     // rows
		add(func(x, y int) int32 { return pick(x < 4) })        // halves
		add(func(x, y int) int32 { return pick(y < 4) })
		add(func(x, y int) int32 { return pick(x == 0 && y == 0) }) // one corner
		add(func(x, y int) int32 { return pick(x == 7 && y == 7) })
	}
	// The largest output of each frequency (u, v): the samples take the
	// sign of its cosines, both ways round.
	for v := range 8 {
		for u := range 8 {
			for _, flip := range []bool{false, true} {
				add(func(x, y int) int32 {
					c := math.Cos(float64(2*x+1)*float64(u)*math.Pi/16) * math.Cos(float64(2*y+1)*float64(v)*math.Pi/16)
					if (c >= 0) != flip {
						return 255
					}
					return 0
				})
			}
		}
	}
	extreme, blocks = blocks, nil
	rnd := &splitmix{s: 14}
	for n := range 1200 {
		switch n % 3 {
		case 0:
			add(func(x, y int) int32 { return int32(rnd.intn(256)) })
		case 1:
			add(func(x, y int) int32 { return int32(rnd.intn(2)) * 255 })
		default: // smooth, with a little noise
			add(func(x, y int) int32 { return int32(rnd.intn(5) + 16*x + 14*y) })
		}
	}
	// Every non-flat block of two small pages, clean and scanned, gray and
	// each colour channel.
	const w, h = 240, 320
	for _, p := range []struct{ bpp, noise int }{{1, 0}, {1, 2}, {3, 0}, {3, 2}} {
		page := docPage(w, h, p.bpp, p.noise, 7)
		for c := range p.bpp {
			for by := 0; by < h; by += 8 {
				for bx := 0; bx < w; bx += 8 {
					var b [64]int32
					for i := range b {
						b[i] = int32(page[((by+i/8)*w+bx+i%8)*p.bpp+c])
					}
					if !flat(&b) {
						blocks = append(blocks, b)
					}
				}
			}
		}
	}
	return extreme, blocks
}

// fdctTables returns the reciprocals of the luma and chroma tables of
// every quality 1..100, and of the extremes the contract allows: the
// smallest divisor (the largest reciprocal, 2^31-1) and the largest.
func fdctTables() []*[64]uint32 {
	var tables []*[64]uint32
	for q := 1; q <= 100; q++ {
		for _, base := range []*[64]uint8{&baseLumaQuant, &baseChromaQuant} {
			t := scaleQuant(base, q)
			tables = append(tables, &newQuantizer(&t).recip)
		}
	}
	var big, small [64]uint32
	for i := range big {
		big[i] = 1<<31 - 1
		small[i] = 1
	}
	return append(tables, &big, &small)
}

// checkFDCT compares f with fdctGo on every block of fdctBlocks quantised
// with every table of fdctTables; the whole costs a fraction of a second.
func checkFDCT(t *testing.T, f func(b *[64]int32, recip *[64]uint32) uint64) {
	t.Helper()
	checkFDCTBlocks(t, func(in *[64]int32, recip *[64]uint32) ([64]int32, uint64) {
		out := *in
		return out, f(&out, recip)
	})
}

// checkFDCTWrap compares f with fdctGo on blocks of arbitrary int32
// values, far outside 0..255: an assembly transform must do the same
// int32 arithmetic, wrap-around included, not merely the same on samples.
func checkFDCTWrap(t *testing.T, f func(b *[64]int32, recip *[64]uint32) uint64) {
	t.Helper()
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
		if gotNZ := f(&got, recip); got != want || gotNZ != wantNZ {
			t.Fatalf("block %v:\ngot  %v mask %#x\nwant %v mask %#x", in, got, gotNZ, want, wantNZ)
		}
	}
}

// checkFDCTGray does as checkFDCT for a transform reading the samples from
// a raster of bytes. The block is copied into a raster whose stride and
// column vary, its last row ending the slice.
func checkFDCTGray(t *testing.T, f func(rows []byte, stride int, recip *[64]uint32, b *[64]int32) uint64) {
	t.Helper()
	n := 0
	buf := make([]byte, 7*48+48)
	checkFDCTBlocks(t, func(in *[64]int32, recip *[64]uint32) ([64]int32, uint64) {
		n++
		stride := 8 + n%41
		x := n % (stride - 7)
		raster := buf[:7*stride+x+8]
		for i, v := range in {
			raster[i/8*stride+x+i%8] = byte(v)
		}
		var out [64]int32
		for i := range out {
			out[i] = int32(n) // garbage: every element must be written
		}
		nz := f(raster[x:], stride, recip, &out)
		return out, nz
	})
}

// checkFDCTBlocks compares the coefficients and mask f gives for the
// blocks and tables with those of fdctGo.
func checkFDCTBlocks(t *testing.T, f func(in *[64]int32, recip *[64]uint32) ([64]int32, uint64)) {
	t.Helper()
	extreme, more := fdctBlocks()
	fails := 0
	for ti, recip := range fdctTables() {
		check := func(in [64]int32) {
			want := in
			wantNZ := fdctGo(&want, recip)
			got, gotNZ := f(&in, recip)
			if got != want || gotNZ != wantNZ {
				t.Errorf("table %d, block %v:\ngot  %v mask %#x\nwant %v mask %#x", ti, in, got, gotNZ, want, wantNZ)
				if fails++; fails == 5 {
					t.FailNow()
				}
			}
		}
		for _, in := range extreme {
			check(in)
		}
		for i := ti % 16; i < len(more); i += 16 {
			check(more[i])
		}
	}
}

// TestFDCTDispatch compares fdct, the transform the encoder calls, with
// fdctGo: on amd64 and arm64 it is the assembly.
func TestFDCTDispatch(t *testing.T) { checkFDCT(t, fdct) }

// TestFDCTGray does the same for fdctGray, and for its pure-Go twin.
func TestFDCTGray(t *testing.T) {
	t.Run("dispatch", func(t *testing.T) { checkFDCTGray(t, fdctGray) })
	t.Run("go", func(t *testing.T) { checkFDCTGray(t, fdctGrayGo) })
}

// BenchmarkFDCT measures one transform with quantisation of the blocks of
// a scanned page, pure Go and as dispatched (the assembly where there is
// one). One op is one block.
func BenchmarkFDCT(b *testing.B) {
	const w, h = 480, 640
	page := docPage(w, h, 1, 2, 3)
	var blocks [][64]int32
	for by := 0; by < h; by += 8 {
		for bx := 0; bx < w; bx += 8 {
			var blk [64]int32
			for i := range blk {
				blk[i] = int32(page[(by+i/8)*w+bx+i%8])
			}
			blocks = append(blocks, blk)
		}
	}
	q := scaleQuant(&baseLumaQuant, 75)
	recip := &newQuantizer(&q).recip
	for _, impl := range []struct {
		name string
		f    func(b *[64]int32, recip *[64]uint32) uint64
	}{{"go", fdctGo}, {"dispatch", fdct}} {
		b.Run(impl.name, func(b *testing.B) {
			var blk [64]int32
			var nz uint64
			i := 0
			for b.Loop() {
				blk = blocks[i]
				nz |= impl.f(&blk, recip)
				if i++; i == len(blocks) {
					i = 0
				}
			}
			runtime.KeepAlive(nz)
		})
	}
}

// BenchmarkFDCTGray compares the ways from a gray raster to coefficients:
// copying the samples into a block for fdct, as grayRow does, against
// fdctGray reading the raster itself. One op is one block.
func BenchmarkFDCTGray(b *testing.B) {
	const w, h = 480, 640
	page := docPage(w, h, 1, 2, 3)
	q := scaleQuant(&baseLumaQuant, 75)
	recip := &newQuantizer(&q).recip
	for _, impl := range []struct {
		name string
		f    func(rows []byte, stride int, recip *[64]uint32, b *[64]int32) uint64
	}{
		{"go", fdctGrayGo},
		{"copy+dispatch", func(rows []byte, stride int, recip *[64]uint32, b *[64]int32) uint64 {
			for r := range 8 {
				s := (*[8]byte)(rows[r*stride:])
				p := (*[8]int32)(b[r*8:])
				p[0], p[1], p[2], p[3] = int32(s[0]), int32(s[1]), int32(s[2]), int32(s[3])
				p[4], p[5], p[6], p[7] = int32(s[4]), int32(s[5]), int32(s[6]), int32(s[7])
			}
			return fdct(b, recip)
		}},
		{"dispatch", fdctGray},
	} {
		b.Run(impl.name, func(b *testing.B) {
			var blk [64]int32
			var nz uint64
			x, y := 0, 0
			for b.Loop() {
				nz |= impl.f(page[y*w+x:], w, recip, &blk)
				if x += 8; x == w {
					x = 0
					if y += 8; y == h {
						y = 0
					}
				}
			}
			runtime.KeepAlive(nz)
		})
	}
}
