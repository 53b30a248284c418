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
// images; its Layers say where they lie.
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
	comps := 1
	if pg.Mode == ModeRGB24 {
		comps = 3
	}
	ref := im.ref()
	ref.Coding = codingMRC
	ly := &CompactLayers{Color: comps == 3}
	ly.Background.Width, ly.Background.Height = mrc.BackgroundSize(im.Width, im.Height)
	ly.Foreground.Width, ly.Foreground.Height = mrc.ForegroundSize(im.Width, im.Height)
	ref.Layers = ly

	// The background streams into the file; the mask and the foreground,
	// a few tens of kilobytes, wait in memory until it is done.
	var mask, fg bytes.Buffer
	var splitter *mrc.Splitter
	return p.writeLayers(ref, layerData{
		background: func(w io.Writer) error {
			var err error
			splitter, err = p.split(ctx, w, im, comps, ly.Background.Width, ly.Background.Height, &mask)
			return err
		},
		mask: func() (io.Reader, int64, error) { return bytes.NewReader(mask.Bytes()), int64(mask.Len()), nil },
		foreground: func() (io.Reader, int64, error) {
			zw, _ := zlib.NewWriterLevel(&fg, zlib.BestCompression)
			zw.Write(splitter.Foreground())
			if err := zw.Close(); err != nil {
				return nil, 0, err
			}
			return bytes.NewReader(fg.Bytes()), int64(fg.Len()), nil
		},
	})
}

// layerData gives writeLayers a compact page's images: the background
// is written first, and only then are the mask and the foreground, with
// their lengths, asked for.
type layerData struct {
	background       func(io.Writer) error
	mask, foreground func() (io.Reader, int64, error)
}

// writeLayers writes a compact page, ref with its Layers' sizes filled
// in, whose images data gives: the background, then the foreground
// painted through the mask. A page copied into a part goes through here
// too, so that it is the same objects. It records where each image's
// data lies in the file.
func (p *PDFWriter) writeLayers(ref PageRef, data layerData) error {
	ly := *ref.Layers
	space, procSet := "/DeviceGray", "/ImageB"
	if ly.Color {
		space, procSet = "/DeviceRGB", "/ImageC"
	}
	if p.pages == 0 {
		p.cw.WriteString("%PDF-1.4\n%\xe2\xe3\xcf\xd3\n")
	}
	first := p.cw.n
	n := p.allocObjs(6)
	bgObj, bgLenObj, maskObj, fgObj, contentObj, pageObj := n, n+1, n+2, n+3, n+4, n+5

	p.beginObj(bgObj)
	fmt.Fprintf(&p.cw, "<< /Type /XObject /Subtype /Image /Width %d /Height %d /ColorSpace %s"+
		" /BitsPerComponent 8 /Filter /DCTDecode /Length %d 0 R >>\nstream\n", ly.Background.Width, ly.Background.Height, space, bgLenObj)
	ly.Background.Offset = p.cw.n
	if err := data.background(&p.cw); err != nil {
		return err
	}
	ly.Background.Length = p.cw.n - ly.Background.Offset
	p.cw.WriteString("\nendstream\nendobj\n")
	p.beginObj(bgLenObj)
	fmt.Fprintf(&p.cw, "%d\nendobj\n", ly.Background.Length)

	mask, maskLen, err := data.mask()
	if err != nil {
		return err
	}
	p.beginObj(maskObj)
	fmt.Fprintf(&p.cw, "<< /Type /XObject /Subtype /Image /Width %d /Height %d /ImageMask true /BitsPerComponent 1"+
		" /Filter /CCITTFaxDecode /DecodeParms << /K -1 /Columns %d /Rows %d >> /Length %d >>\nstream\n",
		ref.Width, ref.Height, ref.Width, ref.Height, maskLen)
	if ly.Mask, err = p.copyLayer(mask, maskLen); err != nil {
		return err
	}
	p.cw.WriteString("\nendstream\nendobj\n")

	fg, fgLen, err := data.foreground()
	if err != nil {
		return err
	}
	p.beginObj(fgObj)
	fmt.Fprintf(&p.cw, "<< /Type /XObject /Subtype /Image /Width %d /Height %d /ColorSpace %s /BitsPerComponent 8"+
		" /Filter /FlateDecode /Mask %d 0 R /Length %d >>\nstream\n", ly.Foreground.Width, ly.Foreground.Height, space, maskObj, fgLen)
	fgAt := ly.Foreground
	if ly.Foreground, err = p.copyLayer(fg, fgLen); err != nil {
		return err
	}
	ly.Foreground.Width, ly.Foreground.Height = fgAt.Width, fgAt.Height
	p.cw.WriteString("\nendstream\nendobj\n")

	wpt, hpt := points(ref.Width, ref.DPI), points(ref.Height, ref.DPI)
	content := "q " + wpt + " 0 0 " + hpt + " 0 0 cm /Bg Do /Fg Do Q\n"
	p.beginObj(contentObj)
	fmt.Fprintf(&p.cw, "<< /Length %d >>\nstream\n%s\nendstream\nendobj\n", len(content), content)

	p.beginObj(pageObj)
	fmt.Fprintf(&p.cw, "<< /Type /Page /Parent %d 0 R /MediaBox [0 0 %s %s]"+
		" /Resources << /XObject << /Bg %d 0 R /Fg %d 0 R >> /ProcSet [/PDF %s] >> /Contents %d 0 R >>\nendobj\n",
		objPages, wpt, hpt, bgObj, fgObj, procSet, contentObj)
	p.kids = append(p.kids, pageObj)

	ref.Offset, ref.Length, ref.Layers = first, p.cw.n-first, &ly
	p.last = ref
	return p.cw.Flush()
}

