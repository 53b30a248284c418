package g4

import (
	"errors"
	"fmt"
	"io"
)

// MaxWidth is the widest row NewEncoder accepts. It is the limit of common
// decoders (golang.org/x/image/ccitt among them) and far beyond any scanner.
const MaxWidth = 1 << 20

var (
	// ErrPartialRow is returned by Close when the bytes written do not end
	// on a row boundary.
	ErrPartialRow = errors.New("g4: incomplete last row")
	// ErrClosed is returned by Write and Close after Close.
	ErrClosed = errors.New("g4: encoder closed")
)

// flushAt is how many encoded bytes are gathered before they go to the
// underlying writer.
const flushAt = 32 << 10

// Encoder writes a T.6 (Group 4) stream of rows of a fixed width. It keeps
// only the previous row's changing elements. It is not safe for concurrent
// use.
type Encoder struct {
	w        io.Writer
	width    int
	rowBytes int
	lastMask byte   // keeps the pixels of the last byte of a row
	row      []byte // the row being received, padded to whole 64-bit words
	fill     int    // bytes of row received so far
	cur, ref []int32
	bw       bitWriter
	rows     int
	err      error // sticky
}

// NewEncoder returns an encoder for rows of width pixels that writes the
// stream to w. Nothing is written before the first rows are complete.
func NewEncoder(w io.Writer, width int) (*Encoder, error) {
	if width < 1 || width > MaxWidth {
		return nil, fmt.Errorf("g4: width %d out of range 1..%d", width, MaxWidth)
	}
	rowBytes := (width + 7) / 8
	e := &Encoder{
		w:        w,
		width:    width,
		rowBytes: rowBytes,
		lastMask: 0xFF << ((8 - width%8) % 8),
		row:      make([]byte, (rowBytes+7)/8*8),
		cur:      make([]int32, 0, width+4),
		ref:      make([]int32, 0, width+4),
		// A coding step moves a0 by at least one pixel for at most 7 bits
		// (vertical and pass modes) or by at least two for at most 27 bits
		// (horizontal mode with runs under 64; longer runs cost less a
		// pixel), bar one 19-bit step at a row end. Two bytes a pixel thus
		// hold any row, with room for put's 8-byte stores and EOFB.
		bw: bitWriter{buf: make([]byte, flushAt+2*width+64)},
	}
	// The row above the first one is white: it has no changing elements.
	e.ref = append(e.ref, int32(width), int32(width), int32(width))
	return e, nil
}

// Rows reports how many complete rows have been encoded.
func (e *Encoder) Rows() int { return e.rows }

// Write takes packed rows: (width+7)/8 bytes a row, most significant bit
// first, 1 black, the pad bits of the last byte ignored. Rows may be split
// across calls in any way.
func (e *Encoder) Write(p []byte) (int, error) {
	if e.err != nil {
		return 0, e.err
	}
	total := len(p)
	for len(p) > 0 {
		k := copy(e.row[e.fill:e.rowBytes], p)
		e.fill += k
		p = p[k:]
		if e.fill < e.rowBytes {
			break
		}
		e.row[e.rowBytes-1] &= e.lastMask
		e.encodeRow()
		e.fill = 0
		if e.bw.pos >= flushAt {
			if err := e.flush(); err != nil {
				return total - len(p), err
			}
		}
	}
	return total, nil
}

// Close ends the stream with EOFB (two EOL codes), pads it to a whole byte
// with zeros and writes out what is pending. It does not close the
// underlying writer.
func (e *Encoder) Close() error {
	if e.err != nil {
		if e.err == ErrClosed {
			return nil
		}
		return e.err
	}
	if e.fill != 0 {
		e.err = fmt.Errorf("%w: %d of %d bytes after row %d", ErrPartialRow, e.fill, e.rowBytes, e.rows)
		return e.err
	}
	e.bw.end()
	if err := e.flush(); err != nil {
		return err
	}
	e.err = ErrClosed
	return nil
}

func (e *Encoder) flush() error {
	if e.bw.pos == 0 {
		return nil
	}
	if _, err := e.w.Write(e.bw.buf[:e.bw.pos]); err != nil {
		e.err = fmt.Errorf("g4: %w", err)
		return e.err
	}
	e.bw.pos = 0
	return nil
}

// encodeRow codes e.row against the previous row (T.4, 4.2.1.3.4, the
// two-dimensional coding procedure) and makes it the next reference.
//
// Positions are changing elements: a0 is the reference element (-1 before
// the first pixel), cur[i] is a1, the next change after a0, and ref[j] the
// first change of the reference row after a0. The parity of an index tells
// the colour a change starts, so b1, the first change of the colour
// opposite to a0's after a0, is ref[j] or ref[j+1], whichever has i's
// parity.
func (e *Encoder) encodeRow() {
	e.cur = findChanges(e.cur, e.row, e.width)
	cur, ref := e.cur, e.ref
	width := int32(e.width)
	buf, pos, acc, n := e.bw.buf, e.bw.pos, e.bw.acc, e.bw.n
	a0 := int32(-1)
	i, j := 0, 0
	for a0 < width {
		for ref[j] <= a0 {
			j++
		}
		k := j + (j^i)&1
		b1, b2 := ref[k], ref[k+1]
		a1 := cur[i]
		if b2 < a1 {
			pos, acc, n = put(buf, pos, acc, n, codePass)
			a0 = b2
			continue
		}
		if d := a1 - b1; d >= -3 && d <= 3 {
			pos, acc, n = put(buf, pos, acc, n, codeVert[d+3])
			a0 = a1
			i++
			continue
		}
		a2 := cur[i+1]
		c := i & 1 // the colour of a0: white before a black-starting change
		pos, acc, n = put(buf, pos, acc, n, codeHoriz)
		pos, acc, n = putRun(buf, pos, acc, n, &runTables[c], a1-max(a0, 0))
		pos, acc, n = putRun(buf, pos, acc, n, &runTables[c^1], a2-a1)
		a0 = a2
		i += 2
	}
	e.bw.pos, e.bw.acc, e.bw.n = pos, acc, n
	e.cur, e.ref = e.ref, e.cur
	e.rows++
}
