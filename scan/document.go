package scan

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"time"

	"scanmail/scan/tiff"
)

// DocumentOptions say how a scanned document is written.
type DocumentOptions struct {
	Format  Format
	Quality int       // JPEG quality 1..100, 0 = 75
	Name    string    // file name without extension
	Title   string    // PDF title; {pages} is filled in
	Author  string    // PDF author
	Created time.Time // PDF creation date
	PDFA    bool      // PDF/A-2b rather than plain PDF
	// MaxBytes bounds the bytes of the document's files, its page index
	// included; 0 means no bound. A write that would pass it fails the
	// document with ErrTooLarge, and nothing past it is written.
	MaxBytes int64
	// PerPage writes a PDF or TIFF file of its own for each page, named as
	// the JPEG files are (Name-p001.pdf), so that each page can be sent as
	// an attachment of its own. JPEG is always one file a page.
	PerPage bool
}

// Document is a scanned document being written into a directory: one PDF
// or TIFF file, or one file a page (JPEG, or PDF and TIFF with PerPage). The caller owns the directory and
// makes it durable; Close syncs every file.
type Document struct {
	dir   string
	opts  DocumentOptions
	pages int
	files []string
	refs  []PageRef
	size  int64
	room  budget

	file *budgetFile // the PDF or TIFF file being written
	pdf  *PDFWriter
	tiff *tiff.Writer
	buf  []byte // a band of raster rows, reused for every page
	err  error
}

// CreateDocument starts a document in dir.
func CreateDocument(dir string, opts DocumentOptions) (*Document, error) {
	if opts.Quality == 0 {
		opts.Quality = 75
	}
	if opts.Quality < 1 || opts.Quality > 100 {
		return nil, fmt.Errorf("scan: JPEG quality %d not in 1..100", opts.Quality)
	}
	if opts.Name == "" {
		opts.Name = "scan"
	}
	if opts.MaxBytes < 0 {
		return nil, fmt.Errorf("scan: negative document size limit %d", opts.MaxBytes)
	}
	d := &Document{dir: dir, opts: opts, room: budget{max: opts.MaxBytes}}
	switch opts.Format {
	case FormatPDF, FormatPDFCompact, FormatTIFF:
		if !opts.PerPage {
			if err := d.begin(opts.Name + "." + opts.Format.Ext()); err != nil {
				return nil, err
			}
		}
	case FormatJPEG:
	default:
		return nil, fmt.Errorf("%w: format %v", ErrUnsupported, opts.Format)
	}
	return d, nil
}

// begin starts the PDF or TIFF file name.
func (d *Document) begin(name string) error {
	f, err := d.create(name)
	if err != nil {
		return err
	}
	d.file = f
	if d.opts.Format != FormatTIFF {
		d.pdf = NewPDFWriter(f, PDFOptions{
			JPEGQuality: d.opts.Quality,
			Title:       d.opts.Title,
			Author:      d.opts.Author,
			Created:     d.opts.Created,
			PDFA:        d.opts.PDFA,
			Compact:     d.opts.Format == FormatPDFCompact,
		})
	} else {
		d.tiff = tiff.NewWriter(f)
	}
	return nil
}

// end finishes the PDF or TIFF file and syncs it.
func (d *Document) end() error {
	var err error
	switch {
	case d.pdf != nil:
		err = d.pdf.Close()
	case d.tiff != nil:
		err = d.tiff.Close()
	}
	if err != nil {
		d.file.f.Close()
	} else {
		err = closeSynced(d.file.f, &d.size)
	}
	d.file, d.pdf, d.tiff = nil, nil, nil
	return err
}

func (d *Document) create(name string) (*budgetFile, error) {
	path := filepath.Join(d.dir, name)
	f, err := os.OpenFile(path, os.O_CREATE|os.O_EXCL|os.O_WRONLY, 0o600)
	if err != nil {
		return nil, fmt.Errorf("scan: %w", err)
	}
	d.files = append(d.files, path)
	return &budgetFile{f: f, b: &d.room}, nil
}

// WritePage adds a page. After an error the document is unusable.
func (d *Document) WritePage(ctx context.Context, pg Page) error {
	if d.err != nil {
		return d.err
	}
	var err error
	switch {
	case d.opts.Format == FormatJPEG:
		err = d.writeJPEGFile(ctx, pg)
	case d.opts.PerPage:
		if err = d.begin(fmt.Sprintf("%s-p%03d.%s", d.opts.Name, d.pages+1, d.opts.Format.Ext())); err == nil {
			if err = d.writeFilePage(ctx, pg); err == nil {
				err = d.end()
			}
		}
	default:
		err = d.writeFilePage(ctx, pg)
	}
	if err != nil {
		d.err = fmt.Errorf("scan: page %d: %w", d.pages+1, err)
		return d.err
	}
	d.pages++
	return nil
}

