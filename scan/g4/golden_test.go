package g4_test

import (
	"bytes"
	"strings"
	"testing"
)

// TestGolden checks a stream worked out by hand from T.4, 4.2.1.3.4, so
// that a valid but different choice of modes (horizontal where vertical is
// due, say) is caught too: a decoder would accept it.
func TestGolden(t *testing.T) {
	p := &page{width: 8, height: 4, pix: []byte{
		0b00011000, // H, white 3, black 2; V0 at the row end
		0b00110000, // VL1 (b1 3), VL1 (b1 5), V0
		0b00000000, // pass (b2 4), V0
		0b00000111, // VL3 (b1 8), V0
	}}
	want := bitString(
		"001", "1000", "11", "1",
		"010", "010", "1",
		"0001", "1",
		"0000010", "1",
		"000000000001", "000000000001",
	)
	if got := encode(t, p); !bytes.Equal(got, want) {
		t.Fatalf("got  %08b\nwant %08b", got, want)
	}
}

// bitString packs code words given as strings of 0 and 1, padding the last
// byte with zeros.
func bitString(words ...string) []byte {
	s := strings.Join(words, "")
	out := make([]byte, (len(s)+7)/8)
	for i, c := range s {
		if c == '1' {
			out[i/8] |= 0x80 >> (i % 8)
		}
	}
	return out
}
