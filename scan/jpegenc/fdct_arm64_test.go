//go:build !purego

package jpegenc

import "testing"

// TestFDCTNEON compares the NEON transform with fdctGo.
func TestFDCTNEON(t *testing.T) {
	checkFDCT(t, fdctNEON)
	checkFDCTWrap(t, fdctNEON)
}
