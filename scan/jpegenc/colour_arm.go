//go:build !purego

package jpegenc

import "golang.org/x/sys/cpu"

// toYCbCr is toYCbCrNEON where the processor has NEON, else toYCbCrGo.
func toYCbCr(rows []byte, stride int, y *[4][64]int32, cb, cr *[64]int32) {
	if !cpu.ARM.HasNEON {
		toYCbCrGo(rows, stride, y, cb, cr)
		return
	}
	_ = rows[15*stride+47] // the assembly reads 48 bytes of 16 rows
	toYCbCrNEON(&rows[0], stride, y, cb, cr)
}

// toYCbCrNEON is toYCbCrGo for the 16 rows of 48 bytes at rows, stride
// bytes apart (colour_arm.s).
//
//go:noescape
func toYCbCrNEON(rows *byte, stride int, y *[4][64]int32, cb, cr *[64]int32)
