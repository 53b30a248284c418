package scansim

import (
	"bytes"
	"context"
	"crypto/sha256"
	"errors"
	"fmt"
	"image"
	"image/jpeg"
	"io"
	"strings"
	"testing"

	"scanmail/scan"
	"scanmail/scan/jfif"
)

func TestScannerPages(t *testing.T) {
	tests := []struct {
		name      string
		opts      scan.Options
		wantPages int
		wantW     int
		wantH     int
		wantDPI   int
	}{
		{"defaults", scan.Options{}, 1, 2480, 3508, 300},
		{"3 pages 150 dpi", scan.Options{Mode: scan.ModeGray8, DPI: 150, Pages: 3}, 3, 1240, 1754, 150},
		{"2 pages 75 dpi", scan.Options{DPI: 75, Pages: 2}, 2, 620, 877, 75},
		{"600 dpi", scan.Options{DPI: 600}, 1, 4961, 7016, 600},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var sim Scanner
			src, err := sim.Scan(t.Context(), tt.opts)
			if err != nil {
				t.Fatal(err)
			}
			defer src.Close()
			for i := range tt.wantPages {
				pg, err := src.NextPage(t.Context())
				if err != nil {
					t.Fatalf("page %d: %v", i+1, err)
				}
				want := scan.PageHeader{Width: tt.wantW, Height: tt.wantH, DPI: tt.wantDPI, Mode: scan.ModeGray8}
				if pg.PageHeader != want {
					t.Fatalf("page %d header = %+v, want %+v", i+1, pg.PageHeader, want)
				}
				var st inkStats
				n, err := io.Copy(&st, pg.Data)
				if err != nil {
					t.Fatalf("page %d: reading data: %v", i+1, err)
				}
				if n != int64(tt.wantW*tt.wantH) {
					t.Fatalf("page %d has %d bytes, want %d", i+1, n, tt.wantW*tt.wantH)
				}
				// A document page: mostly paper, a fair amount of print.
				if white, dark := st.fractions(); white < 0.7 || dark < 0.03 || dark > 0.3 {
					t.Errorf("page %d: %.2f white, %.2f dark: does not look like a text page", i+1, white, dark)
				}
			}
			for range 2 {
				if _, err := src.NextPage(t.Context()); err != io.EOF {
					t.Fatalf("after %d pages: err = %v, want io.EOF", tt.wantPages, err)
				}
			}
		})
	}
}

// inkStats counts paper-white and dark pixels of a gray raster.
type inkStats struct{ total, white, dark int }

func (s *inkStats) Write(b []byte) (int, error) {
	for _, v := range b {
		switch {
		case v >= 0xf0:
			s.white++
		case v < 0x80:
			s.dark++
		}
	}
	s.total += len(b)
	return len(b), nil
}

func (s *inkStats) fractions() (white, dark float64) {
	return float64(s.white) / float64(s.total), float64(s.dark) / float64(s.total)
}

// pageHashes scans a job and returns a digest of each page.
func pageHashes(t *testing.T, sim *Scanner, opts scan.Options) [][32]byte {
	t.Helper()
	src, err := sim.Scan(t.Context(), opts)
	if err != nil {
		t.Fatal(err)
	}
	defer src.Close()
	var sums [][32]byte
	for {
		pg, err := src.NextPage(t.Context())
		if err == io.EOF {
			return sums
		}
		if err != nil {
			t.Fatal(err)
		}
		h := sha256.New()
		if _, err := io.Copy(h, pg.Data); err != nil {
			t.Fatal(err)
		}
		sums = append(sums, [32]byte(h.Sum(nil)))
	}
}

