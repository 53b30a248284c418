package scan

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"

	"scanmail/scan/tiff"
)

// IndexName is the file in a document's directory that lists where each
// page's compressed image lies. Its leading dot keeps it out of the files
// that are mailed.
const IndexName = ".pages.json"

// PageRef locates one page's compressed image in a document's files and
// says how it is coded, so that a document can be cut into parts by whole
// pages without coding any page again.
type PageRef struct {
	File   string `json:"file"`   // name in the document's directory
	Offset int64  `json:"offset"` // where the image's data starts in File
	Length int64  `json:"length"`
	Width  int    `json:"width"`
	Height int    `json:"height"`
	DPI    int    `json:"dpi"`
	Coding string `json:"coding"` // "g4", "jpeg-gray" or "jpeg-rgb"
	// PlainRGB marks a colour JPEG of RGB samples rather than YCbCr.
	PlainRGB bool `json:"plain_rgb,omitempty"`
	// Subsampling is a colour JPEG's YCbCr sampling, as TIFF states it;
	// zero means 2, 2.
	Subsampling [2]int `json:"subsampling,omitzero"`
	// Layers locates a compact page's images (Coding "mrc"); Offset and
	// Length then span the page's objects. Indexes written before it
	// have none, and such pages are not cut into parts.
	Layers *CompactLayers `json:"layers,omitempty"`
}

// CompactLayers says where a compact page's three images lie in File and
// their sizes in pixels; the mask has the page's.
type CompactLayers struct {
	Color      bool  `json:"color,omitempty"` // RGB, else gray
	Background Layer `json:"background"`      // JPEG
	Mask       Layer `json:"mask"`            // Group 4 stencil
	Foreground Layer `json:"foreground"`      // Flate, painted through the mask
}

// Layer is one image of a compact page.
type Layer struct {
	Offset int64 `json:"offset"`
	Length int64 `json:"length"`
	Width  int   `json:"width,omitempty"`
	Height int   `json:"height,omitempty"`
}

var codingNames = map[imageKind]string{kindG4: "g4", kindJPEGGray: "jpeg-gray", kindJPEGRGB: "jpeg-rgb"}

func kindOf(coding string) (imageKind, bool) {
	for k, name := range codingNames {
		if name == coding {
			return k, true
		}
	}
	return 0, false
}

// ref describes the image im becomes; its place in a file is filled in
// once written.
func (im *pageImage) ref() PageRef {
	r := PageRef{Width: im.Width, Height: im.Height, DPI: im.DPI, Coding: codingNames[im.kind]}
	if im.passthrough {
		r.PlainRGB = im.kind == kindJPEGRGB && !im.jpeg.YCbCr
		if x, y, ok := im.jpeg.Subsampling(); ok && im.kind == kindJPEGRGB {
			r.Subsampling = [2]int{x, y}
		}
	}
	return r
}

// ReadIndex reads the page list a Document wrote into dir.
func ReadIndex(dir string) ([]PageRef, error) {
	b, err := os.ReadFile(filepath.Join(dir, IndexName))
	if err != nil {
		return nil, fmt.Errorf("scan: page index: %w", err)
	}
	var refs []PageRef
	if err := json.Unmarshal(b, &refs); err != nil {
		return nil, fmt.Errorf("scan: page index: %w", err)
	}
	if len(refs) == 0 {
		return nil, errors.New("scan: page index lists no pages")
	}
	return refs, nil
}

// WritePart writes pages of a document in dir, whose index gave refs, as a
// PDF or TIFF of their own on w. The images are copied, not coded again.
func WritePart(ctx context.Context, w io.WriteSeeker, dir string, format Format, refs []PageRef, title string) error {
	return WritePartPDF(ctx, w, dir, format, refs, PDFOptions{Title: title})
}

// WritePartPDF is WritePart with the PDF's title, author, date and PDF/A
// said by opts; its JPEG quality does not matter, as nothing is coded.
func WritePartPDF(ctx context.Context, w io.WriteSeeker, dir string, format Format, refs []PageRef, opts PDFOptions) error {
	if err := checkCopyable(refs, format); err != nil {
		return err
	}
	files := map[string]*os.File{}
	defer func() {
		for _, f := range files {
			f.Close()
		}
	}()
	file := func(ref PageRef) (*os.File, error) {
		if ref.File != filepath.Base(ref.File) {
			return nil, fmt.Errorf("scan: page index names %q, outside the document", ref.File)
		}
		f, ok := files[ref.File]
		if !ok {
			var err error
			if f, err = os.Open(filepath.Join(dir, ref.File)); err != nil {
				return nil, fmt.Errorf("scan: %w", err)
			}
			files[ref.File] = f
		}
		return f, nil
	}
	var put func(PageRef, io.ReaderAt) error
	var finish func() error
	switch format {
	case FormatPDF, FormatPDFCompact:
		pw := NewPDFWriter(w, opts)
		put, finish = pw.writeStored, pw.Close
	case FormatTIFF:
		tw := tiff.NewWriter(w)
		put = func(ref PageRef, f io.ReaderAt) error {
			return writeTIFFStored(tw, ref, io.NewSectionReader(f, ref.Offset, ref.Length))
		}
		finish = tw.Close
	default:
		return fmt.Errorf("%w: parts in format %v (its pages are files already)", ErrUnsupported, format)
	}
	for _, ref := range refs {
		if err := ctx.Err(); err != nil {
			return err
		}
		f, err := file(ref)
		if err != nil {
			return err
		}
		if err := put(ref, f); err != nil {
			return err
		}
	}
	return finish()
}

func writeTIFFStored(tw *tiff.Writer, ref PageRef, r io.Reader) error {
	kind, ok := kindOf(ref.Coding)
	if !ok {
		return fmt.Errorf("scan: unknown image coding %q", ref.Coding)
	}
	info := tiff.PageInfo{Width: ref.Width, Height: ref.Height, DPI: ref.DPI, Kind: tiffKinds[kind], Subsampling: ref.Subsampling}
	pw, err := tw.BeginPage(info)
	if err != nil {
		return err
	}
	if err := copyStored(pw, r, ref); err != nil {
		return fmt.Errorf("scan: %w", err)
	}
	return tw.EndPage()
}

// copyStored copies a stored page image, which must have the length its
// index says.
func copyStored(w io.Writer, r io.Reader, ref PageRef) error {
	n, err := io.Copy(w, r)
	if err == nil && n != ref.Length {
		err = fmt.Errorf("stored image of %d bytes, want %d", n, ref.Length)
	}
	return err
}

// writeIndex stores refs in dir, synced, taking its bytes from room.
func writeIndex(dir string, refs []PageRef, room *budget) error {
	b, err := json.Marshal(refs)
	if err != nil {
		return err
	}
	if err := room.take(int64(len(b))); err != nil {
		return err
	}
	f, err := os.OpenFile(filepath.Join(dir, IndexName), os.O_CREATE|os.O_EXCL|os.O_WRONLY, 0o600)
	if err != nil {
		return fmt.Errorf("scan: %w", err)
	}
	if _, err := f.Write(b); err != nil {
		f.Close()
		return fmt.Errorf("scan: page index: %w", err)
	}
	var size int64
	return closeSynced(f, &size)
}
