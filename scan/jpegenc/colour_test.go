package jpegenc

import (
	"fmt"
	"maps"
	"slices"
	"testing"
)

// mcuRasters returns 16-row rasters of MCUs side by side (48 bytes each,
// with a stride wider than the MCUs so that reads past them would show):
// random pixels, the extremes of every channel, pure primaries, gray
// ramps, checkerboards, and MCUs cut from clean and scanned pages.
func mcuRasters() map[string]struct {
	rows   []byte
	stride int
} {
	type raster = struct {
		rows   []byte
		stride int
	}
	const n = 64 // MCUs in a synthetic raster
	stride := n*48 + 5
	fill := func(f func(mcu, x, y, c int) byte) raster {
		p := make([]byte, 16*stride)
		for i := range p {
			p[i] = 0xa5 // between the MCUs: must not matter
		}
		for m := range n {
			for y := range 16 {
				for x := range 16 {
					for c := range 3 {
						p[y*stride+m*48+x*3+c] = f(m, x, y, c)
					}
				}
			}
		}
		return raster{p, stride}
	}
	rnd := &splitmix{s: 14}
	rs := map[string]raster{
		"random": fill(func(_, _, _, _ int) byte { return byte(rnd.next()) }),
		// MCU m gives channel c the level 0 or 255 by bit c of m: black,
		// white, the primaries and their mixes; the next bits flip every
		// other pixel, row or both.
		"extremes": fill(func(m, x, y, c int) byte {
			v := m >> c & 1
			switch m >> 3 {
			case 1:
				v ^= x & 1
			case 2:
				v ^= y & 1
			case 3:
				v ^= (x ^ y) & 1
			case 4:
				v ^= 1
			}
			return byte(255 * v)
		}),
		// One colour but for one pixel column (MCUs 0-15), every eighth
		// column (16-23) or one row (24-39): nearly flat MCUs.
		"stripes": fill(func(m, x, y, c int) byte {
			odd := m < 16 && x == m || m >= 16 && m < 24 && x%8 == m-16 || m >= 24 && m < 40 && y == m-24
			if odd && c == m%3 {
				return 0x81
			}
			return 0x80
		}),
		// Another colour from byte m%24 of every 24 on, in channel
		// m/24: edges inside pixels, nearly flat MCUs.
		"edges": fill(func(m, x, _, c int) byte {
			if (3*x+c)%24 >= m%24 && c == m/24%3 {
				return 0x81
			}
			return 0x80
		}),
		"gray-ramps": fill(func(m, x, y, _ int) byte { return byte(m*4 + x + y) }),
		"primary-ramps": fill(func(m, x, y, c int) byte {
			if c != m%3 {
				return 0
			}
			return byte(m*4 + x*y)
		}),
		"noise-on-white": fill(func(_, _, _, _ int) byte { return byte(253 + rnd.intn(3)) }),
	}
	ties := chromaTies()
	rs["chroma-ties"] = fill(func(m, x, y, c int) byte {
		// Each 2×2 pixels take one tie, sampled evenly from the list,
		// their sums spread over them.
		t := ties[(m*64+y/2*8+x/2)*len(ties)/(n*64)]
		i := int32(y&1*2 + x&1)
		return byte(t[c]/4 + min(max(t[c]%4-i, 0), 1))
	})
	for _, page := range []struct {
		name  string
		noise int
	}{{"doc", 0}, {"scanned", 2}} {
		const w, h = 640, 480
		p := docPage(w, h, 3, page.noise, 3)
		for y0 := 0; y0+16 <= h; y0 += 16 {
			rs[fmt.Sprintf("%s-row%d", page.name, y0/16)] = raster{p[y0*w*3 : (y0+16)*w*3], w * 3}
		}
	}
	return rs
}

// chromaTies returns the sums of 2×2 pixels' R, G and B whose Cb or Cr
// lies exactly on a rounding step before the final shift, where a
// constant one too small would show. (None lies one below a step: the R
// and G weights of Cb, like the G and B weights of Cr, sum to -32768, so
// below 2^15 they leave a multiple of the odd weight of the difference.)
func chromaTies() [][3]int32 {
	var ties [][3]int32
	for a := range int32(1021) {
		for b := range int32(1021) {
			// The third sum weighs 32768 in both: its steps are 2^15, so
			// the other two must reach a multiple of 2^15.
			if v := cbR*a + cbG*b + 128<<18 + 1<<17; v%(1<<15) == 0 {
				for c := range int32(1021) {
					if (v+cbB*c)%(1<<18) == 0 {
						ties = append(ties, [3]int32{a, b, c})
					}
				}
			}
			if v := crG*a + crB*b + 128<<18 + 1<<17; v%(1<<15) == 0 {
				for c := range int32(1021) {
					if (v+crR*c)%(1<<18) == 0 {
						ties = append(ties, [3]int32{c, a, b})
					}
				}
			}
		}
	}
	return ties
}

