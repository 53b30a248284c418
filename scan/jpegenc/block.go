package jpegenc

import "math/bits"

// flatDC is the DCT output for a block whose samples all equal v: only
// the DC term, exactly 64·(v-128)·2^pass1Bits, since the AAN flow graph
// adds and subtracts equal samples without rounding.
func flatDC(v int32) int32 { return (v - 128) * 64 << pass1Bits }

// zigzagRows[r][m] is the zigzag-order mask (bit k for position k) of
// the coefficients of block row r whose columns are the set bits of m.
// Eight lookups turn fdct's block-order mask into the coding order.
var zigzagRows = func() (t [8][256]uint64) {
	var pos [64]uint // zigzag position of each block index
	for k, i := range zigzag {
		pos[i] = uint(k)
	}
	for r := range t {
		for m := range t[r] {
			for j := range 8 {
				if m>>j&1 != 0 {
					t[r][m] |= 1 << pos[r*8+j]
				}
			}
		}
	}
	return t
}()

// zigzagMask turns a mask in block order (bit i for index i) into one in
// zigzag order (bit k for position k).
func zigzagMask(nz uint64) uint64 {
	t := &zigzagRows
	return t[0][uint8(nz)] | t[1][uint8(nz>>8)] | t[2][uint8(nz>>16)] | t[3][uint8(nz>>24)] |
		t[4][uint8(nz>>32)] | t[5][uint8(nz>>40)] | t[6][uint8(nz>>48)] | t[7][uint8(nz>>56)]
}

// divide returns v/divisor rounded to nearest (halves up), given
// recip = 2^32/divisor. Rounding halves up rather than away from zero
// saves the sign handling; it changes a coefficient only on exact ties.
func divide(v int32, recip uint32) int64 {
	return (int64(v)*int64(recip) + 1<<31) >> 32
}

// quantizeDC quantises a DC output alone.
func (q *quantizer) quantizeDC(v int32) int32 { return int32(divide(v, q.recip[0])) }

// magnitude returns the size category of v and its additional bits: v
// itself when positive, v-1 when negative, cut to size bits (T.81 F.1.2.1).
func magnitude(v int32) (size, extra uint32) {
	sign := v >> 31
	a := uint32((v ^ sign) - sign)
	size = uint32(bits.Len32(a))
	// In 64 bits the compiler knows the shift, at most 32, needs no
	// check.
	extra = uint32(v+sign) & uint32(uint64(1)<<size-1)
	return size, extra
}

// putBlock codes a quantised block (in block order) whose non-zero
// coefficients are the set bits of zz (zigzag order), given the previous
// DC of this component in the current restart interval.
func (c *component) putBlock(w *bitWriter, b *[64]int32, zz uint64, prevDC int32) {
	// The pending bits stay in registers through the block: this put is
	// inlined, w.put is not.
	acc, n := w.acc, w.n
	put := func(bits, size uint32) {
		if n+uint(size) > 64 {
			acc, n = w.spill(acc, n, bits, size)
		} else {
			acc, n = acc<<(size&63)|uint64(bits), n+uint(size)
		}
	}
	s, e := magnitude(b[0] - prevDC)
	code, size := c.dc.get(uint8(s))
	put(code<<(s&31)|e, size+s)
	ac := c.ac
	k := 0 // the last position coded
	for m := zz &^ 1; m != 0; m &= m - 1 {
		z := bits.TrailingZeros64(m)
		run := z - k - 1
		k = z
		for ; run >= 16; run -= 16 {
			put(ac.get(0xf0)) // ZRL
		}
		// AC magnitudes stay below 2^10, as baseline requires: at most
		// about 840 for 8-bit samples, even with a quantiser of 1. So the
		// code and its extra bits, 26 bits at most, go in one put (s&31
		// only tells the compiler the shift needs no check).
		s, e := magnitude(b[zigzag[z&63]&63])
		code, size := ac.get(uint8(run<<4) | uint8(s))
		put(code<<(s&31)|e, size+s)
	}
	if k != 63 {
		put(ac.get(0)) // EOB
	}
	w.acc, w.n = acc, n
}

// putFlat codes a block of one level: its DC and an end of block. The DC
// code (at most 11 bits), its extra bits (at most 11) and the EOB code
// (at most 4) go in one put.
func (c *component) putFlat(w *bitWriter, dc, prevDC int32) {
	s, e := magnitude(dc - prevDC)
	code, size := c.dc.get(uint8(s))
	eob, eobSize := c.ac.get(0)
	w.put((code<<(s&31)|e)<<(eobSize&31)|eob, size+s+eobSize)
}

// put codes one block of samples and returns its quantised DC. b is
// overwritten.
func (c *component) put(w *bitWriter, b *[64]int32, prevDC int32) int32 {
	if flat(b) {
		return c.putLevel(w, b[0], prevDC)
	}
	return c.putTransform(w, b, prevDC)
}

// putLevel codes a block whose samples all equal v and returns its
// quantised DC: the same bits putTransform would give.
func (c *component) putLevel(w *bitWriter, v, prevDC int32) int32 {
	dc := c.quant.quantizeDC(flatDC(v))
	c.putFlat(w, dc, prevDC)
	return dc
}

// putTransform transforms, quantises and codes one block and returns its
// quantised DC. b is overwritten.
func (c *component) putTransform(w *bitWriter, b *[64]int32, prevDC int32) int32 {
	return c.putCoefficients(w, b, fdct(b, &c.quant.recip), prevDC)
}

// putCoefficients codes a quantised block whose non-zero coefficients
// are nz (block order, as fdct returns them) and returns its DC.
func (c *component) putCoefficients(w *bitWriter, b *[64]int32, nz uint64, prevDC int32) int32 {
	if nz&^1 == 0 {
		c.putFlat(w, b[0], prevDC)
		return b[0]
	}
	c.putBlock(w, b, zigzagMask(nz), prevDC)
	return b[0]
}

// flat reports whether all samples of b are equal.
func flat(b *[64]int32) bool {
	v := b[0]
	for _, x := range b[1:] {
		if x != v {
			return false
		}
	}
	return true
}
