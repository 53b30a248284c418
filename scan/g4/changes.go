package g4

import (
	"encoding/binary"
	"math/bits"
)

// findChanges stores in dst the changing elements of row: the positions of
// the pixels whose colour differs from the pixel on their left, where the
// pixel left of the row is white. Even entries therefore start black runs
// and odd entries white runs. Three entries equal to width follow, the
// imaginary changing elements past the row end that the coding loop may look
// at.
//
// row holds the pixels MSB first, 1 black, with a length that is a multiple
// of 8 and every bit past width clear. dst needs a capacity of width+4.
//
// The row is read 64 pixels at a time: a word XORed with itself shifted by
// one pixel has a bit set exactly at the changes, so uniform stretches cost
// one comparison per word and each change one LeadingZeros64.
func findChanges(dst []int32, row []byte, width int) []int32 {
	dst = dst[:cap(dst)]
	n := 0
	var carry uint64 // the last pixel of the previous word, in bit 63
	for base := 0; base+8 <= len(row); base += 8 {
		w := binary.BigEndian.Uint64(row[base:])
		d := w ^ (w>>1 | carry)
		carry = w << 63
		for d != 0 {
			lz := bits.LeadingZeros64(d)
			dst[n] = int32(base*8 + lz)
			n++
			d &^= (1 << 63) >> lz
		}
	}
	// The cleared pad bits add one change at width after a black last pixel.
	if n > 0 && dst[n-1] >= int32(width) {
		n--
	}
	dst[n], dst[n+1], dst[n+2] = int32(width), int32(width), int32(width)
	return dst[:n+3]
}
