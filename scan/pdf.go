package scan

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"image"
	"image/jpeg"
	"io"
	"strconv"
	"unicode/utf16"
)

// PDFOptions tunes the PDF output.
type PDFOptions struct {
	JPEGQuality int    // 1..100, 0 = default 75
	Title       string // optional document title
	Producer    string // optional, default "scanmail"
}

// maxPixels bounds the raster buffer a page header can make us allocate:
// A3 at 600 dpi is about 70 million pixels.
const maxPixels = 1 << 27

// Fixed object numbers; pages start after them, objsPerPage each:
// image, image length, content stream, page.
const (
	objCatalog  = 1
	objPages    = 2
	objInfo     = 3
	objFirst    = 4
	objsPerPage = 4
)

// PDFWriter writes a PDF 1.4 file one page at a time. Each page is written
// to w as soon as it is encoded; only object offsets and one raster buffer
// are kept. It is not safe for concurrent use.
type PDFWriter struct {
	cw      countingWriter
	opts    PDFOptions
	offsets []int64 // by object number; 0 is unused
	pages   int
	img     *image.Gray // reused for every page
	err     error       // sticky: once set, the output is unusable
	closed  bool
}

// NewPDFWriter returns a writer producing a PDF on w. Nothing is written
// until the first page.
func NewPDFWriter(w io.Writer, opts PDFOptions) *PDFWriter {
	if opts.JPEGQuality == 0 {
		opts.JPEGQuality = 75
	}
	if opts.Producer == "" {
		opts.Producer = "scanmail"
	}
	return &PDFWriter{
		cw:      countingWriter{w: bufio.NewWriterSize(w, 64<<10)},
		opts:    opts,
		offsets: make([]int64, objFirst),
	}
}

// Pages returns how many pages have been written.
func (p *PDFWriter) Pages() int { return p.pages }

// WritePage reads pg.Data to the end and writes the page as one JPEG image
// (DCTDecode) whose size in points follows from Width, Height and DPI.
// After an error the PDF is unusable and every later call fails.
func (p *PDFWriter) WritePage(ctx context.Context, pg Page) error {
	if p.closed {
		return errors.New("scan: PDFWriter is closed")
	}
	if p.err != nil {
		return p.err
	}
	if err := p.writePage(ctx, pg); err != nil {
		p.err = fmt.Errorf("scan: PDF page %d: %w", p.pages+1, err)
		return p.err
	}
	p.pages++
	return nil
}