// copyLayer copies an image of n bytes from r into the file and says
// where it lies.
func (p *PDFWriter) copyLayer(r io.Reader, n int64) (Layer, error) {
	l := Layer{Offset: p.cw.n, Length: n}
	got, err := io.Copy(&p.cw, r)
	if err == nil && got != n {
		err = fmt.Errorf("stored image of %d bytes, want %d", got, n)
	}
	return l, err
}

// writeStoredCompact writes a compact page whose images, which ref's
// Layers locate, are read from f as they are.
func (p *PDFWriter) writeStoredCompact(ref PageRef, f io.ReaderAt) error {
	ly := ref.Layers
	section := func(l Layer) func() (io.Reader, int64, error) {
		return func() (io.Reader, int64, error) { return io.NewSectionReader(f, l.Offset, l.Length), l.Length, nil }
	}
	return p.writeLayers(ref, layerData{
		background: func(w io.Writer) error {
			n, err := io.Copy(w, io.NewSectionReader(f, ly.Background.Offset, ly.Background.Length))
			if err == nil && n != ly.Background.Length {
				err = fmt.Errorf("stored image of %d bytes, want %d", n, ly.Background.Length)
			}
			return err
		},
		mask:       section(ly.Mask),
		foreground: section(ly.Foreground),
	})
}

// split runs the page's raster through the splitter: the background into
// the file as JPEG, the mask into mask as Group 4.
func (p *PDFWriter) split(ctx context.Context, w io.Writer, im *pageImage, comps, bw, bh int, mask io.Writer) (*mrc.Splitter, error) {
	bg, err := jpegenc.NewWriter(w, jpegenc.Options{Width: bw, Height: bh, Components: comps,
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

// checkCopyable refuses to cut a compact PDF into parts when its index
// is from before compact pages' layers were recorded, or into a TIFF,
// which has no layers.
func checkCopyable(refs []PageRef, format Format) error {
	for _, ref := range refs {
		if ref.Coding != codingMRC {
			continue
		}
		if ref.Layers == nil {
			return fmt.Errorf("%w: this compact PDF cannot be cut into parts (its page index predates it); scan in fewer pages", ErrUnsupported)
		}
		if format != FormatPDF && format != FormatPDFCompact {
			return fmt.Errorf("%w: a compact PDF's pages cut into %v", ErrUnsupported, format)
		}
	}
	return nil
}