func TestScannerDeterministic(t *testing.T) {
	tests := []struct {
		sim  Scanner
		mode scan.Mode
	}{
		{Scanner{}, scan.ModeGray8},
		{Scanner{}, scan.ModeBW1},
		{Scanner{}, scan.ModeRGB24},
		{Scanner{}, scan.ModeJPEG},
		{Scanner{ColorJPEG: true}, scan.ModeJPEG},
	}
	for _, tt := range tests {
		t.Run(fmt.Sprintf("%v color %v", tt.mode, tt.sim.ColorJPEG), func(t *testing.T) {
			opts := scan.Options{Mode: tt.mode, DPI: 75, Pages: 3}
			a, b := pageHashes(t, &tt.sim, opts), pageHashes(t, &tt.sim, opts)
			if len(a) != 3 || len(b) != 3 {
				t.Fatalf("got %d and %d pages, want 3", len(a), len(b))
			}
			for i := range a {
				if a[i] != b[i] {
					t.Errorf("page %d differs between two runs", i+1)
				}
				for j := range i {
					if a[i] == a[j] {
						t.Errorf("pages %d and %d are identical", j+1, i+1)
					}
				}
			}
		})
	}
}

func TestScannerOptions(t *testing.T) {
	tests := []struct {
		name        string
		opts        scan.Options
		unsupported bool
		wantInErr   string
	}{
		{"unknown mode", scan.Options{Mode: 7}, true, "Mode(7)"},
		{"odd resolution", scan.Options{DPI: 123}, true, "123 dpi"},
		{"negative resolution", scan.Options{DPI: -300}, true, "-300 dpi"},
		{"negative pages", scan.Options{Pages: -1}, false, "page count -1"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var sim Scanner
			src, err := sim.Scan(t.Context(), tt.opts)
			if err == nil {
				src.Close()
				t.Fatal("Scan succeeded")
			}
			if errors.Is(err, scan.ErrUnsupported) != tt.unsupported {
				t.Errorf("errors.Is(%v, ErrUnsupported) = %v, want %v", err, !tt.unsupported, tt.unsupported)
			}
			if !strings.Contains(err.Error(), tt.wantInErr) {
				t.Errorf("error %q does not mention %q", err, tt.wantInErr)
			}
		})
	}
}

func TestScannerCancel(t *testing.T) {
	var sim Scanner
	t.Run("before scan", func(t *testing.T) {
		ctx, cancel := context.WithCancel(t.Context())
		cancel()
		if _, err := sim.Scan(ctx, scan.Options{}); !errors.Is(err, context.Canceled) {
			t.Fatalf("Scan err = %v, want context.Canceled", err)
		}
	})
	t.Run("between pages", func(t *testing.T) {
		ctx, cancel := context.WithCancel(t.Context())
		defer cancel()
		src, err := sim.Scan(ctx, scan.Options{DPI: 75, Pages: 5})
		if err != nil {
			t.Fatal(err)
		}
		defer src.Close()
		pg, err := src.NextPage(ctx)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := io.Copy(io.Discard, pg.Data); err != nil {
			t.Fatal(err)
		}
		cancel()
		if _, err := src.NextPage(ctx); !errors.Is(err, context.Canceled) {
			t.Fatalf("NextPage err = %v, want context.Canceled", err)
		}
	})
	t.Run("inside a page", func(t *testing.T) {
		ctx, cancel := context.WithCancel(t.Context())
		defer cancel()
		src, err := sim.Scan(ctx, scan.Options{})
		if err != nil {
			t.Fatal(err)
		}
		defer src.Close()
		pg, err := src.NextPage(ctx)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := io.CopyN(io.Discard, pg.Data, 100*int64(pg.Width)); err != nil {
			t.Fatal(err)
		}
		cancel()
		n, err := io.Copy(io.Discard, pg.Data)
		if !errors.Is(err, context.Canceled) {
			t.Fatalf("reading on after cancel: err = %v, want context.Canceled", err)
		}
		if n >= int64(pg.Width*pg.Height/2) {
			t.Errorf("read %d more bytes after cancel; it should stop within a few rows", n)
		}
	})
	t.Run("close inside a page", func(t *testing.T) {
		src, err := sim.Scan(t.Context(), scan.Options{DPI: 75, Pages: 2})
		if err != nil {
			t.Fatal(err)
		}
		pg, err := src.NextPage(t.Context())
		if err != nil {
			t.Fatal(err)
		}
		src.Close()
		if _, err := io.Copy(io.Discard, pg.Data); err == nil {
			t.Error("page read to the end after Close")
		}
		if _, err := src.NextPage(t.Context()); err == nil || err == io.EOF {
			t.Errorf("NextPage after Close: err = %v, want an error", err)
		}
	})
}

