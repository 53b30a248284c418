package jpegenc

import (
	"errors"
	"fmt"
	"io"
)

var (
	// ErrTooManyRows is returned by Write for data beyond Options.Height
	// rows; the rows before it are kept and Close can still finish the
	// image.
	ErrTooManyRows = errors.New("jpegenc: more raster data than the image height")
	// ErrIncomplete is wrapped by the error of a Close that comes before
	// all Height rows were written. What was written to the output is then
	// a truncated stream without an end marker and must be discarded.
	ErrIncomplete = errors.New("jpegenc: image incomplete")
	// ErrClosed is returned by calls after Close.
	ErrClosed = errors.New("jpegenc: writer closed")
)

// batchBytes is about how much raster a batch holds: big enough that
// handing it to a goroutine costs nothing, small enough that 2×workers of
// them in flight are a small part of a page.
const batchBytes = 128 << 10

// Writer encodes one image from raster rows written to it. Its methods must
// not be called concurrently. The coding runs on goroutines of its own,
// which end when no batch is waiting, so a Writer dropped without Close
// leaks nothing.
//
// The JPEG header is written to the underlying writer together with the
// first coded strip, so a Writer closed before any strip was coded writes
// nothing. All writes to the underlying writer happen in Write and Close.
type Writer struct {
	w        io.Writer
	c        *coder
	header   []byte
	height   int
	rowBytes int // input bytes a row
	bpp      int // bytes a pixel
	rowsPer  int // raster rows a batch, a multiple of the MCU height

	cur     *batch // being filled; nil until the next byte arrives
	col     int    // bytes of the current row in cur
	rows    int    // complete rows received
	nextMCU int    // first MCU row of the next batch

	queue      []*batch // coding or coded, oldest first: a ring
	head, busy int
	free       []*batch
	pool       *pool

	started bool // header written
	err     error
	closed  bool
}

// batch is a strip of whole MCU rows on its way through a worker.
type batch struct {
	raster []byte // rowsPer rows of stride bytes, of which rows are filled
	rows   int
	first  int // MCU row index of the first row
	out    []byte
	// done holds a value once out is ready: made once, with room for
	// it, so a batch costs no allocation each time it is reused.
	done chan struct{}
}

// NewWriter returns a Writer encoding the raster described by o to w.
// Nothing is written to w before the first strip of rows is coded.
//
// The Writer holds 2·Workers+1 strips of whole MCU rows (8 rows for gray,
// 16 for RGB), each about 128 KiB of raster or one MCU row if that is
// more, and their coded bytes: about 1 MiB for an A4 page at 300 dpi
// with 2 workers, whatever the height.
func NewWriter(w io.Writer, o Options) (*Writer, error) {
	o, err := o.withDefaults()
	if err != nil {
		return nil, err
	}
	c, quant := newCoder(o)
	mcuRowBytes := c.mcuSize * c.stride
	perBatch := min(max(1, batchBytes/mcuRowBytes), c.mcuRows)
	return &Writer{
		w:        w,
		c:        c,
		header:   c.header(o, quant),
		height:   o.Height,
		rowBytes: o.Width * o.Components,
		bpp:      o.Components,
		rowsPer:  perBatch * c.mcuSize,
		queue:    make([]*batch, 2*o.Workers),
		pool:     &pool{c: c, max: o.Workers},
	}, nil
}

// Write takes raster bytes, rows top to bottom, split anywhere. When
// 2·Workers strips are in flight it blocks until the oldest is coded and
// written out. Data beyond the last row is refused with ErrTooManyRows. An
// error writing to the underlying writer is returned by this and every
// later call.
func (e *Writer) Write(p []byte) (int, error) {
	if e.closed {
		return 0, ErrClosed
	}
	if e.err != nil {
		return 0, e.err
	}
	n := 0
	stride := e.c.stride
	for len(p) > 0 {
		if e.rows == e.height {
			return n, fmt.Errorf("%w: %d bytes after row %d", ErrTooManyRows, len(p), e.height)
		}
		if e.cur == nil {
			e.cur = e.newBatch()
		}
		b := e.cur
		row := b.raster[b.rows*stride : (b.rows+1)*stride]
		k := copy(row[e.col:e.rowBytes], p)
		e.col += k
		n += k
		p = p[k:]
		if e.col < e.rowBytes {
			break
		}
		e.padRow(row)
		e.col = 0
		e.rows++
		b.rows++
		if b.rows == e.rowsPer {
			e.cur = nil
			if err := e.submit(b); err != nil {
				return n, err
			}
		}
	}
	return n, nil
}