// writeFilePage adds the page to the PDF or TIFF file being written.
func (d *Document) writeFilePage(ctx context.Context, pg Page) error {
	if d.tiff != nil {
		return d.writeTIFFPage(ctx, pg)
	}
	if err := d.pdf.WritePage(ctx, pg); err != nil {
		return err
	}
	ref := d.pdf.last
	ref.File = filepath.Base(d.file.f.Name())
	d.refs = append(d.refs, ref)
	return nil
}

// tiffKinds are the TIFF codings of each image kind.
var tiffKinds = map[imageKind]tiff.Kind{kindG4: tiff.G4, kindJPEGGray: tiff.JPEGGray, kindJPEGRGB: tiff.JPEGRGB}

func (d *Document) writeTIFFPage(ctx context.Context, pg Page) error {
	im, err := openImage(pg)
	if err != nil {
		return err
	}
	info := tiff.PageInfo{Width: im.Width, Height: im.Height, DPI: im.DPI, Kind: tiffKinds[im.kind]}
	if im.kind == kindJPEGRGB && im.passthrough {
		if !im.jpeg.YCbCr {
			return fmt.Errorf("%w: the scanner's JPEG holds plain RGB, which TIFF readers misread; choose PDF", ErrUnsupported)
		}
		x, y, ok := im.jpeg.Subsampling()
		if !ok {
			return fmt.Errorf("%w: the scanner's JPEG has a colour sampling TIFF cannot state; choose PDF", ErrUnsupported)
		}
		info.Subsampling = [2]int{x, y}
	}
	if im.passthrough && im.jpeg.Progressive {
		return fmt.Errorf("%w: the scanner's JPEG is progressive, which TIFF readers refuse; choose PDF", ErrUnsupported)
	}
	w, err := d.tiff.BeginPage(info)
	if err != nil {
		return err
	}
	ref := im.ref()
	ref.File, ref.Offset = filepath.Base(d.file.f.Name()), d.tiff.Written()
	if err := im.encode(ctx, w, d.opts.Quality, &d.buf, false); err != nil {
		return err
	}
	ref.Length = d.tiff.Written() - ref.Offset
	if err := d.tiff.EndPage(); err != nil {
		return err
	}
	d.refs = append(d.refs, ref)
	return nil
}

// writeJPEGFile writes the page as a file of its own; bilevel pages become
// gray JPEG, as JPEG has no bilevel coding.
func (d *Document) writeJPEGFile(ctx context.Context, pg Page) error {
	im, err := openImage(pg)
	if err != nil {
		return err
	}
	f, err := d.create(fmt.Sprintf("%s-p%03d.jpg", d.opts.Name, d.pages+1))
	if err != nil {
		return err
	}
	if err := im.encode(ctx, f, d.opts.Quality, &d.buf, true); err != nil {
		f.f.Close()
		return err
	}
	ref := im.ref()
	if ref.Coding == codingNames[kindG4] {
		ref.Coding = codingNames[kindJPEGGray]
	}
	before := d.size
	if err := closeSynced(f.f, &d.size); err != nil {
		return err
	}
	ref.File, ref.Length = filepath.Base(f.f.Name()), d.size-before
	d.refs = append(d.refs, ref)
	return nil
}

// Close finishes the document and syncs its files. A document without pages
// is an error.
func (d *Document) Close() error {
	if d.err != nil {
		if d.file != nil {
			d.file.f.Close()
		}
		return d.err
	}
	if d.pages == 0 {
		d.err = errors.New("scan: the document has no pages")
		if d.file != nil {
			d.file.f.Close()
		}
		return d.err
	}
	var err error
	if d.file != nil {
		err = d.end()
	}
	if err == nil {
		err = writeIndex(d.dir, d.refs, &d.room)
	}
	if err != nil {
		d.err = fmt.Errorf("scan: %w", err)
	}
	return d.err
}

// closeSynced syncs and closes f, adding its size to total.
func closeSynced(f *os.File, total *int64) error {
	err := f.Sync()
	if fi, serr := f.Stat(); serr == nil {
		*total += fi.Size()
	} else if err == nil {
		err = serr
	}
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	return err
}

// Pages is how many pages were written.
func (d *Document) Pages() int { return d.pages }

// Files are the document's files, in page order.
func (d *Document) Files() []string { return d.files }

// Size is the bytes written, once closed.
func (d *Document) Size() int64 { return d.size }