func TestScannerUnreadPage(t *testing.T) {
	var sim Scanner
	src, err := sim.Scan(t.Context(), scan.Options{DPI: 75, Pages: 2})
	if err != nil {
		t.Fatal(err)
	}
	defer src.Close()
	pg, err := src.NextPage(t.Context())
	if err != nil {
		t.Fatal(err)
	}
	if _, err := io.CopyN(io.Discard, pg.Data, 10); err != nil {
		t.Fatal(err)
	}
	if _, err := src.NextPage(t.Context()); err == nil {
		t.Fatal("NextPage succeeded with the previous page unread")
	}
}

// scanWhole reads every page of a job whole.
func scanWhole(t *testing.T, sim *Scanner, opts scan.Options) ([]scan.PageHeader, [][]byte) {
	t.Helper()
	src, err := sim.Scan(t.Context(), opts)
	if err != nil {
		t.Fatal(err)
	}
	defer src.Close()
	var hdrs []scan.PageHeader
	var pages [][]byte
	for {
		pg, err := src.NextPage(t.Context())
		if err == io.EOF {
			return hdrs, pages
		}
		if err != nil {
			t.Fatal(err)
		}
		b, err := io.ReadAll(pg.Data)
		if err != nil {
			t.Fatal(err)
		}
		hdrs = append(hdrs, pg.PageHeader)
		pages = append(pages, b)
	}
}

// Every mode draws the same page: the gray page is the reference.
func TestScannerModes(t *testing.T) {
	const dpi, w, h = 100, 827, 1169
	var gray Scanner
	_, ref := scanWhole(t, &gray, scan.Options{DPI: dpi, Pages: 2})

	for _, mode := range []scan.Mode{scan.ModeGray8, scan.ModeBW1, scan.ModeRGB24} {
		t.Run(mode.String(), func(t *testing.T) {
			hdrs, pages := scanWhole(t, &gray, scan.Options{Mode: mode, DPI: dpi, Pages: 2})
			if len(pages) != 2 {
				t.Fatalf("%d pages", len(pages))
			}
			for i, b := range pages {
				if want := (scan.PageHeader{Width: w, Height: h, DPI: dpi, Mode: mode}); hdrs[i] != want {
					t.Fatalf("page %d header %+v, want %+v", i+1, hdrs[i], want)
				}
				if len(b) != mode.RowBytes(w)*h {
					t.Fatalf("page %d has %d bytes, want %d", i+1, len(b), mode.RowBytes(w)*h)
				}
				switch mode {
				case scan.ModeBW1:
					checkBilevel(t, i+1, b, ref[i], w)
				case scan.ModeRGB24:
					checkColour(t, i+1, b, ref[i])
				}
			}
		})
	}
}

// checkBilevel wants the gray page's print black and its paper white,
// and a text page's share of print.
func checkBilevel(t *testing.T, page int, bw, gray []byte, w int) {
	t.Helper()
	stride := scan.ModeBW1.RowBytes(w)
	black := 0
	for i, v := range gray {
		y, x := i/w, i%w
		bit := bw[y*stride+x/8]&(0x80>>(x%8)) != 0
		if bit != (v < 0x80) {
			t.Fatalf("page %d: pixel %d,%d is %v for gray %#x", page, x, y, bit, v)
		}
		if bit {
			black++
		}
	}
	for y := range len(gray) / w {
		if pad := bw[y*stride+stride-1] & (0xff >> (w % 8)); w%8 != 0 && pad != 0 {
			t.Fatalf("page %d: row %d has padding bits set", page, y)
		}
	}
	if f := float64(black) / float64(len(gray)); f < 0.03 || f > 0.3 {
		t.Errorf("page %d: %.3f black; not a text page", page, f)
	}
}

