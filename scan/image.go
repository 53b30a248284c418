package scan

import (
	"context"
	"errors"
	"fmt"
	"io"

	"scanmail/scan/g4"
	"scanmail/scan/jfif"
	"scanmail/scan/jpegenc"
)

// imageKind is how a page is compressed, in every file format: bilevel
// pages as CCITT Group 4, gray and colour pages as JPEG.
type imageKind int

const (
	kindG4 imageKind = iota + 1
	kindJPEGGray
	kindJPEGRGB
)

// stripRows is how many raster rows move from the scanner to an encoder at a
// time: the only raster a page ever holds in memory.
const stripRows = 64

// pageImage is a page on its way to becoming one compressed image.
type pageImage struct {
	PageHeader
	kind imageKind
	// passthrough is set for pages the engine compressed: their JPEG is
	// copied, never decoded and coded again. jpeg is its header, and
	// prefix the bytes read to find it.
	passthrough bool
	jpeg        jfif.Header
	prefix      []byte
	data        io.Reader
}

// openImage checks a page's header and, for the engine's JPEG, reads the
// stream's own header, which is the truth about its size and colours.
func openImage(pg Page) (*pageImage, error) {
	h := pg.PageHeader
	if err := checkPageSize(h); err != nil {
		return nil, err
	}
	im := &pageImage{PageHeader: h, data: pg.Data}
	switch h.Mode {
	case ModeBW1:
		im.kind = kindG4
	case ModeGray8:
		im.kind = kindJPEGGray
	case ModeRGB24:
		im.kind = kindJPEGRGB
	case ModeJPEG:
		jh, prefix, err := jfif.ReadHeader(pg.Data)
		if err != nil {
			return nil, fmt.Errorf("the scanner's JPEG: %w", err)
		}
		if jh.Width != h.Width || jh.Height != h.Height {
			return nil, fmt.Errorf("the scanner's JPEG is %dx%d, its page header says %dx%d", jh.Width, jh.Height, h.Width, h.Height)
		}
		im.passthrough, im.jpeg, im.prefix = true, jh, prefix
		im.kind = kindJPEGGray
		if jh.Components == 3 {
			im.kind = kindJPEGRGB
		}
	default:
		return nil, fmt.Errorf("%w: mode %v", ErrUnsupported, h.Mode)
	}
	return im, nil
}

// encode writes the compressed image to w, taking the page's data a band
// of rows at a time; buf is reused between pages and grown as needed.
// With asGray, bilevel pages are coded as gray JPEG (for formats that hold
// no Group 4).
func (im *pageImage) encode(ctx context.Context, w io.Writer, quality int, buf *[]byte, asGray bool) error {
	if im.passthrough {
		if _, err := w.Write(im.prefix); err != nil {
			return err
		}
		limit := maxJPEGBytes(im.Width, im.Height, im.jpeg.Components) - int64(len(im.prefix))
		_, err := io.Copy(w, &cappedReader{r: ctxReader{ctx, im.data}, left: limit, page: im.PageHeader})
		return err
	}
	rowBytes := im.Mode.RowBytes(im.Width)
	if cap(*buf) < stripRows*rowBytes {
		*buf = make([]byte, stripRows*rowBytes)
	}
	var enc io.WriteCloser
	var err error
	switch {
	case im.kind == kindG4 && !asGray:
		enc, err = g4.NewEncoder(w, im.Width)
	case im.kind == kindG4:
		var je *jpegenc.Writer
		je, err = jpegenc.NewWriter(w, jpegenc.Options{Width: im.Width, Height: im.Height, Components: 1, Quality: quality, DPI: im.DPI})
		enc = &bilevelToGray{w: je, width: im.Width}
	default:
		comps := 1
		if im.kind == kindJPEGRGB {
			comps = 3
		}
		enc, err = jpegenc.NewWriter(w, jpegenc.Options{Width: im.Width, Height: im.Height, Components: comps, Quality: quality, DPI: im.DPI})
	}
	if err != nil {
		return err
	}
	if err := copyRaster(ctx, enc, im.data, rowBytes, im.Height, *buf); err != nil {
		enc.Close() // releases the encoder's workers; the output is abandoned
		return err
	}
	return enc.Close()
}

