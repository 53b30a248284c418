package g4_test

import (
	"bytes"
	"fmt"
	"testing"
)

// TestAllRowPairs codes every pair of rows of widths 1 to 7, the second
// against the first, and checks the decoded pixels and the stream length
// against the bound the encoder's buffer relies on: no row needs more than
// 14 bits a pixel plus 19.
func TestAllRowPairs(t *testing.T) {
	for width := 1; width <= 7; width++ {
		t.Run(fmt.Sprint(width), func(t *testing.T) {
			maxBits := 0
			for a := range 1 << width {
				for b := range 1 << width {
					p := &page{width: width, height: 2, pix: []byte{byte(a << (8 - width)), byte(b << (8 - width))}}
					stream := encode(t, p)
					got, err := decode(stream, width, 2)
					if err != nil || !bytes.Equal(got, p.pix) {
						t.Fatalf("rows %08b %08b: decoded %08b, %v", p.pix[0], p.pix[1], got, err)
					}
					maxBits = max(maxBits, 8*len(stream)-24) // less EOFB, with padding
				}
			}
			if bound := 2*(14*width+19) + 7; maxBits > bound {
				t.Fatalf("two rows took %d bits, more than %d", maxBits, bound)
			}
			t.Logf("width %d: at most %d bits for two rows", width, maxBits)
		})
	}
}
