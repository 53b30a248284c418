package jpegenc

import (
	"bytes"
	"encoding/binary"
	"math"
	"testing"
)

// segments returns the payloads of the marker segments before SOS, by
// marker.
func segments(t *testing.T, jpg []byte) map[byte][][]byte {
	t.Helper()
	segs := map[byte][][]byte{}
	for i := 2; i+4 <= len(jpg); {
		if jpg[i] != 0xff {
			t.Fatalf("no marker at %d", i)
		}
		m := jpg[i+1]
		n := int(binary.BigEndian.Uint16(jpg[i+2:]))
		segs[m] = append(segs[m], jpg[i+4:i+2+n])
		if m == 0xda {
			break
		}
		i += 2 + n
	}
	return segs
}

// quantTables splits DQT payloads into tables by number.
func quantTables(t *testing.T, segs [][]byte) map[byte][]byte {
	tables := map[byte][]byte{}
	for _, s := range segs {
		for len(s) > 0 {
			if s[0]>>4 != 0 {
				t.Fatalf("16-bit quantisation table")
			}
			tables[s[0]&15] = s[1:65]
			s = s[65:]
		}
	}
	return tables
}

// huffTables splits DHT payloads into tables by class and number.
func huffTables(segs [][]byte) map[byte][]byte {
	tables := map[byte][]byte{}
	for _, s := range segs {
		for len(s) > 0 {
			n := 17
			for _, c := range s[1:17] {
				n += int(c)
			}
			tables[s[0]] = s[1:n]
			s = s[n:]
		}
	}
	return tables
}

// TestTablesMatchStdlib compares our quantisation tables at several
// qualities and our Huffman tables with the ones image/jpeg writes: both
// implement Annex K and libjpeg's quality scaling.
func TestTablesMatchStdlib(t *testing.T) {
	for _, q := range []int{1, 10, 49, 50, 51, 75, 90, 100} {
		raster := gradient(16, 16, 3)
		ours := segments(t, encode(t, raster, Options{Width: 16, Height: 16, Components: 3, Quality: q}))
		std := segments(t, stdEncode(t, raster, 16, 16, 3, q))
		oq, sq := quantTables(t, ours[0xdb]), quantTables(t, std[0xdb])
		if len(oq) != 2 || len(sq) != 2 {
			t.Fatalf("quality %d: %d and %d quantisation tables", q, len(oq), len(sq))
		}
		for id, tab := range sq {
			if !bytes.Equal(oq[id], tab) {
				t.Errorf("quality %d: quantisation table %d\n% d\nimage/jpeg has\n% d", q, id, oq[id], tab)
			}
		}
		oh, sh := huffTables(ours[0xc4]), huffTables(std[0xc4])
		if len(oh) != 4 || len(sh) != 4 {
			t.Fatalf("%d and %d Huffman tables", len(oh), len(sh))
		}
		for id, tab := range sh {
			if !bytes.Equal(oh[id], tab) {
				t.Errorf("Huffman table %#02x differs from image/jpeg's", id)
			}
		}
	}
}

// TestHuffCodes checks the canonical codes: prefix-free, and every symbol
// of every table present.
func TestHuffCodes(t *testing.T) {
	for _, s := range []*huffSpec{&lumaDCSpec, &lumaACSpec, &chromaDCSpec, &chromaACSpec} {
		h := newHuffCode(s)
		for _, a := range s.values {
			for _, b := range s.values {
				ca, la := h.get(a)
				cb, lb := h.get(b)
				if a == b || la == 0 || la > lb {
					continue
				}
				if cb>>(lb-la) == ca {
					t.Errorf("code of %#x is a prefix of %#x's", a, b)
				}
			}
		}
	}
	// Every AC symbol a baseline coder may need: runs 0..15 with sizes
	// 1..10, EOB and ZRL.
	for _, s := range []*huffSpec{&lumaACSpec, &chromaACSpec} {
		h := newHuffCode(s)
		for sym := range 256 {
			size := sym & 15
			need := size >= 1 && size <= 10 || sym == 0 || sym == 0xf0
			if _, size := h.get(uint8(sym)); need && size == 0 {
				t.Errorf("AC symbol %#02x has no code", sym)
			}
		}
	}
}

