package jpegenc

import "math/bits"

// flatDC is the DCT output for a block whose samples all equal v: only
// the DC term, exactly 64·(v-128)·2^pass1Bits, since the AAN flow graph
// adds and subtracts equal samples without rounding.
func flatDC(v int32) int32 { return (v - 128) * 64 << pass1Bits }

// zigzagMask returns a mask of the non-zero quantised coefficients of b
// (block order) in zigzag order: bit k for position k.
func zigzagMask(b *[64]int32) uint64 {
	var mask uint64
	for _, i := range zigzag {
		// Shift the mask right and put the flag on top: after 64 steps
		// bit k is position k's. c|-c is negative unless c is 0.
		c := b[i&63]
		mask = mask>>1 | uint64(int64(c|-c))>>63<<63
	}
	return mask
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
	extra = uint32(v+sign) & (1<<size - 1)
	return size, extra
}

// putDC codes the difference to the previous block's DC.
func (c *component) putDC(w *bitWriter, diff int32) {
	s, e := magnitude(diff)
	w.put(c.dc.code[s]<<s|e, c.dc.size[s]+s)
}

// putBlock codes a quantised block (in block order) in zigzag order, given
// the previous DC of this component in the current restart interval.
func (c *component) putBlock(w *bitWriter, b *[64]int32, prevDC int32) {
	c.putDC(w, b[0]-prevDC)
	k := 1
	for m := zigzagMask(b) >> 1; m != 0; {
		run := bits.TrailingZeros64(m)
		k += run
		m >>= uint(run) + 1
		for ; run >= 16; run -= 16 {
			w.put(c.ac.code[0xf0], c.ac.size[0xf0])
		}
		// AC magnitudes stay below 2^10, as baseline requires: at most
		// about 840 for 8-bit samples, even with a quantiser of 1.
		s, e := magnitude(b[zigzag[k&63]&63])
		sym := uint32(run)<<4 | s
		w.put(c.ac.code[sym&0xff]<<s|e, c.ac.size[sym&0xff]+s)
		k++
	}
	if k < 64 {
		w.put(c.ac.code[0], c.ac.size[0])
	}
}

// putFlat codes a block of one level: its DC and an end of block.
func (c *component) putFlat(w *bitWriter, dc, prevDC int32) {
	c.putDC(w, dc-prevDC)
	w.put(c.ac.code[0], c.ac.size[0])
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
	if fdct(b, &c.quant.recip)&^1 == 0 {
		c.putFlat(w, b[0], prevDC)
		return b[0]
	}
	c.putBlock(w, b, prevDC)
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
