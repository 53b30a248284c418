package jpegenc

// bitWriter packs Huffman codes into bytes, stuffing a zero byte after every
// 0xFF as the entropy-coded segment requires.
type bitWriter struct {
	buf []byte
	acc uint64 // the low n bits are pending, most significant first
	n   uint
}

// put appends the low size bits of bits; size is at most 32. It is small
// enough to be inlined into the block coder.
func (w *bitWriter) put(bits, size uint32) {
	w.acc = w.acc<<size | uint64(bits)
	w.n += uint(size)
	if w.n >= 32 {
		w.emit32()
	}
}

// emit32 appends the oldest four pending bytes, with stuffing.
//
//go:noinline
func (w *bitWriter) emit32() {
	w.n -= 32
	v := uint32(w.acc >> w.n)
	// A 0xFF byte in v is a zero byte in ^v.
	if x := ^v; (x-0x01010101)&^x&0x80808080 == 0 {
		w.buf = append(w.buf, byte(v>>24), byte(v>>16), byte(v>>8), byte(v))
		return
	}
	for s := 24; s >= 0; s -= 8 {
		b := byte(v >> s)
		w.buf = append(w.buf, b)
		if b == 0xff {
			w.buf = append(w.buf, 0)
		}
	}
}

// flush pads the last byte with one bits, as T.81 F.1.2.3 asks, and writes
// out what is pending, leaving the writer byte-aligned and empty.
func (w *bitWriter) flush() {
	if pad := (8 - w.n%8) % 8; pad != 0 {
		w.acc = w.acc<<pad | (1<<pad - 1)
		w.n += pad
	}
	for w.n > 0 {
		w.n -= 8
		b := byte(w.acc >> w.n)
		w.buf = append(w.buf, b)
		if b == 0xff {
			w.buf = append(w.buf, 0)
		}
	}
	w.acc = 0
}