// TestFDCT compares the fixed-point transform with the textbook definition
// of the DCT on random and extreme blocks.
func TestFDCT(t *testing.T) {
	// (x·(2^32-1) + 2^31) >> 32 is x for |x| < 2^31: no quantisation.
	var identity [64]uint32
	for i := range identity {
		identity[i] = 1<<32 - 1
	}
	rnd := &splitmix{s: 1}
	var worst float64
	for n := range 2000 {
		var in [64]int32
		for i := range in {
			switch n % 4 {
			case 0:
				in[i] = int32(rnd.intn(256)) - 128
			case 1: // extremes
				in[i] = int32(rnd.intn(2))*255 - 128
			case 2: // the largest AC terms: signs of the cosines
				u, v := n/4%8, n/32%8
				c := math.Cos(float64(2*(i%8)+1)*float64(u)*math.Pi/16) * math.Cos(float64(2*(i/8)+1)*float64(v)*math.Pi/16)
				in[i] = -128
				if c >= 0 {
					in[i] = 127
				}
			default: // smooth
				in[i] = int32(rnd.intn(8)) + int32(i%8)*10 - 40
			}
		}
		var b [64]int32
		for i, v := range in {
			b[i] = v + 128
		}
		fdctGo(&b, &identity)
		for v := range 8 {
			for u := range 8 {
				var sum float64
				for y := range 8 {
					for x := range 8 {
						sum += float64(in[y*8+x]) *
							math.Cos(float64(2*x+1)*float64(u)*math.Pi/16) *
							math.Cos(float64(2*y+1)*float64(v)*math.Pi/16)
					}
				}
				cu, cv := 1.0, 1.0
				if u == 0 {
					cu = 1 / math.Sqrt2
				}
				if v == 0 {
					cv = 1 / math.Sqrt2
				}
				want := sum * cu * cv / 4
				got := float64(b[v*8+u]) / (8 * aanScale[u] * aanScale[v] * (1 << pass1Bits))
				worst = max(worst, math.Abs(got-want))
			}
		}
	}
	t.Logf("largest error %.3f", worst)
	// The scaled AAN outputs are coarsest at the highest frequencies; 0.4
	// is still well under a quantisation step at quality 100.
	if worst > 0.4 {
		t.Errorf("largest error %.3f against the exact DCT, want under 0.4", worst)
	}
}

// TestFlatBlocks checks that the shortcut for one-level blocks codes the
// bits the full transform would.
func TestFlatBlocks(t *testing.T) {
	lq := scaleQuant(&baseLumaQuant, 90)
	c := component{quant: newQuantizer(&lq), dc: newHuffCode(&lumaDCSpec), ac: newHuffCode(&lumaACSpec)}
	for level := int32(0); level <= 255; level++ {
		var slow, fast bitWriter
		var b [64]int32
		for i := range b {
			b[i] = level
		}
		dcSlow := c.putTransform(&slow, &b, 3)
		dcFast := c.putLevel(&fast, level, 3)
		slow.flush()
		fast.flush()
		if dcSlow != dcFast || !bytes.Equal(slow.buf, fast.buf) {
			t.Errorf("level %d: transform gives DC %d % x, shortcut DC %d % x", level, dcSlow, slow.buf, dcFast, fast.buf)
		}
	}
}

// TestBitWriter checks byte stuffing and the padding before a marker.
func TestBitWriter(t *testing.T) {
	var w bitWriter
	w.put(0xff, 8)
	w.put(0x1, 1)
	w.put(0x7f, 7)
	w.put(0xfff, 12)
	w.put(0xfffffff, 28)
	w.put(0, 3)
	w.flush()
	want := []byte{0xff, 0, 0xff, 0, 0xff, 0, 0xff, 0, 0xff, 0, 0xff, 0, 0xff, 0, 0x1f}
	if !bytes.Equal(w.buf, want) {
		t.Errorf("got % x, want % x", w.buf, want)
	}
}