// copyRaster moves exactly rows rows from r to w in bands, checking ctx
// between them, and then insists that r has nothing more: a page longer or
// shorter than its header says is damaged.
func copyRaster(ctx context.Context, w io.Writer, r io.Reader, rowBytes, rows int, buf []byte) error {
	band := len(buf) / rowBytes
	for done := 0; done < rows; {
		if err := ctx.Err(); err != nil {
			return err
		}
		n := min(band, rows-done)
		if got, err := io.ReadFull(r, buf[:n*rowBytes]); err != nil {
			if errors.Is(err, io.ErrUnexpectedEOF) || errors.Is(err, io.EOF) {
				return fmt.Errorf("raster ends after %d of %d rows", done+got/rowBytes, rows)
			}
			return fmt.Errorf("reading raster: %w", err)
		}
		if _, err := w.Write(buf[:n*rowBytes]); err != nil {
			return err
		}
		done += n
	}
	var extra [1]byte
	for {
		n, err := r.Read(extra[:])
		if n > 0 {
			return errors.New("raster is longer than its header says")
		}
		if err == io.EOF {
			return nil
		}
		if err != nil {
			return fmt.Errorf("reading raster: %w", err)
		}
	}
}

// bilevelToGray expands whole packed bilevel rows (1 black) into gray rows
// (0 black) for a gray encoder.
type bilevelToGray struct {
	w     io.WriteCloser
	width int
	row   []byte
}

func (b *bilevelToGray) Write(p []byte) (int, error) {
	rowBytes := (b.width + 7) / 8
	if len(p)%rowBytes != 0 {
		return 0, errors.New("bilevel rows must be written whole")
	}
	if b.row == nil {
		b.row = make([]byte, b.width)
	}
	for off := 0; off < len(p); off += rowBytes {
		packed := p[off : off+rowBytes]
		for x := range b.row {
			b.row[x] = 255
			if packed[x>>3]&(0x80>>(x&7)) != 0 {
				b.row[x] = 0
			}
		}
		if _, err := b.w.Write(b.row); err != nil {
			return off, err
		}
	}
	return len(p), nil
}

func (b *bilevelToGray) Close() error { return b.w.Close() }

// maxJPEGBytes is the most a passed-through JPEG of a page may take: its
// raster's size and half again (a JPEG of noise at quality 100 can pass
// the raster), plus 1 MiB for markers. An engine that never ends a page
// fails there, whatever room the spool has.
func maxJPEGBytes(width, height, components int) int64 {
	raster := rasterBytes(width, height, components)
	return raster + raster/2 + 1<<20
}

// cappedReader fails, instead of giving more, once a passed-through JPEG
// is longer than left.
type cappedReader struct {
	r    io.Reader
	left int64
	page PageHeader
}

func (c *cappedReader) Read(p []byte) (int, error) {
	if c.left <= 0 {
		var probe [1]byte
		n, err := c.r.Read(probe[:])
		if n > 0 {
			return 0, fmt.Errorf("the scanner's JPEG of a %dx%d page is longer than such a page can be; the scanner did not end the page", c.page.Width, c.page.Height)
		}
		return 0, err
	}
	if int64(len(p)) > c.left {
		p = p[:c.left]
	}
	n, err := c.r.Read(p)
	c.left -= int64(n)
	return n, err
}

// ctxReader stops a copy when ctx ends.
type ctxReader struct {
	ctx context.Context
	r   io.Reader
}

func (c ctxReader) Read(p []byte) (int, error) {
	if err := c.ctx.Err(); err != nil {
		return 0, err
	}
	return c.r.Read(p)
}
