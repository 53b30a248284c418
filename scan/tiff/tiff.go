// Package tiff writes multi-page TIFF files (baseline TIFF 6.0, little
// endian, with JPEG per TIFF Technical Note 2) one page at a time, for pages
// that arrive already compressed: CCITT Group 4 bilevel pages and JPEG
// streams from the scanner's hardware codec.
//
// A page's compressed size is not known until its last byte, so each page
// is laid out as its strip followed by its directory (IFD), and the previous
// directory's link to the next one, written as 0, is patched afterwards.
// That needs an io.WriteSeeker (a spool *os.File). In exchange the file is
// a valid TIFF after every EndPage, holding the pages so far, and nothing
// but a few offsets a page is kept in memory. Close patches each page's
// PageNumber with the final page count.
//
//	header (8 bytes) → strip 1 → IFD 1 → strip 2 → IFD 2 → … → 0
package tiff

import (
	"bufio"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"math"
)

// Kind is how a page's strip is coded.
type Kind int

const (
	// G4 is a bilevel page coded with CCITT T.6 (Group 4), MSB first,
	// 0 white and 1 black after decoding (Photometric WhiteIsZero).
	G4 Kind = iota + 1
	// JPEGGray is one complete 8-bit gray JPEG stream.
	JPEGGray
	// JPEGRGB is one complete 8-bit YCbCr colour JPEG stream (what every
	// JFIF colour file holds), stored as Photometric YCbCr.
	JPEGRGB
)

var kindNames = map[Kind]string{G4: "G4", JPEGGray: "JPEGGray", JPEGRGB: "JPEGRGB"}

func (k Kind) String() string {
	if s, ok := kindNames[k]; ok {
		return s
	}
	return fmt.Sprintf("Kind(%d)", int(k))
}

// PageInfo describes a page before its data.
type PageInfo struct {
	Width, Height int // pixels; a JPEG stream must have exactly this size
	DPI           int
	Kind          Kind
	// Subsampling is a JPEGRGB stream's YCbCr subsampling, horizontal and
	// vertical (jfif.Header.Subsampling); zero means 2, 2, i.e. 4:2:0 as
	// image/jpeg and most codecs write it. libtiff refuses a stream whose
	// sampling factors do not match it.
	Subsampling [2]int
}

// ErrTooLarge is wrapped by the error for a file that would pass 4 GiB,
// beyond which baseline TIFF's 32-bit offsets cannot point.
var ErrTooLarge = errors.New("tiff: file would exceed 4 GiB")

// Writer writes a TIFF file page by page. It is not safe for concurrent
// use. After an error the file is unusable and every later call fails.
type Writer struct {
	ws   io.WriteSeeker
	bw   *bufio.Writer
	base int64   // where the TIFF starts in ws
	pos  int64   // bytes written, relative to base
	next int64   // where the last IFD's next-IFD offset is, to patch
	nums []int64 // where each page's PageNumber values are
	page *pageWriter
	err  error
	done bool
}

// NewWriter returns a Writer producing a TIFF on w from w's current
// position. Nothing is written until the first page.
func NewWriter(w io.WriteSeeker) *Writer {
	return &Writer{ws: w}
}

// Pages returns how many pages have been completed.
func (t *Writer) Pages() int { return len(t.nums) }

// Written is how many bytes of the TIFF have been written so far: after
// BeginPage, where the page's data begins.
func (t *Writer) Written() int64 { return t.pos }

// BeginPage starts a page; its compressed strip data goes to the returned
// writer, as one complete G4 bitstream or JPEG stream, then EndPage
// finishes the page.
func (t *Writer) BeginPage(p PageInfo) (io.Writer, error) {
	if err := t.usable(); err != nil {
		return nil, err
	}
	if t.page != nil {
		return nil, errors.New("tiff: BeginPage before EndPage of the previous page")
	}
	if err := p.check(); err != nil {
		return nil, fmt.Errorf("tiff: page %d: %w", len(t.nums)+1, err)
	}
	if t.bw == nil {
		if err := t.start(); err != nil {
			return nil, t.fail(err)
		}
	}
	t.page = &pageWriter{t: t, info: p, offset: t.pos}
	return t.page, nil
}

func (p PageInfo) check() error {
	if _, ok := kindNames[p.Kind]; !ok {
		return fmt.Errorf("unknown kind %v", p.Kind)
	}
	if p.Width <= 0 || p.Height <= 0 || p.DPI <= 0 {
		return fmt.Errorf("bad page %dx%d at %d dpi", p.Width, p.Height, p.DPI)
	}
	if p.Kind != G4 && (p.Width > 0xffff || p.Height > 0xffff) {
		return fmt.Errorf("page of %dx%d pixels is too large for JPEG", p.Width, p.Height)
	}
	if p.Kind == JPEGRGB {
		x, y := p.subsampling()
		valid := func(v int) bool { return v == 1 || v == 2 || v == 4 }
		if !valid(x) || !valid(y) || y > x {
			return fmt.Errorf("YCbCr subsampling %d, %d (TIFF allows 1, 2 or 4, vertical at most horizontal)", x, y)
		}
	}
	return nil
}

