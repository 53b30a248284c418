package jpegenc

import "encoding/binary"

// bitWriter packs Huffman codes into bytes, stuffing a zero byte after every
// 0xFF as the entropy-coded segment requires. Bits collect in a 64-bit
// accumulator that is written out only when full: one test per code and
// one 8-byte append per 64 bits, the common case without any 0xFF byte.
type bitWriter struct {
	buf []byte
	acc uint64 // the low n bits are pending, most significant first
	n   uint
}

// put appends the low size bits of bits; size is at most 32.
func (w *bitWriter) put(bits, size uint32) {
	if n := w.n + uint(size); n <= 64 {
		w.acc = w.acc<<(size&63) | uint64(bits)
		w.n = n
		return
	}
	w.acc, w.n = w.spill(w.acc, w.n, bits, size)
}

// spill puts size bits into acc, which holds n pending bits and has room
// for fewer than size: it fills acc, writes it out and returns the
// accumulator and count that hold the rest. The block coder keeps acc and
// n in registers and calls it when they are full.
//
//go:noinline
func (w *bitWriter) spill(acc uint64, n uint, bits, size uint32) (uint64, uint) {
	rest := n + uint(size) - 64 // 1..size
	w.emit64(acc<<((64-n)&63) | uint64(bits)>>rest)
	// The bits above the rest, already written, leave the accumulator
	// before it is next written out.
	return uint64(bits), rest
}

// emit64 appends the eight bytes of v, with stuffing.
func (w *bitWriter) emit64(v uint64) {
	// A 0xFF byte in v is a zero byte in ^v.
	if x := ^v; (x-0x0101010101010101)&^x&0x8080808080808080 == 0 {
		w.buf = binary.BigEndian.AppendUint64(w.buf, v)
		return
	}
	for s := 56; s >= 0; s -= 8 {
		w.emit8(byte(v >> s))
	}
}

// emit8 appends one byte, with stuffing.
func (w *bitWriter) emit8(b byte) {
	w.buf = append(w.buf, b)
	if b == 0xff {
		w.buf = append(w.buf, 0)
	}
}

// flush pads the last byte with one bits, as T.81 F.1.2.3 asks, and writes
// out what is pending, leaving the writer byte-aligned and empty.
func (w *bitWriter) flush() {
	pad := (8 - w.n%8) % 8
	v := w.acc<<pad | (1<<pad - 1)
	for n := w.n + pad; n > 0; {
		n -= 8
		w.emit8(byte(v >> n))
	}
	w.acc, w.n = 0, 0
}
