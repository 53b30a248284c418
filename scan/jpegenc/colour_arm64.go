//go:build !purego

package jpegenc

// toYCbCr is toYCbCrNEON: every arm64 processor has Advanced SIMD.
func toYCbCr(rows []byte, stride int, y *[4][64]int32, cb, cr *[64]int32) {
	_ = rows[15*stride+47] // the assembly reads 48 bytes of 16 rows
	toYCbCrNEON(&rows[0], stride, y, cb, cr)
}

// toYCbCrNEON is toYCbCrGo for the 16 rows of 48 bytes at rows, stride
// bytes apart (colour_arm64.s).
//
//go:noescape
func toYCbCrNEON(rows *byte, stride int, y *[4][64]int32, cb, cr *[64]int32)