func (p PageInfo) subsampling() (x, y int) {
	if p.Subsampling == [2]int{} {
		return 2, 2
	}
	return p.Subsampling[0], p.Subsampling[1]
}

// start writes the header, whose first-IFD offset is patched by the first
// EndPage like every later link.
func (t *Writer) start() error {
	base, err := t.ws.Seek(0, io.SeekCurrent)
	if err != nil {
		return fmt.Errorf("tiff: finding the start position: %w", err)
	}
	t.base = base
	t.bw = bufio.NewWriterSize(t.ws, 64<<10)
	t.write([]byte{'I', 'I', 42, 0, 0, 0, 0, 0})
	t.next = 4
	return nil
}

// pageWriter takes one page's strip data.
type pageWriter struct {
	t      *Writer
	info   PageInfo
	offset int64 // where the strip starts
	n      int64
	closed bool
}

func (w *pageWriter) Write(b []byte) (int, error) {
	if w.closed {
		return 0, errors.New("tiff: page data written after EndPage")
	}
	if err := w.t.usable(); err != nil {
		return 0, err
	}
	if w.offset+w.n+int64(len(b)) > math.MaxUint32 {
		return 0, w.t.fail(ErrTooLarge)
	}
	n, err := w.t.bw.Write(b)
	w.n += int64(n)
	w.t.pos += int64(n)
	if err != nil {
		return n, w.t.fail(fmt.Errorf("tiff: writing page data: %w", err))
	}
	return n, nil
}

// EndPage writes the page's directory after its strip and links it to the
// previous one. The file is then a complete TIFF.
func (t *Writer) EndPage() error {
	if err := t.usable(); err != nil {
		return err
	}
	pg := t.page
	if pg == nil {
		return errors.New("tiff: EndPage without BeginPage")
	}
	pg.closed = true
	t.page = nil
	if pg.n == 0 {
		return t.fail(fmt.Errorf("tiff: page %d has no data", len(t.nums)+1))
	}
	if t.pos%2 != 0 {
		t.write([]byte{0}) // a directory starts on a word boundary
	}
	ifd, nextAt, numAt := directory(pg, uint32(t.pos), len(t.nums))
	if t.pos+int64(len(ifd)) > math.MaxUint32 {
		return t.fail(ErrTooLarge)
	}
	at := t.pos
	t.write(ifd)
	if err := t.patch(t.next, binary.LittleEndian.AppendUint32(nil, uint32(at))); err != nil {
		return t.fail(err)
	}
	t.next = at + nextAt
	t.nums = append(t.nums, at+numAt)
	return nil
}

// Close sets the page count in every page's PageNumber and flushes. It does
// not close the underlying writer. A TIFF needs a page, so Close fails if
// none was completed, and also while a page is open.
func (t *Writer) Close() error {
	if err := t.usable(); err != nil {
		return err
	}
	t.done = true
	if t.page != nil {
		return t.fail(errors.New("tiff: Close with a page begun and not ended"))
	}
	if len(t.nums) == 0 {
		return t.fail(errors.New("tiff: no pages"))
	}
	total := uint16(min(len(t.nums), math.MaxUint16))
	for _, at := range t.nums {
		if err := t.patch(at+2, binary.LittleEndian.AppendUint16(nil, total)); err != nil {
			return t.fail(err)
		}
	}
	if err := t.bw.Flush(); err != nil {
		return t.fail(fmt.Errorf("tiff: %w", err))
	}
	return nil
}

func (t *Writer) usable() error {
	if t.err != nil {
		return t.err
	}
	if t.done {
		return errors.New("tiff: Writer is closed")
	}
	return nil
}

func (t *Writer) fail(err error) error {
	t.err = err
	return err
}

// write appends to the file; bufio keeps the first error for the next
// Flush, which patch and Close check.
func (t *Writer) write(b []byte) {
	n, _ := t.bw.Write(b)
	t.pos += int64(n)
}

// patch overwrites b at off, which has been written already, and returns
// to the end.
func (t *Writer) patch(off int64, b []byte) error {
	if err := t.bw.Flush(); err != nil {
		return fmt.Errorf("tiff: %w", err)
	}
	if _, err := t.ws.Seek(t.base+off, io.SeekStart); err != nil {
		return fmt.Errorf("tiff: seeking back: %w", err)
	}
	if _, err := t.ws.Write(b); err != nil {
		return fmt.Errorf("tiff: patching offset %d: %w", off, err)
	}
	if _, err := t.ws.Seek(t.base+t.pos, io.SeekStart); err != nil {
		return fmt.Errorf("tiff: seeking to the end: %w", err)
	}
	return nil
}