func (p *PDFWriter) writePage(ctx context.Context, pg Page) error {
	h := pg.PageHeader
	if h.Mode != ModeGray8 {
		return fmt.Errorf("%w: mode %v in PDF", ErrUnsupported, h.Mode)
	}
	if h.Width <= 0 || h.Height <= 0 || h.DPI <= 0 {
		return fmt.Errorf("bad page header %dx%d at %d dpi", h.Width, h.Height, h.DPI)
	}
	if h.Width > 0xffff || h.Height > 0xffff || h.Width*h.Height > maxPixels {
		return fmt.Errorf("%w: page of %dx%d pixels is too large", ErrUnsupported, h.Width, h.Height)
	}
	if p.opts.JPEGQuality < 1 || p.opts.JPEGQuality > 100 {
		return fmt.Errorf("JPEG quality %d not in 1..100", p.opts.JPEGQuality)
	}
	img := p.raster(h.Width, h.Height)
	if err := readRaster(ctx, pg.Data, img.Pix, h.rowBytes()); err != nil {
		return err
	}
	if err := ctx.Err(); err != nil {
		return err
	}

	if p.pages == 0 {
		// The comment's high bytes tell transfer tools the file is binary.
		p.cw.WriteString("%PDF-1.4\n%\xe2\xe3\xcf\xd3\n")
	}
	n := objFirst + p.pages*objsPerPage
	imgObj, lenObj, contentObj, pageObj := n, n+1, n+2, n+3

	p.beginObj(imgObj)
	fmt.Fprintf(&p.cw, "<< /Type /XObject /Subtype /Image /Width %d /Height %d /ColorSpace /DeviceGray"+
		" /BitsPerComponent 8 /Filter /DCTDecode /Length %d 0 R >>\nstream\n", h.Width, h.Height, lenObj)
	start := p.cw.n
	if err := jpeg.Encode(&p.cw, img, &jpeg.Options{Quality: p.opts.JPEGQuality}); err != nil {
		return fmt.Errorf("encoding JPEG: %w", err)
	}
	length := p.cw.n - start
	p.cw.WriteString("\nendstream\nendobj\n")

	p.beginObj(lenObj)
	fmt.Fprintf(&p.cw, "%d\nendobj\n", length)

	wpt, hpt := points(h.Width, h.DPI), points(h.Height, h.DPI)
	content := "q " + wpt + " 0 0 " + hpt + " 0 0 cm /Im0 Do Q\n"
	p.beginObj(contentObj)
	fmt.Fprintf(&p.cw, "<< /Length %d >>\nstream\n%s\nendstream\nendobj\n", len(content), content)

	p.beginObj(pageObj)
	fmt.Fprintf(&p.cw, "<< /Type /Page /Parent %d 0 R /MediaBox [0 0 %s %s]"+
		" /Resources << /XObject << /Im0 %d 0 R >> /ProcSet [/PDF /ImageB] >> /Contents %d 0 R >>\nendobj\n",
		objPages, wpt, hpt, imgObj, contentObj)

	// Hand the page to w now rather than when the buffer happens to fill.
	return p.cw.Flush()
}

// Close writes the page tree, catalog, document information, cross-reference
// table and trailer. It does not close the underlying writer. A PDF needs at
// least one page, so Close fails if none was written.
func (p *PDFWriter) Close() error {
	if p.closed {
		return errors.New("scan: PDFWriter is closed")
	}
	p.closed = true
	p.img = nil
	if p.err != nil {
		return p.err
	}
	if p.pages == 0 {
		return errors.New("scan: PDF has no pages")
	}
	p.beginObj(objPages)
	p.cw.WriteString("<< /Type /Pages /Kids [")
	for i := range p.pages {
		fmt.Fprintf(&p.cw, "%d 0 R ", objFirst+i*objsPerPage+3)
	}
	fmt.Fprintf(&p.cw, "] /Count %d >>\nendobj\n", p.pages)

	p.beginObj(objCatalog)
	fmt.Fprintf(&p.cw, "<< /Type /Catalog /Pages %d 0 R >>\nendobj\n", objPages)

	p.beginObj(objInfo)
	p.cw.WriteString("<< /Producer " + pdfString(p.opts.Producer))
	if p.opts.Title != "" {
		p.cw.WriteString(" /Title " + pdfString(p.opts.Title))
	}
	p.cw.WriteString(" >>\nendobj\n")

	xref := p.cw.n
	fmt.Fprintf(&p.cw, "xref\n0 %d\n0000000000 65535 f \n", len(p.offsets))
	for _, off := range p.offsets[1:] {
		fmt.Fprintf(&p.cw, "%010d 00000 n \n", off)
	}
	fmt.Fprintf(&p.cw, "trailer\n<< /Size %d /Root %d 0 R /Info %d 0 R >>\nstartxref\n%d\n%%%%EOF\n",
		len(p.offsets), objCatalog, objInfo, xref)
	if err := p.cw.Flush(); err != nil {
		p.err = fmt.Errorf("scan: PDF trailer: %w", err)
		return p.err
	}
	return nil
}

// beginObj records where object num starts and writes its header.
func (p *PDFWriter) beginObj(num int) {
	for len(p.offsets) <= num {
		p.offsets = append(p.offsets, 0)
	}
	p.offsets[num] = p.cw.n
	fmt.Fprintf(&p.cw, "%d 0 obj\n", num)
}