// checkColour wants the gray page everywhere except in the header band,
// which has both its colours.
func checkColour(t *testing.T, page int, rgb, gray []byte) {
	t.Helper()
	counts := map[[3]byte]int{}
	grayPixels := 0
	for i, v := range gray {
		c := [3]byte(rgb[3*i : 3*i+3])
		switch c {
		case bandColour, titleColour:
			counts[c]++
		case [3]byte{v, v, v}:
			grayPixels++
		default:
			t.Fatalf("page %d: pixel %d is %v for gray %#x", page, i, c, v)
		}
	}
	if counts[bandColour] < len(gray)/50 || counts[titleColour] < len(gray)/2000 {
		t.Errorf("page %d: %d band and %d title pixels of %d: too little colour",
			page, counts[bandColour], counts[titleColour], len(gray))
	}
	if grayPixels < len(gray)*8/10 {
		t.Errorf("page %d: only %d of %d pixels are the gray page", page, grayPixels, len(gray))
	}
}

func TestScannerJPEG(t *testing.T) {
	const dpi, w, h = 100, 827, 1169
	var plain Scanner
	_, grayRef := scanWhole(t, &plain, scan.Options{DPI: dpi, Pages: 2})
	_, rgbRef := scanWhole(t, &plain, scan.Options{Mode: scan.ModeRGB24, DPI: dpi, Pages: 2})

	for _, colour := range []bool{false, true} {
		t.Run(fmt.Sprintf("colour %v", colour), func(t *testing.T) {
			sim := Scanner{ColorJPEG: colour}
			hdrs, pages := scanWhole(t, &sim, scan.Options{Mode: scan.ModeJPEG, DPI: dpi, Pages: 2})
			if len(pages) != 2 {
				t.Fatalf("%d pages", len(pages))
			}
			for i, b := range pages {
				if want := (scan.PageHeader{Width: w, Height: h, DPI: dpi, Mode: scan.ModeJPEG}); hdrs[i] != want {
					t.Fatalf("page %d header %+v, want %+v", i+1, hdrs[i], want)
				}
				jh, _, err := jfif.ReadHeader(bytes.NewReader(b))
				if err != nil {
					t.Fatalf("page %d: %v", i+1, err)
				}
				wantComps := map[bool]int{false: 1, true: 3}[colour]
				if jh.Width != w || jh.Height != h || jh.Components != wantComps || jh.Progressive {
					t.Errorf("page %d: JPEG header %+v", i+1, jh)
				}
				if x, y, ok := jh.DPI(); !ok || x != dpi || y != dpi {
					t.Errorf("page %d: JPEG says %d x %d dpi (%v)", i+1, x, y, ok)
				}
				m, err := jpeg.Decode(bytes.NewReader(b))
				if err != nil {
					t.Fatalf("page %d: %v", i+1, err)
				}
				if m.Bounds() != image.Rect(0, 0, w, h) {
					t.Fatalf("page %d decodes to %v", i+1, m.Bounds())
				}
				ref := rgbRef[i]
				if !colour {
					ref = grayRef[i]
				}
				if d := meanDiff(m, ref, wantComps); d > 6 {
					t.Errorf("page %d: decoded pixels differ from the raster page by %.1f on average", i+1, d)
				}
			}
		})
	}
}

// meanDiff compares a decoded JPEG with a gray (1) or RGB (3) raster.
func meanDiff(m image.Image, raster []byte, comps int) float64 {
	b := m.Bounds()
	var sum, i int
	for y := b.Min.Y; y < b.Max.Y; y++ {
		for x := b.Min.X; x < b.Max.X; x++ {
			r, g, bl, _ := m.At(x, y).RGBA()
			got := []uint32{r >> 8, g >> 8, bl >> 8}[:comps]
			for _, v := range got {
				d := int(v) - int(raster[i])
				sum += max(d, -d)
				i++
			}
		}
	}
	return float64(sum) / float64(i)
}

