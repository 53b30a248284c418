package scansim

import (
	"bytes"
	"context"
	"errors"
	"image/jpeg"
	"io"
	"os"
	"path/filepath"
	"testing"

	"scanmail/scan"
	"scanmail/scan/link"
)

type page struct {
	hdr  scan.PageHeader
	data []byte
}

func scanPages(t *testing.T, sim *Simulator, opts scan.Options) ([]page, error) {
	t.Helper()
	ctx := context.Background()
	src, err := sim.Scan(ctx, opts)
	if err != nil {
		return nil, err
	}
	defer src.Close()
	var pages []page
	for {
		p, err := src.NextPage(ctx)
		if err == io.EOF {
			return pages, nil
		}
		if err != nil {
			return pages, err
		}
		data, err := io.ReadAll(p.Data)
		if err != nil {
			return pages, err
		}
		pages = append(pages, page{p.PageHeader, data})
	}
}

func TestModes(t *testing.T) {
	t.Parallel()
	for _, dir := range []string{"", testdataDir} {
		for _, mode := range []scan.Mode{scan.ModeGray8, scan.ModeBW1, scan.ModeRGB24, scan.ModeJPEG} {
			name := "synthetic"
			if dir != "" {
				name = "images"
			}
			t.Run(mode.String()+"/"+name, func(t *testing.T) {
				t.Parallel()
				sim := &Simulator{Dir: dir}
				pages, err := scanPages(t, sim, scan.Options{Mode: mode, DPI: 75})
				if err != nil {
					t.Fatal(err)
				}
				want := 3 // synthetic default
				if dir != "" {
					want = 2 // the files
				}
				if len(pages) != want {
					t.Fatalf("%d pages, want %d", len(pages), want)
				}
				again, err := scanPages(t, sim, scan.Options{Mode: mode, DPI: 75})
				if err != nil {
					t.Fatal(err)
				}
				for i, p := range pages {
					if p.hdr.Mode != mode || p.hdr.DPI != 75 {
						t.Errorf("page %d header %+v", i+1, p.hdr)
					}
					if dir == "" && (p.hdr.Width != 620 || p.hdr.Height != 877) {
						t.Errorf("synthetic page is %dx%d, want A4 at 75 dpi", p.hdr.Width, p.hdr.Height)
					}
					if !bytes.Equal(p.data, again[i].data) {
						t.Errorf("page %d differs between runs", i+1)
					}
					checkContent(t, p)
				}
				if bytes.Equal(pages[0].data, pages[1].data) {
					t.Error("pages 1 and 2 are the same")
				}
			})
		}
	}
}

// checkContent checks that a page looks like a document in its mode.
func checkContent(t *testing.T, p page) {
	t.Helper()
	if p.hdr.Mode == scan.ModeJPEG {
		img, err := jpeg.Decode(bytes.NewReader(p.data))
		if err != nil {
			t.Fatalf("JPEG: %v", err)
		}
		if b := img.Bounds(); b.Dx() != p.hdr.Width || b.Dy() != p.hdr.Height {
			t.Errorf("JPEG %v, header %dx%d", b, p.hdr.Width, p.hdr.Height)
		}
		return
	}
	rb := p.hdr.Mode.RowBytes(p.hdr.Width)
	if len(p.data) != rb*p.hdr.Height {
		t.Fatalf("%d bytes, want %d", len(p.data), rb*p.hdr.Height)
	}
	// Some ink, mostly paper.
	var dark, colour int
	for i := 0; i < len(p.data); {
		switch p.hdr.Mode {
		case scan.ModeGray8:
			if p.data[i] < 0x80 {
				dark++
			}
			i++
		case scan.ModeBW1:
			for b := p.data[i]; b != 0; b &= b - 1 {
				dark++
			}
			i++
		case scan.ModeRGB24:
			r, g, b := p.data[i], p.data[i+1], p.data[i+2]
			if int(r)+int(g)+int(b) < 3*0x80 {
				dark++
			}
			if int(b)-int(r) > 0x20 {
				colour++
			}
			i += 3
		}
	}
	pixels := p.hdr.Width * p.hdr.Height
	if dark == 0 || dark > pixels*3/4 {
		t.Errorf("%d dark pixels of %d", dark, pixels)
	}
	if p.hdr.Mode == scan.ModeRGB24 && colour == 0 {
		t.Error("no colour on an rgb24 page")
	}
}

func TestImagePixels(t *testing.T) {
	t.Parallel()
	sim := &Simulator{Dir: testdataDir}
	gray, err := scanPages(t, sim, scan.Options{Mode: scan.ModeGray8, DPI: 100, Pages: 1})
	if err != nil {
		t.Fatal(err)
	}
	p := gray[0]
	at := func(x, y int) byte { return p.data[y*p.hdr.Width+x] }
	if v := at(100, 10); v > 0x80 { // the blue title bar
		t.Errorf("title bar gray %#x", v)
	}
	if v := at(5, p.hdr.Height-5); v != 0xff { // transparent corner: paper
		t.Errorf("transparent corner gray %#x, want white", v)
	}
	rgb, err := scanPages(t, sim, scan.Options{Mode: scan.ModeRGB24, DPI: 100, Pages: 1})
	if err != nil {
		t.Fatal(err)
	}
	px := rgb[0].data[3*(10*p.hdr.Width+100):]
	if px[0] != 0x20 || px[1] != 0x50 || px[2] != 0xa0 {
		t.Errorf("title bar %x, want 2050a0", px[:3])
	}
	// A JPEG file is passed on as it is, like a hardware codec's stream.
	jpg, err := scanPages(t, sim, scan.Options{Mode: scan.ModeJPEG, DPI: 100, Pages: 2})
	if err != nil {
		t.Fatal(err)
	}
	file, err := os.ReadFile(filepath.Join(testdataDir, "page2.jpg"))
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(jpg[1].data, file) {
		t.Error("page2.jpg was re-encoded")
	}
	// More pages than files cycle through them.
	cycled, err := scanPages(t, sim, scan.Options{Mode: scan.ModeGray8, DPI: 100, Pages: 3})
	if err != nil || len(cycled) != 3 || !bytes.Equal(cycled[2].data, cycled[0].data) {
		t.Errorf("3 pages of 2 files: %d pages, %v", len(cycled), err)
	}
}

func TestJam(t *testing.T) {
	t.Parallel()
	for _, mode := range []scan.Mode{scan.ModeGray8, scan.ModeJPEG} {
		for _, mid := range []bool{false, true} {
			sim := &Simulator{JamAtPage: 2, JamMidPage: mid}
			pages, err := scanPages(t, sim, scan.Options{Mode: mode, DPI: 75, Pages: 3})
			if !errors.Is(err, link.ErrPaperJam) {
				t.Fatalf("%v mid=%v: %v, want a jam", mode, mid, err)
			}
			if len(pages) != 1 {
				t.Errorf("%v mid=%v: %d whole pages before the jam, want 1", mode, mid, len(pages))
			}
		}
	}
}

func TestRefusals(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	tests := []struct {
		sim  *Simulator
		opts scan.Options
	}{
		{&Simulator{}, scan.Options{Mode: 9}},
		{&Simulator{}, scan.Options{DPI: 123}},
		{&Simulator{Dir: t.TempDir()}, scan.Options{}},
	}
	for _, tt := range tests {
		src, err := tt.sim.Scan(ctx, tt.opts)
		if err == nil {
			src.Close()
			t.Errorf("%+v with %+v: no error", tt.sim, tt.opts)
		}
	}
}
