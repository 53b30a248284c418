package g4

import "encoding/binary"

// bitWriter holds the encoded bytes not yet handed to the writer and the
// bits of the last incomplete byte.
//
// The coding loop copies the fields into local variables and threads them
// through put and putRun, which keeps them in registers: as struct fields
// behind a pointer they would be loaded and stored for every code word.
type bitWriter struct {
	buf []byte
	pos int    // bytes of buf in use
	acc uint64 // the low n bits are pending
	n   uint   // always < 8 between calls
}

// put appends one code word. It always stores eight bytes at pos and moves
// pos past the whole ones, which costs no branch; the caller makes sure buf
// has room for a row's worth before coding it, so put never checks for
// space. Bytes past pos are scratch until a later put overwrites them.
func put(buf []byte, pos int, acc uint64, n uint, c code) (int, uint64, uint) {
	acc = acc<<(c.n&63) | uint64(c.bits)
	n += uint(c.n)
	binary.BigEndian.PutUint64(buf[pos:], acc<<((64-n)&63))
	return pos + int(n>>3), acc, n & 7
}

// putRun appends the code words for a run of r pixels of one colour:
// make-up codes of 2560 while the rest is 2624 or more (T.4, 4.1.1.3), one
// make-up code if 64 or more is left, then the terminating code.
func putRun(buf []byte, pos int, acc uint64, n uint, t *runCodes, r int32) (int, uint64, uint) {
	for r >= 2624 {
		pos, acc, n = put(buf, pos, acc, n, t.makeup[40])
		r -= 2560
	}
	if r >= 64 {
		pos, acc, n = put(buf, pos, acc, n, t.makeup[r>>6])
		r &= 63
	}
	return put(buf, pos, acc, n, t.term[r])
}

// end appends EOFB (two EOL codes) and zero bits up to a whole byte.
func (b *bitWriter) end() {
	b.pos, b.acc, b.n = put(b.buf, b.pos, b.acc, b.n, codeEOL)
	b.pos, b.acc, b.n = put(b.buf, b.pos, b.acc, b.n, codeEOL)
	if b.n > 0 {
		b.pos, b.acc, b.n = put(b.buf, b.pos, b.acc, b.n, code{n: uint32(8 - b.n)})
	}
}