// Close codes the last rows, padding the last MCU row by repeating the
// image's bottom row, writes the end marker and waits for the workers. It
// does not close the underlying writer. Before all rows were written it
// returns an error wrapping ErrIncomplete, and the output is unusable.
func (e *Writer) Close() error {
	if e.closed {
		return ErrClosed
	}
	e.closed = true
	if e.err == nil && e.rows < e.height {
		e.err = fmt.Errorf("%w: %d of %d rows written; the output is truncated", ErrIncomplete, e.rows, e.height)
	}
	if e.err != nil {
		e.discard()
		return e.err
	}
	if b := e.cur; b != nil {
		e.cur = nil
		stride := e.c.stride
		last := b.raster[(b.rows-1)*stride : b.rows*stride]
		for ; b.rows%e.c.mcuSize != 0; b.rows++ {
			copy(b.raster[b.rows*stride:], last)
		}
		if err := e.submit(b); err != nil {
			e.discard()
			return err
		}
	}
	for e.busy > 0 {
		if err := e.retire(); err != nil {
			e.discard()
			return err
		}
	}
	if err := e.output([]byte{0xff, 0xd9}); err != nil { // EOI
		return err
	}
	return nil
}

// padRow fills the columns right of the image with its last pixel, so that
// the edge blocks extend the edge instead of adding a step.
func (e *Writer) padRow(row []byte) {
	last := row[e.rowBytes-e.bpp : e.rowBytes]
	for i := e.rowBytes; i < len(row); i += e.bpp {
		copy(row[i:], last)
	}
}

func (e *Writer) newBatch() *batch {
	if k := len(e.free); k > 0 {
		b := e.free[k-1]
		e.free = e.free[:k-1]
		b.rows = 0
		return b
	}
	// A quarter of the raster holds the code of a noisy scan at the
	// default quality, so out rarely grows by copying.
	n := e.rowsPer * e.c.stride
	return &batch{raster: make([]byte, n), out: make([]byte, 0, n/4), done: make(chan struct{}, 1)}
}

// submit hands b to a worker, first waiting for the oldest batch when as
// many are in flight as the queue holds, and writes out the coded batches
// that are ready in order.
func (e *Writer) submit(b *batch) error {
	for e.busy == len(e.queue) {
		if err := e.retire(); err != nil {
			return err
		}
	}
	b.first = e.nextMCU
	e.nextMCU += b.rows / e.c.mcuSize
	e.pool.add(b)
	e.queue[(e.head+e.busy)%len(e.queue)] = b
	e.busy++
	// A value waiting in done means coded; pop takes it.
	for e.busy > 0 && len(e.queue[e.head].done) > 0 {
		if err := e.retire(); err != nil {
			return err
		}
	}
	return nil
}

// pop takes the oldest batch off the queue once its worker is done.
func (e *Writer) pop() *batch {
	b := e.queue[e.head]
	e.queue[e.head] = nil
	e.head = (e.head + 1) % len(e.queue)
	e.busy--
	<-b.done
	return b
}

// retire writes out the oldest batch.
func (e *Writer) retire() error {
	b := e.pop()
	err := e.output(b.out)
	e.free = append(e.free, b)
	return err
}

// discard waits for the batches in flight and drops them.
func (e *Writer) discard() {
	for e.busy > 0 {
		e.free = append(e.free, e.pop())
	}
}

// output writes p, after the header if it is the first, and keeps the
// first error.
func (e *Writer) output(p []byte) error {
	if e.err != nil {
		return e.err
	}
	if !e.started {
		e.started = true
		if _, err := e.w.Write(e.header); err != nil {
			e.err = fmt.Errorf("jpegenc: writing output: %w", err)
			return e.err
		}
	}
	if _, err := e.w.Write(p); err != nil {
		e.err = fmt.Errorf("jpegenc: writing output: %w", err)
	}
	return e.err
}
