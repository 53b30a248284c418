//go:build (!amd64 && !arm64 && !arm) || purego

package jpegenc

// toYCbCr is toYCbCrGo where there is no assembly (or with -tags purego).
func toYCbCr(rows []byte, stride int, y *[4][64]int32, cb, cr *[64]int32) {
	toYCbCrGo(rows, stride, y, cb, cr)
}