// TestToYCbCrMatchesGo checks that the colour conversion used on this
// machine (assembly where there is some) gives the very samples of
// toYCbCrGo, the reference.
func TestToYCbCrMatchesGo(t *testing.T) {
	rs := mcuRasters()
	for _, name := range slices.Sorted(maps.Keys(rs)) {
		r := rs[name]
		for off := 0; off+48 <= r.stride; off += 48 {
			var y, yGo [4][64]int32
			var cb, cr, cbGo, crGo [64]int32
			toYCbCr(r.rows[off:], r.stride, &y, &cb, &cr)
			toYCbCrGo(r.rows[off:], r.stride, &yGo, &cbGo, &crGo)
			if y != yGo || cb != cbGo || cr != crGo {
				t.Fatalf("%s, MCU at byte %d:\nY  %v\nGo %v\nCb %v\nGo %v\nCr %v\nGo %v",
					name, off, y, yGo, cb, cbGo, cr, crGo)
			}
		}
	}
}

// TestToYCbCrAllColours converts every 24-bit colour once, 256 to an
// MCU, so that every rounding of Y is met.
func TestToYCbCrAllColours(t *testing.T) {
	var mcu [16 * 48]byte
	var y, yGo [4][64]int32
	var cb, cr, cbGo, crGo [64]int32
	for m := range 1 << 16 {
		for k := range 256 {
			mcu[3*k], mcu[3*k+1], mcu[3*k+2] = byte(m>>8), byte(m), byte(k)
		}
		toYCbCr(mcu[:], 48, &y, &cb, &cr)
		toYCbCrGo(mcu[:], 48, &yGo, &cbGo, &crGo)
		if y != yGo || cb != cbGo || cr != crGo {
			t.Fatalf("R %d, G %d: samples differ from toYCbCrGo", m>>8, m&0xff)
		}
	}
}

// TestFlatRGB compares flatRGB with its definition on every MCU of
// mcuRasters and on one colour with any one byte changed.
func TestFlatRGB(t *testing.T) {
	flat := func(rows []byte, off, stride int) bool {
		for y := range 16 {
			for i := range 48 {
				if rows[off+y*stride+i] != rows[off+i%3] {
					return false
				}
			}
		}
		return true
	}
	rs := mcuRasters()
	for _, name := range slices.Sorted(maps.Keys(rs)) {
		r := rs[name]
		for off := 0; off+48 <= r.stride; off += 48 {
			_, _, _, ok := flatRGB(r.rows, off, r.stride)
			if want := flat(r.rows, off, r.stride); ok != want {
				t.Fatalf("%s, MCU at byte %d: flat %v, want %v", name, off, ok, want)
			}
		}
	}
	const stride = 3 * 48
	one := make([]byte, 16*stride)
	for i := range one {
		one[i] = []byte{0x12, 0x34, 0x56}[i%3]
	}
	if r, g, b, ok := flatRGB(one, 48, stride); !ok || r != 0x12 || g != 0x34 || b != 0x56 {
		t.Fatalf("flatRGB(one colour) = %d, %d, %d, %v", r, g, b, ok)
	}
	for y := range 16 {
		for i := range 48 {
			p := slices.Clone(one)
			p[y*stride+48+i]++
			if _, _, _, ok := flatRGB(p, 48, stride); ok {
				t.Fatalf("flat with byte %d of row %d changed", i, y)
			}
		}
	}
}

// BenchmarkFlatRGB measures the test of a flat (white) and a scanned MCU.
func BenchmarkFlatRGB(b *testing.B) {
	white := make([]byte, 16*48)
	for i := range white {
		white[i] = 0xff
	}
	b.Run("white", func(b *testing.B) {
		for b.Loop() {
			flatRGB(white, 0, 48)
		}
	})
	r := mcuRasters()["scanned-row10"]
	b.Run("scanned", func(b *testing.B) {
		for i := 0; b.Loop(); i++ {
			flatRGB(r.rows, i%40*48, r.stride)
		}
	})
}

// BenchmarkToYCbCr measures the conversion of one MCU of a scanned page.
func BenchmarkToYCbCr(b *testing.B) {
	r := mcuRasters()["scanned-row10"]
	for _, f := range []struct {
		name string
		f    func([]byte, int, *[4][64]int32, *[64]int32, *[64]int32)
	}{{"go", toYCbCrGo}, {"dispatch", toYCbCr}} {
		b.Run(f.name, func(b *testing.B) {
			var y [4][64]int32
			var cb, cr [64]int32
			for i := 0; b.Loop(); i++ {
				f.f(r.rows[i%40*48:], r.stride, &y, &cb, &cr)
			}
		})
	}
}