// raster returns the reused page buffer, grown only when a page is larger.
func (p *PDFWriter) raster(w, h int) *image.Gray {
	if p.img == nil || cap(p.img.Pix) < w*h {
		p.img = image.NewGray(image.Rect(0, 0, w, h))
		return p.img
	}
	p.img.Pix = p.img.Pix[:w*h]
	p.img.Stride = w
	p.img.Rect = image.Rect(0, 0, w, h)
	return p.img
}

// readRaster fills buf from r in bands of rows, checking ctx between them,
// and then insists that r has nothing more.
func readRaster(ctx context.Context, r io.Reader, buf []byte, rowBytes int) error {
	band := 64 * rowBytes
	for off := 0; off < len(buf); off += band {
		if err := ctx.Err(); err != nil {
			return err
		}
		end := min(off+band, len(buf))
		if n, err := io.ReadFull(r, buf[off:end]); err != nil {
			if errors.Is(err, io.ErrUnexpectedEOF) || errors.Is(err, io.EOF) {
				return fmt.Errorf("raster ends after %d of %d rows", (off+n)/rowBytes, len(buf)/rowBytes)
			}
			return fmt.Errorf("reading raster: %w", err)
		}
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

// points converts pixels to PDF units of 1/72 inch.
func points(px, dpi int) string {
	return strconv.FormatFloat(float64(px)*72/float64(dpi), 'f', -1, 32)
}

// pdfString writes s as a PDF text string: literal when it is printable
// ASCII, otherwise UTF-16BE with a byte order mark, in hex.
func pdfString(s string) string {
	ascii := true
	for i := 0; i < len(s); i++ {
		ascii = ascii && s[i] >= 0x20 && s[i] < 0x7f
	}
	if ascii {
		b := []byte{'('}
		for i := 0; i < len(s); i++ {
			if s[i] == '(' || s[i] == ')' || s[i] == '\\' {
				b = append(b, '\\')
			}
			b = append(b, s[i])
		}
		return string(append(b, ')'))
	}
	b := []byte("<FEFF")
	for _, u := range utf16.Encode([]rune(s)) {
		b = fmt.Appendf(b, "%04X", u)
	}
	return string(append(b, '>'))
}

// countingWriter counts the bytes of the PDF for the cross-reference table.
// It has WriteByte and Flush so that image/jpeg uses it directly instead of
// wrapping it in a buffer of its own.
type countingWriter struct {
	w *bufio.Writer
	n int64
}

func (c *countingWriter) Write(b []byte) (int, error) {
	n, err := c.w.Write(b)
	c.n += int64(n)
	return n, err
}

func (c *countingWriter) WriteString(s string) (int, error) {
	n, err := c.w.WriteString(s)
	c.n += int64(n)
	return n, err
}

func (c *countingWriter) WriteByte(b byte) error {
	if err := c.w.WriteByte(b); err != nil {
		return err
	}
	c.n++
	return nil
}

// Flush pushes buffered bytes to the destination. bufio.Writer keeps the
// first write error, so errors of the small writes above surface here.
func (c *countingWriter) Flush() error { return c.w.Flush() }

// WritePDF copies every page of src into a PDF on w and returns the page
// count. On any error it returns 0 and the error; what reached w by then is
// not a usable PDF. The caller still closes src.
func WritePDF(ctx context.Context, src Source, w io.Writer, opts PDFOptions) (int, error) {
	pw := NewPDFWriter(w, opts)
	for {
		pg, err := src.NextPage(ctx)
		if err == io.EOF {
			break
		}
		if err != nil {
			// No trailer: a shorter PDF that validates would hide the loss.
			return 0, fmt.Errorf("scan: page %d: %w", pw.Pages()+1, err)
		}
		if err := pw.WritePage(ctx, pg); err != nil {
			return 0, err
		}
	}
	if err := pw.Close(); err != nil {
		return 0, err
	}
	return pw.Pages(), nil
}
