package jpegenc

// Fixed-point parameters of the forward DCT. The constants are
// round(c·2^constBits); pass1Bits extra bits of precision are kept between
// the row and the column pass and divided out by the quantiser.
const (
	constBits = 13
	pass1Bits = 3

	fix0_382683433 = 3135  // cos(6π/16)
	fix0_541196100 = 4433  // cos(2π/16) - cos(6π/16)
	fix0_707106781 = 5793  // cos(4π/16)
	fix1_306562965 = 10703 // cos(2π/16) + cos(6π/16)
)

// fdctGo transforms a block of samples (0..255) in place into quantised
// coefficients, in block order, and returns the mask of the non-zero ones:
// bit i is set when b[i] != 0 (bit 0 is the DC). It is the reference the
// assembly versions (fdct_*.s) must match bit for bit, and the code used
// where there is none. Every recip must be below 2^31, as newQuantizer's
// are: the assembly multiplies signed 32-bit lanes.
//
// The transform is the Arai-Agui-Nakajima flow graph (5 multiplications
// per 8 points) of the samples less 128; the level shift is one
// subtraction from each row's DC instead of one per sample. Every product
// keeps constBits fraction bits until one rounding per output. Its outputs,
// the coefficients scaled by 8·aanScale[u]·aanScale[v]·2^pass1Bits and
// below 2^17 (2^30 inside), are divided by the quantiser as they come out
// of the column pass; recip holds the reciprocals in block order.
func fdctGo(b *[64]int32, recip *[64]uint32) uint64 {
	const (
		s1 = constBits - pass1Bits
		r1 = 1 << (s1 - 1)
		s2 = constBits
		r2 = 1 << (s2 - 1)
	)
	for i := 0; i < 64; i += 8 {
		p := (*[8]int32)(b[i : i+8])
		tmp0, tmp7 := p[0]+p[7], p[0]-p[7]
		tmp1, tmp6 := p[1]+p[6], p[1]-p[6]
		tmp2, tmp5 := p[2]+p[5], p[2]-p[5]
		tmp3, tmp4 := p[3]+p[4], p[3]-p[4]

		tmp10, tmp13 := tmp0+tmp3, tmp0-tmp3
		tmp11, tmp12 := tmp1+tmp2, tmp1-tmp2
		p[0] = (tmp10 + tmp11 - 8*128) << pass1Bits
		p[4] = (tmp10 - tmp11) << pass1Bits
		z1 := (tmp12 + tmp13) * fix0_707106781
		p[2] = (tmp13<<constBits + z1 + r1) >> s1
		p[6] = (tmp13<<constBits - z1 + r1) >> s1

		tmp10, tmp11, tmp12 = tmp4+tmp5, tmp5+tmp6, tmp6+tmp7
		z5 := (tmp10 - tmp12) * fix0_382683433
		z2 := tmp10*fix0_541196100 + z5
		z4 := tmp12*fix1_306562965 + z5
		z3 := tmp11 * fix0_707106781
		z11, z13 := tmp7<<constBits+z3, tmp7<<constBits-z3
		p[5] = (z13 + z2 + r1) >> s1
		p[3] = (z13 - z2 + r1) >> s1
		p[1] = (z11 + z4 + r1) >> s1
		p[7] = (z11 - z4 + r1) >> s1
	}
	var nz uint64
	for i := 7; i >= 0; i-- { // right to left for the mask
		tmp0, tmp7 := b[i]+b[i+56], b[i]-b[i+56]
		tmp1, tmp6 := b[i+8]+b[i+48], b[i+8]-b[i+48]
		tmp2, tmp5 := b[i+16]+b[i+40], b[i+16]-b[i+40]
		tmp3, tmp4 := b[i+24]+b[i+32], b[i+24]-b[i+32]

		tmp10, tmp13 := tmp0+tmp3, tmp0-tmp3
		tmp11, tmp12 := tmp1+tmp2, tmp1-tmp2
		z1 := (tmp12 + tmp13) * fix0_707106781
		c0 := divide(tmp10+tmp11, recip[i])
		c4 := divide(tmp10-tmp11, recip[i+32])
		c2 := divide((tmp13<<constBits+z1+r2)>>s2, recip[i+16])
		c6 := divide((tmp13<<constBits-z1+r2)>>s2, recip[i+48])

		tmp10, tmp11, tmp12 = tmp4+tmp5, tmp5+tmp6, tmp6+tmp7
		z5 := (tmp10 - tmp12) * fix0_382683433
		z2 := tmp10*fix0_541196100 + z5
		z4 := tmp12*fix1_306562965 + z5
		z3 := tmp11 * fix0_707106781
		z11, z13 := tmp7<<constBits+z3, tmp7<<constBits-z3
		c5 := divide((z13+z2+r2)>>s2, recip[i+40])
		c3 := divide((z13-z2+r2)>>s2, recip[i+24])
		c1 := divide((z11+z4+r2)>>s2, recip[i+8])
		c7 := divide((z11-z4+r2)>>s2, recip[i+56])

		b[i], b[i+8], b[i+16], b[i+24] = int32(c0), int32(c1), int32(c2), int32(c3)
		b[i+32], b[i+40], b[i+48], b[i+56] = int32(c4), int32(c5), int32(c6), int32(c7)
		// The column's flags, one a row, while the outputs are at hand;
		// in 32-bit halves, which ARMv7 handles in single registers. The
		// columns come right to left, so each shift is by one.
		top := nonZero(c0) | nonZero(c1)<<8 | nonZero(c2)<<16 | nonZero(c3)<<24
		bottom := nonZero(c4) | nonZero(c5)<<8 | nonZero(c6)<<16 | nonZero(c7)<<24
		nz = nz<<1 | uint64(bottom)<<32 | uint64(top)
	}
	return nz
}

// nonZero is 1 if the coefficient int32(c), as stored, is not 0, else 0,
// without a branch: x|-x is negative unless x is 0.
func nonZero(c int64) uint32 {
	x := int32(c)
	return uint32(x|-x) >> 31
}
