package scan

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"strconv"
	"strings"
	"time"
	"unicode/utf16"
)

// PDFOptions tunes the PDF output.
type PDFOptions struct {
	JPEGQuality int // 1..100, 0 = default 75
	// Title is the document's title, optional; {pages} in it is filled
	// in with the page count when the file is closed.
	Title    string
	Author   string    // optional: who made the document
	Created  time.Time // the CreationDate; zero: none said
	Producer string    // optional, default "scanmail"
	// PDFA writes PDF/A-2b: XMP metadata and an sRGB output intent
	// (see pdfa.go).
	PDFA bool
	// Compact writes gray and colour pages as mixed raster content (see
	// writeCompactPage), at a fraction of the bytes.
	Compact bool
}

// Fixed object numbers; pages start after them, objsPerPage each:
// image, image length, content stream, page (compact pages take more).
const (
	objCatalog  = 1
	objPages    = 2
	objInfo     = 3
	objFirst    = 4
	objsPerPage = 4
)

// PDFWriter writes a PDF 1.4 file one page at a time. Each page is encoded
// band by band as its rows arrive and written to w at once; only object
// offsets and one band of raster rows are kept. It is not safe for
// concurrent use.
type PDFWriter struct {
	cw      countingWriter
	opts    PDFOptions
	offsets []int64 // by object number; 0 is unused
	pages   int
	kids    []int   // the pages' object numbers
	buf     []byte  // a band of raster rows, reused for every page
	last    PageRef // the last page's image and where its data lies
	err     error   // sticky: once set, the output is unusable
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

// WritePage reads pg.Data to the end and writes the page as one image whose
// size in points follows from Width, Height and DPI: bilevel pages as CCITT
// Group 4 (CCITTFaxDecode), gray and colour pages as JPEG (DCTDecode), and
// the engine's own JPEG as it came.
// After an error the PDF is unusable and every later call fails.
func (p *PDFWriter) WritePage(ctx context.Context, pg Page) error {
	if p.opts.Compact {
		return p.addPage(func() error { return p.writeCompactPage(ctx, pg) })
	}
	return p.addPage(func() error { return p.writePage(ctx, pg) })
}

// addPage writes the next page with write; the first error sticks.
func (p *PDFWriter) addPage(write func() error) error {
	if p.closed {
		return errors.New("scan: PDFWriter is closed")
	}
	if p.err != nil {
		return p.err
	}
	if err := write(); err != nil {
		p.err = fmt.Errorf("scan: PDF page %d: %w", p.pages+1, err)
		return p.err
	}
	p.pages++
	return nil
}

func (p *PDFWriter) writePage(ctx context.Context, pg Page) error {
	if p.opts.JPEGQuality < 1 || p.opts.JPEGQuality > 100 {
		return fmt.Errorf("JPEG quality %d not in 1..100", p.opts.JPEGQuality)
	}
	im, err := openImage(pg)
	if err != nil {
		return err
	}
	return p.writeImage(im.ref(), func(w io.Writer) error {
		return im.encode(ctx, w, p.opts.JPEGQuality, &p.buf, false)
	})
}

// writeStored writes a page whose compressed images, described by ref,
// are read from f as they are.
func (p *PDFWriter) writeStored(ref PageRef, f io.ReaderAt) error {
	return p.addPage(func() error {
		if ref.Coding == codingMRC {
			return p.writeStoredCompact(ref, f)
		}
		r := io.NewSectionReader(f, ref.Offset, ref.Length)
		return p.writeImage(ref, func(w io.Writer) error { return copyStored(w, r, ref) })
	})
}

// writeImage writes a page showing one image, whose compressed data
// writeData writes. It records where that data lies in the file.
func (p *PDFWriter) writeImage(ref PageRef, writeData func(io.Writer) error) error {
	kind, ok := kindOf(ref.Coding)
	if !ok {
		return fmt.Errorf("unknown image coding %q", ref.Coding)
	}
	if p.pages == 0 {
		// The comment's high bytes tell transfer tools the file is binary.
		p.cw.WriteString("%PDF-1.4\n%\xe2\xe3\xcf\xd3\n")
	}
	n := p.allocObjs(objsPerPage)
	imgObj, lenObj, contentObj, pageObj := n, n+1, n+2, n+3

	p.beginObj(imgObj)
	fmt.Fprintf(&p.cw, "<< /Type /XObject /Subtype /Image /Width %d /Height %d %s /Length %d 0 R >>\nstream\n",
		ref.Width, ref.Height, imageDict(kind, ref), lenObj)
	start := p.cw.n
	if err := writeData(&p.cw); err != nil {
		return err
	}
	length := p.cw.n - start
	ref.Offset, ref.Length = start, length
	p.last = ref
	p.cw.WriteString("\nendstream\nendobj\n")

	p.beginObj(lenObj)
	fmt.Fprintf(&p.cw, "%d\nendobj\n", length)

	wpt, hpt := points(ref.Width, ref.DPI), points(ref.Height, ref.DPI)
	content := "q " + wpt + " 0 0 " + hpt + " 0 0 cm /Im0 Do Q\n"
	p.beginObj(contentObj)
	fmt.Fprintf(&p.cw, "<< /Length %d >>\nstream\n%s\nendstream\nendobj\n", len(content), content)

	procSet := "/ImageB"
	if kind == kindJPEGRGB {
		procSet = "/ImageC"
	}
	p.beginObj(pageObj)
	fmt.Fprintf(&p.cw, "<< /Type /Page /Parent %d 0 R /MediaBox [0 0 %s %s]"+
		" /Resources << /XObject << /Im0 %d 0 R >> /ProcSet [/PDF %s] >> /Contents %d 0 R >>\nendobj\n",
		objPages, wpt, hpt, imgObj, procSet, contentObj)

	p.kids = append(p.kids, pageObj)

	// Hand the page to w now rather than when the buffer happens to fill.
	return p.cw.Flush()
}

// imageDict is the part of an image XObject's dictionary that says how its
// samples are coded.
func imageDict(kind imageKind, ref PageRef) string {
	switch kind {
	case kindG4:
		// BlackIs1 stays false: decoded black is then 0, which is
		// black in DeviceGray.
		return fmt.Sprintf("/ColorSpace /DeviceGray /BitsPerComponent 1 /Filter /CCITTFaxDecode"+
			" /DecodeParms << /K -1 /Columns %d /Rows %d >>", ref.Width, ref.Height)
	case kindJPEGRGB:
		if ref.PlainRGB {
			// A JPEG of plain RGB samples must not be converted
			// from YCbCr on decoding.
			return "/ColorSpace /DeviceRGB /BitsPerComponent 8 /Filter /DCTDecode /DecodeParms << /ColorTransform 0 >>"
		}
		return "/ColorSpace /DeviceRGB /BitsPerComponent 8 /Filter /DCTDecode"
	}
	return "/ColorSpace /DeviceGray /BitsPerComponent 8 /Filter /DCTDecode"
}

// Close writes the page tree, catalog, document information, cross-reference
// table and trailer. It does not close the underlying writer. A PDF needs at
// least one page, so Close fails if none was written.
func (p *PDFWriter) Close() error {
	if p.closed {
		return errors.New("scan: PDFWriter is closed")
	}
	p.closed = true
	p.buf = nil
	if p.err != nil {
		return p.err
	}
	if p.pages == 0 {
		return errors.New("scan: PDF has no pages")
	}
	p.beginObj(objPages)
	p.cw.WriteString("<< /Type /Pages /Kids [")
	for _, kid := range p.kids {
		fmt.Fprintf(&p.cw, "%d 0 R ", kid)
	}
	fmt.Fprintf(&p.cw, "] /Count %d >>\nendobj\n", p.pages)

	info := docInfo{
		title:    strings.ReplaceAll(p.opts.Title, "{pages}", strconv.Itoa(p.pages)),
		author:   p.opts.Author,
		producer: p.opts.Producer,
		created:  p.opts.Created,
	}
	catalog := ""
	if p.opts.PDFA {
		catalog = p.writePDFA(info)
	}
	p.beginObj(objCatalog)
	fmt.Fprintf(&p.cw, "<< /Type /Catalog /Pages %d 0 R%s >>\nendobj\n", objPages, catalog)

	p.beginObj(objInfo)
	p.cw.WriteString(info.infoDict() + "\nendobj\n")

	xref := p.cw.n
	fmt.Fprintf(&p.cw, "xref\n0 %d\n0000000000 65535 f \n", len(p.offsets))
	for _, off := range p.offsets[1:] {
		fmt.Fprintf(&p.cw, "%010d 00000 n \n", off)
	}
	fmt.Fprintf(&p.cw, "trailer\n<< /Size %d /Root %d 0 R /Info %d 0 R /ID %s >>\nstartxref\n%d\n%%%%EOF\n",
		len(p.offsets), objCatalog, objInfo, info.fileID(xref, p.pages), xref)
	if err := p.cw.Flush(); err != nil {
		p.err = fmt.Errorf("scan: PDF trailer: %w", err)
		return p.err
	}
	return nil
}

// allocObjs reserves k object numbers and returns the first.
func (p *PDFWriter) allocObjs(k int) int {
	n := len(p.offsets)
	p.offsets = append(p.offsets, make([]int64, k)...)
	return n
}

// beginObj records where object num starts and writes its header.
func (p *PDFWriter) beginObj(num int) {
	for len(p.offsets) <= num {
		p.offsets = append(p.offsets, 0)
	}
	p.offsets[num] = p.cw.n
	fmt.Fprintf(&p.cw, "%d 0 obj\n", num)
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
