package jpegenc

import (
	"bytes"
	"testing"
)

// TestZigzagMask compares the table lookups with the loop over zigzag
// they replace, on every single bit and on random masks.
func TestZigzagMask(t *testing.T) {
	naive := func(nz uint64) uint64 {
		var zz uint64
		for k, i := range zigzag {
			zz |= nz >> i & 1 << k
		}
		return zz
	}
	masks := []uint64{0, 1, ^uint64(0)}
	for i := range 64 {
		masks = append(masks, 1<<i, ^uint64(1<<i))
	}
	rnd := &splitmix{s: 7}
	for range 10000 {
		// Sparse and dense masks, like those of real blocks.
		masks = append(masks, rnd.next(), rnd.next()&rnd.next()&rnd.next(), rnd.next()|rnd.next())
	}
	for _, nz := range masks {
		if got, want := zigzagMask(nz), naive(nz); got != want {
			t.Fatalf("zigzagMask(%#016x) = %#016x, want %#016x", nz, got, want)
		}
	}
}

// refBits is the plain bit writer the accumulator must match: one bit at a
// time, the bytes stuffed, the last one padded with ones.
type refBits struct{ bits []bool }

func (r *refBits) put(v, size uint32) {
	for i := int(size) - 1; i >= 0; i-- {
		r.bits = append(r.bits, v>>i&1 != 0)
	}
}

func (r *refBits) bytes() []byte {
	for len(r.bits)%8 != 0 {
		r.bits = append(r.bits, true)
	}
	var out []byte
	for i := 0; i < len(r.bits); i += 8 {
		var b byte
		for _, bit := range r.bits[i : i+8] {
			b <<= 1
			if bit {
				b |= 1
			}
		}
		out = append(out, b)
		if b == 0xff {
			out = append(out, 0)
		}
	}
	r.bits = r.bits[:0]
	return out
}

// TestBitWriterSpill checks the accumulator against the bit-at-a-time
// writer across every fill level it spills at: random codes of 1 to 32
// bits, and long runs of one bits (0xFF bytes, stuffed) and of zero bits,
// through both put and the spill the block coder calls directly.
func TestBitWriterSpill(t *testing.T) {
	rnd := &splitmix{s: 3}
	for n := range 2000 {
		var w bitWriter
		var ref refBits
		for range rnd.intn(60) {
			size := uint32(1 + rnd.intn(32))
			v := uint32(rnd.next()) & uint32(1<<size-1)
			switch n % 3 {
			case 1:
				v = 1<<size - 1
			case 2:
				if rnd.intn(2) == 0 {
					v = 0
				}
			}
			ref.put(v, size)
			// As putBlock does when its registers are full.
			if w.n+uint(size) > 64 && rnd.intn(2) == 0 {
				w.acc, w.n = w.spill(w.acc, w.n, v, size)
				continue
			}
			w.put(v, size)
		}
		w.flush()
		if want := ref.bytes(); !bytes.Equal(w.buf, want) {
			t.Fatalf("case %d: got % x\nwant % x", n, w.buf, want)
		}
		if w.n != 0 || w.acc != 0 {
			t.Fatalf("case %d: %d bits left after flush", n, w.n)
		}
	}
}
