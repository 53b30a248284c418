package jpegenc

// fdctGrayGo transforms and quantises the 8×8 gray samples at the start of
// rows (row r at rows[r·stride:]) into b, as fdctGo does once they are
// copied into b, and returns the same mask. fdctGray, its dispatcher, lets
// the assembly read the samples from the raster itself: no int32 copy of
// the block is written and read back.
func fdctGrayGo(rows []byte, stride int, recip *[64]uint32, b *[64]int32) uint64 {
	loadGray(rows, stride, b)
	return fdctGo(b, recip)
}

// loadGray copies the 8×8 gray samples at the start of rows into b.
func loadGray(rows []byte, stride int, b *[64]int32) {
	for r := range 8 {
		s := (*[8]byte)(rows[r*stride:])
		p := (*[8]int32)(b[r*8:])
		// Unrolled: the compiler does not unroll loops.
		p[0], p[1], p[2], p[3] = int32(s[0]), int32(s[1]), int32(s[2]), int32(s[3])
		p[4], p[5], p[6], p[7] = int32(s[4]), int32(s[5]), int32(s[6]), int32(s[7])
	}
}
