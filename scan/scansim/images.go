package scansim

import (
	"bytes"
	"fmt"
	"image"
	_ "image/png" // image.Decode reads PNG pages
	"os"
	"path/filepath"
	"strings"

	"scanmail/scan"
)

// imageFiles lists the PNG and JPEG files in dir, in name order.
func imageFiles(dir string) ([]string, error) {
	entries, err := os.ReadDir(dir)
	if err != nil {
		return nil, fmt.Errorf("scansim: page images: %w", err)
	}
	var files []string
	for _, e := range entries {
		switch strings.ToLower(filepath.Ext(e.Name())) {
		case ".png", ".jpg", ".jpeg":
			if e.Type().IsRegular() {
				files = append(files, filepath.Join(dir, e.Name()))
			}
		}
	}
	if len(files) == 0 {
		return nil, fmt.Errorf("scansim: no PNG or JPEG files in %s", dir)
	}
	return files, nil
}

// imagePage makes a page of an image file, its pixels taken as they are,
// transparency laid on white paper. In jpeg mode a JPEG file is passed on
// untouched, as a hardware codec's stream would be.
func imagePage(path string, opts scan.Options) (scan.Page, error) {
	raw, err := os.ReadFile(path)
	if err != nil {
		return scan.Page{}, fmt.Errorf("scansim: %w", err)
	}
	img, format, err := image.Decode(bytes.NewReader(raw))
	if err != nil {
		return scan.Page{}, fmt.Errorf("scansim: %s: %w", path, err)
	}
	b := img.Bounds()
	hdr := scan.PageHeader{Width: b.Dx(), Height: b.Dy(), DPI: opts.DPI, Mode: opts.Mode}
	rgb := func(x, y int) (r, g, bl uint32) {
		cr, cg, cb, ca := img.At(b.Min.X+x, b.Min.Y+y).RGBA()
		white := 0xffff - ca
		return (cr + white) >> 8, (cg + white) >> 8, (cb + white) >> 8
	}
	gray := func(x, y int) byte {
		r, g, bl := rgb(x, y)
		return byte((19595*r + 38470*g + 7471*bl + 1<<15) >> 16)
	}
	grayRow := make([]byte, hdr.Width)
	switch opts.Mode {
	case scan.ModeGray8:
		return scan.Page{PageHeader: hdr, Data: newRowReader(hdr, func(y int, row []byte) error {
			for x := range row {
				row[x] = gray(x, y)
			}
			return nil
		})}, nil
	case scan.ModeBW1:
		return scan.Page{PageHeader: hdr, Data: newRowReader(hdr, func(y int, row []byte) error {
			for x := range grayRow {
				grayRow[x] = gray(x, y)
			}
			threshold(grayRow, row)
			return nil
		})}, nil
	case scan.ModeRGB24:
		return scan.Page{PageHeader: hdr, Data: newRowReader(hdr, func(y int, row []byte) error {
			for x := range hdr.Width {
				r, g, bl := rgb(x, y)
				row[3*x], row[3*x+1], row[3*x+2] = byte(r), byte(g), byte(bl)
			}
			return nil
		})}, nil
	}
	if format == "jpeg" {
		return scan.Page{PageHeader: hdr, Data: bytes.NewReader(raw)}, nil
	}
	return jpegPage(hdr, img)
}
