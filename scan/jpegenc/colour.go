package jpegenc

import "encoding/binary"

// rgbRow codes one row of 16×16 MCUs: four Y blocks, then Cb and Cr
// averaged over 2×2 pixels.
func (c *coder) rgbRow(w *bitWriter, rows []byte) {
	var y [4][64]int32
	var cb, cr [64]int32
	var prevY, prevCb, prevCr int32
	for off := 0; off < c.mcus*48; off += 48 {
		if r, g, b, ok := flatRGB(rows, off, c.stride); ok {
			l := luma(r, g, b)
			for range 4 {
				prevY = c.luma.putLevel(w, l, prevY)
			}
			prevCb = c.chroma.putLevel(w, chromaB(4*r, 4*g, 4*b), prevCb)
			prevCr = c.chroma.putLevel(w, chromaR(4*r, 4*g, 4*b), prevCr)
			continue
		}
		toYCbCr(rows[off:], c.stride, &y, &cb, &cr)
		for i := range y {
			prevY = c.luma.put(w, &y[i], prevY)
		}
		prevCb = c.chroma.put(w, &cb, prevCb)
		prevCr = c.chroma.put(w, &cr, prevCr)
	}
}

// flatRGB reports whether the 16×16 pixels at byte offset off are one
// colour. It compares 8 bytes at a time: the first row repeats every 3
// bytes, hence every 24, and every row equals the first.
func flatRGB(rows []byte, off, stride int) (r, g, b int32, ok bool) {
	le := binary.LittleEndian
	p := (*[48]byte)(rows[off:])
	w0, w8, w16 := le.Uint64(p[0:]), le.Uint64(p[8:]), le.Uint64(p[16:])
	// Bytes 0-7, 8-15 and 13-20 equal those 3 on: the first 24 repeat.
	if le.Uint64(p[3:]) != w0 || le.Uint64(p[11:]) != w8 || le.Uint64(p[13:]) != w16 ||
		le.Uint64(p[24:]) != w0 || le.Uint64(p[32:]) != w8 || le.Uint64(p[40:]) != w16 {
		return 0, 0, 0, false
	}
	for i := 1; i < 16; i++ {
		q := (*[48]byte)(rows[off+i*stride:])
		if (le.Uint64(q[0:])^w0)|(le.Uint64(q[8:])^w8)|(le.Uint64(q[16:])^w16)|
			(le.Uint64(q[24:])^w0)|(le.Uint64(q[32:])^w8)|(le.Uint64(q[40:])^w16) != 0 {
			return 0, 0, 0, false
		}
	}
	return int32(p[0]), int32(p[1]), int32(p[2]), true
}

// The JFIF colour transform in 16-bit fixed point. Each row of weights sums
// to 2^16 (luma) or 0 (chroma), so gray stays exactly gray.
const (
	yR, yG, yB    = 19595, 38470, 7471    // 0.299, 0.587, 0.114
	cbR, cbG, cbB = -11059, -21709, 32768 // -0.16874, -0.33126, 0.5
	crR, crG, crB = 32768, -27439, -5329  // 0.5, -0.41869, -0.08131
)

// luma returns Y of one pixel, rounded.
func luma(r, g, b int32) int32 {
	return (yR*r + yG*g + yB*b + 1<<15) >> 16
}

// chromaB and chromaR return Cb and Cr of the sums of four pixels'
// components, rounded.
func chromaB(r4, g4, b4 int32) int32 { return (cbR*r4 + cbG*g4 + cbB*b4 + 128<<18 + 1<<17) >> 18 }
func chromaR(r4, g4, b4 int32) int32 { return (crR*r4 + crG*g4 + crB*b4 + 128<<18 + 1<<17) >> 18 }

// toYCbCrGo converts the 16×16 pixels at the start of rows into four Y
// blocks (left to right, top to bottom) and the Cb and Cr blocks of their
// 2×2 averages, one 8×8 quarter at a time. It is the reference the
// assembly versions (colour_*.s) must match bit for bit, and the code used
// where there is none.
func toYCbCrGo(rows []byte, stride int, y *[4][64]int32, cb, cr *[64]int32) {
	for q := range 4 {
		off := q>>1*8*stride + q&1*24 // the quarter's first byte
		co := q>>1*32 + q&1*4         // and its first chroma sample
		for yy := 0; yy < 8; yy += 2 {
			p0 := (*[24]byte)(rows[off+yy*stride:])
			p1 := (*[24]byte)(rows[off+(yy+1)*stride:])
			o := (*[16]int32)(y[q][yy*8:])
			cbo := (*[4]int32)(cb[co+yy*4:])
			cro := (*[4]int32)(cr[co+yy*4:])
			for x := range 4 {
				// One pixel at a time, summing for chroma as we go: few
				// live values, so they stay in registers.
				i := 6 * x
				r, g, b := int32(p0[i]), int32(p0[i+1]), int32(p0[i+2])
				o[2*x] = luma(r, g, b)
				rs, gs, bs := r, g, b
				r, g, b = int32(p0[i+3]), int32(p0[i+4]), int32(p0[i+5])
				o[2*x+1] = luma(r, g, b)
				rs, gs, bs = rs+r, gs+g, bs+b
				r, g, b = int32(p1[i]), int32(p1[i+1]), int32(p1[i+2])
				o[2*x+8] = luma(r, g, b)
				rs, gs, bs = rs+r, gs+g, bs+b
				r, g, b = int32(p1[i+3]), int32(p1[i+4]), int32(p1[i+5])
				o[2*x+9] = luma(r, g, b)
				rs, gs, bs = rs+r, gs+g, bs+b
				cbo[x] = chromaB(rs, gs, bs)
				cro[x] = chromaR(rs, gs, bs)
			}
		}
	}
}
