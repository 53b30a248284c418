package scan

import (
	"bytes"
	"compress/zlib"
	"context"
	"fmt"
	"io"

	"scanmail/scan/g4"
	"scanmail/scan/jpegenc"
	"scanmail/scan/mrc"
)

// codingMRC marks in the page index a compact page, which is several
// images; such pages are not copied into parts.
const codingMRC = "mrc"

// compactQuality is the background's JPEG quality for a document's JPEG
// quality q: the background holds no text, and its JPEG is most of a
// compact page's bytes.
func compactQuality(q int) int { return max(1, q*2/3) }

// writeCompactPage writes a gray or colour page as mixed raster content:
// the background at a third of the resolution as JPEG, then the text's
// colour at a pixel a cell, painted through the full-resolution text mask
// coded as Group 4. Other pages are written as WritePage writes them.
func (p *PDFWriter) writeCompactPage(ctx context.Context, pg Page) error {
	if pg.Mode != ModeGray8 && pg.Mode != ModeRGB24 {
		return p.writePage(ctx, pg)
	}
	if p.opts.JPEGQuality < 1 || p.opts.JPEGQuality > 100 {
		return fmt.Errorf("JPEG quality %d not in 1..100", p.opts.JPEGQuality)
	}
	im, err := openImage(pg)
	if err != nil {
		return err
	}
	comps, space, procSet := 1, "/DeviceGray", "/ImageB"
	if pg.Mode == ModeRGB24 {
		comps, space, procSet = 3, "/DeviceRGB", "/ImageC"
	}
	if p.pages == 0 {
		p.cw.WriteString("%PDF-1.4\n%\xe2\xe3\xcf\xd3\n")
	}
	first := p.cw.n
	n := p.allocObjs(6)
	bgObj, bgLenObj, maskObj, fgObj, contentObj, pageObj := n, n+1, n+2, n+3, n+4, n+5

	// The background streams into the file; the mask and the foreground,
	// a few tens of kilobytes, wait in memory until it is done.
	bw, bh := mrc.BackgroundSize(im.Width, im.Height)
	p.beginObj(bgObj)
	fmt.Fprintf(&p.cw, "<< /Type /XObject /Subtype /Image /Width %d /Height %d /ColorSpace %s"+
		" /BitsPerComponent 8 /Filter /DCTDecode /Length %d 0 R >>\nstream\n", bw, bh, space, bgLenObj)
	start := p.cw.n
	var mask bytes.Buffer
	splitter, err := p.split(ctx, im, comps, bw, bh, &mask)
	if err != nil {
		return err
	}
	bgLen := p.cw.n - start
	p.cw.WriteString("\nendstream\nendobj\n")
	p.beginObj(bgLenObj)
	fmt.Fprintf(&p.cw, "%d\nendobj\n", bgLen)

	p.beginObj(maskObj)
	fmt.Fprintf(&p.cw, "<< /Type /XObject /Subtype /Image /Width %d /Height %d /ImageMask true /BitsPerComponent 1"+
		" /Filter /CCITTFaxDecode /DecodeParms << /K -1 /Columns %d /Rows %d >> /Length %d >>\nstream\n",
		im.Width, im.Height, im.Width, im.Height, mask.Len())
	p.cw.Write(mask.Bytes())
	p.cw.WriteString("\nendstream\nendobj\n")

	var fg bytes.Buffer
	zw, _ := zlib.NewWriterLevel(&fg, zlib.BestCompression)
	zw.Write(splitter.Foreground())
	if err := zw.Close(); err != nil {
		return err
	}
	fw, fh := mrc.ForegroundSize(im.Width, im.Height)
	p.beginObj(fgObj)
	fmt.Fprintf(&p.cw, "<< /Type /XObject /Subtype /Image /Width %d /Height %d /ColorSpace %s /BitsPerComponent 8"+
		" /Filter /FlateDecode /Mask %d 0 R /Length %d >>\nstream\n", fw, fh, space, maskObj, fg.Len())
	p.cw.Write(fg.Bytes())
	p.cw.WriteString("\nendstream\nendobj\n")

	wpt, hpt := points(im.Width, im.DPI), points(im.Height, im.DPI)
	content := "q " + wpt + " 0 0 " + hpt + " 0 0 cm /Bg Do /Fg Do Q\n"
	p.beginObj(contentObj)
	fmt.Fprintf(&p.cw, "<< /Length %d >>\nstream\n%s\nendstream\nendobj\n", len(content), content)

	p.beginObj(pageObj)
	fmt.Fprintf(&p.cw, "<< /Type /Page /Parent %d 0 R /MediaBox [0 0 %s %s]"+
		" /Resources << /XObject << /Bg %d 0 R /Fg %d 0 R >> /ProcSet [/PDF %s] >> /Contents %d 0 R >>\nendobj\n",
		objPages, wpt, hpt, bgObj, fgObj, procSet, contentObj)
	p.kids = append(p.kids, pageObj)

	ref := im.ref()
	ref.Coding, ref.Offset, ref.Length = codingMRC, first, p.cw.n-first
	p.last = ref
	return p.cw.Flush()
}

// split runs the page's raster through the splitter: the background into
// the file as JPEG, the mask into mask as Group 4.
func (p *PDFWriter) split(ctx context.Context, im *pageImage, comps, bw, bh int, mask io.Writer) (*mrc.Splitter, error) {
	bg, err := jpegenc.NewWriter(&p.cw, jpegenc.Options{Width: bw, Height: bh, Components: comps,
		Quality: compactQuality(p.opts.JPEGQuality), DPI: max(1, im.DPI/mrc.Reduce)})
	if err != nil {
		return nil, err
	}
	mw, err := g4.NewEncoder(mask, im.Width)
	if err != nil {
		bg.Close()
		return nil, err
	}
	s, err := mrc.NewSplitter(mrc.Options{Width: im.Width, Height: im.Height, Components: comps},
		mrc.Layers{Mask: mw, Background: bg})
	if err != nil {
		bg.Close()
		return nil, err
	}
	rowBytes := im.Mode.RowBytes(im.Width)
	if cap(p.buf) < stripRows*rowBytes {
		p.buf = make([]byte, stripRows*rowBytes)
	}
	if err := copyRaster(ctx, s, im.data, rowBytes, im.Height, p.buf); err != nil {
		bg.Close() // releases the encoder's workers; the output is abandoned
		return nil, err
	}
	if err := s.Close(); err != nil {
		bg.Close()
		return nil, err
	}
	if err := mw.Close(); err != nil {
		bg.Close()
		return nil, err
	}
	return s, bg.Close()
}

// checkCopyable refuses to cut a compact PDF into parts: its pages are
// several images each, which WritePart does not copy yet.
func checkCopyable(refs []PageRef) error {
	for _, ref := range refs {
		if ref.Coding == codingMRC {
			return fmt.Errorf("%w: a compact PDF cannot be cut into parts; scan in fewer pages", ErrUnsupported)
		}
	}
	return nil
}
