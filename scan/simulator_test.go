package scan

import (
	"context"
	"crypto/sha256"
	"errors"
	"io"
	"strings"
	"testing"
)

func TestSimulatorPages(t *testing.T) {
	tests := []struct {
		name      string
		opts      Options
		wantPages int
		wantW     int
		wantH     int
		wantDPI   int
	}{
		{"defaults", Options{}, 1, 2480, 3508, 300},
		{"3 pages 150 dpi", Options{Mode: ModeGray8, DPI: 150, Pages: 3}, 3, 1240, 1754, 150},
		{"2 pages 75 dpi", Options{DPI: 75, Pages: 2}, 2, 620, 877, 75},
		{"600 dpi", Options{DPI: 600}, 1, 4961, 7016, 600},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var sim Simulator
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
				want := PageHeader{Width: tt.wantW, Height: tt.wantH, DPI: tt.wantDPI, Mode: ModeGray8}
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
func pageHashes(t *testing.T, opts Options) [][32]byte {
	t.Helper()
	var sim Simulator
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

func TestSimulatorDeterministic(t *testing.T) {
	opts := Options{DPI: 100, Pages: 3}
	a, b := pageHashes(t, opts), pageHashes(t, opts)
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
}

func TestSimulatorOptions(t *testing.T) {
	tests := []struct {
		name        string
		opts        Options
		unsupported bool
		wantInErr   string
	}{
		{"unknown mode", Options{Mode: 7}, true, "Mode(7)"},
		{"odd resolution", Options{DPI: 123}, true, "123 dpi"},
		{"negative resolution", Options{DPI: -300}, true, "-300 dpi"},
		{"negative pages", Options{Pages: -1}, false, "page count -1"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var sim Simulator
			src, err := sim.Scan(t.Context(), tt.opts)
			if err == nil {
				src.Close()
				t.Fatal("Scan succeeded")
			}
			if errors.Is(err, ErrUnsupported) != tt.unsupported {
				t.Errorf("errors.Is(%v, ErrUnsupported) = %v, want %v", err, !tt.unsupported, tt.unsupported)
			}
			if !strings.Contains(err.Error(), tt.wantInErr) {
				t.Errorf("error %q does not mention %q", err, tt.wantInErr)
			}
		})
	}
}

func TestSimulatorCancel(t *testing.T) {
	var sim Simulator
	t.Run("before scan", func(t *testing.T) {
		ctx, cancel := context.WithCancel(t.Context())
		cancel()
		if _, err := sim.Scan(ctx, Options{}); !errors.Is(err, context.Canceled) {
			t.Fatalf("Scan err = %v, want context.Canceled", err)
		}
	})
	t.Run("between pages", func(t *testing.T) {
		ctx, cancel := context.WithCancel(t.Context())
		defer cancel()
		src, err := sim.Scan(ctx, Options{DPI: 75, Pages: 5})
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
		src, err := sim.Scan(ctx, Options{})
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
		src, err := sim.Scan(t.Context(), Options{DPI: 75, Pages: 2})
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

func TestSimulatorUnreadPage(t *testing.T) {
	var sim Simulator
	src, err := sim.Scan(t.Context(), Options{DPI: 75, Pages: 2})
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