func TestScannerJPEGAbort(t *testing.T) {
	t.Run("cancel before reading", func(t *testing.T) {
		ctx, cancel := context.WithCancel(t.Context())
		defer cancel()
		var sim Scanner
		src, err := sim.Scan(ctx, scan.Options{Mode: scan.ModeJPEG, DPI: 75})
		if err != nil {
			t.Fatal(err)
		}
		defer src.Close()
		pg, err := src.NextPage(ctx)
		if err != nil {
			t.Fatal(err)
		}
		cancel()
		if _, err := io.ReadAll(pg.Data); !errors.Is(err, context.Canceled) {
			t.Fatalf("err = %v, want context.Canceled", err)
		}
	})
	for _, colour := range []bool{false, true} {
		// The codec stops drawing, and says why, when the job is
		// cancelled while it encodes.
		t.Run(fmt.Sprintf("cancel while encoding, colour %v", colour), func(t *testing.T) {
			ctx, cancel := context.WithCancel(t.Context())
			cancel()
			src := &simSource{opts: scan.Options{Mode: scan.ModeJPEG, DPI: 75, Pages: 1}}
			r := &simJPEGReader{ctx: ctx, src: src, pg: newSynthPage(620, 877, 75, 1), dpi: 75, color: colour}
			if _, err := r.encode(); !errors.Is(err, context.Canceled) {
				t.Fatalf("err = %v, want context.Canceled", err)
			}
		})
	}
	t.Run("close", func(t *testing.T) {
		sim := Scanner{ColorJPEG: true}
		src, err := sim.Scan(t.Context(), scan.Options{Mode: scan.ModeJPEG, DPI: 75, Pages: 2})
		if err != nil {
			t.Fatal(err)
		}
		pg, err := src.NextPage(t.Context())
		if err != nil {
			t.Fatal(err)
		}
		if _, err := io.CopyN(io.Discard, pg.Data, 100); err != nil {
			t.Fatal(err)
		}
		src.Close()
		if _, err := io.ReadAll(pg.Data); !errors.Is(err, errClosed) {
			t.Fatalf("err = %v after Close", err)
		}
	})
	for _, read := range []int64{0, 100} {
		t.Run(fmt.Sprintf("next page after %d bytes", read), func(t *testing.T) {
			var sim Scanner
			src, err := sim.Scan(t.Context(), scan.Options{Mode: scan.ModeJPEG, DPI: 75, Pages: 2})
			if err != nil {
				t.Fatal(err)
			}
			defer src.Close()
			pg, err := src.NextPage(t.Context())
			if err != nil {
				t.Fatal(err)
			}
			io.CopyN(io.Discard, pg.Data, read)
			if _, err := src.NextPage(t.Context()); err == nil {
				t.Fatal("NextPage succeeded with the previous page unread")
			}
		})
	}
}

// The simulated codec at the default 300 dpi: time and memory a page.
func BenchmarkScannerJPEG(b *testing.B) {
	for _, colour := range []bool{false, true} {
		b.Run(fmt.Sprintf("colour=%v", colour), func(b *testing.B) {
			sim := Scanner{ColorJPEG: colour}
			for b.Loop() {
				src, err := sim.Scan(b.Context(), scan.Options{Mode: scan.ModeJPEG})
				if err != nil {
					b.Fatal(err)
				}
				pg, err := src.NextPage(b.Context())
				if err != nil {
					b.Fatal(err)
				}
				n, err := io.Copy(io.Discard, pg.Data)
				if err != nil {
					b.Fatal(err)
				}
				b.ReportMetric(float64(n), "jpeg-bytes")
				src.Close()
			}
		})
	}
}
