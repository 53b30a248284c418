//go:build !purego

package jpegenc

import "golang.org/x/sys/cpu"

// toYCbCr is toYCbCrAVX2 where the CPU has AVX2, else toYCbCrGo.
func toYCbCr(rows []byte, stride int, y *[4][64]int32, cb, cr *[64]int32) {
	if !cpu.X86.HasAVX2 {
		toYCbCrGo(rows, stride, y, cb, cr)
		return
	}
	_ = rows[15*stride+47] // the assembly reads 48 bytes of 16 rows
	toYCbCrAVX2(&rows[0], stride, y, cb, cr)
}

// toYCbCrAVX2 is toYCbCrGo for the 16 rows of 48 bytes at rows, stride
// bytes apart (colour_amd64.s).
//
//go:noescape
func toYCbCrAVX2(rows *byte, stride int, y *[4][64]int32, cb, cr *[64]int32)
