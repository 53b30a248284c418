package scan_test

import (
	"bytes"
	"context"
	"errors"
	"io"
	"testing"

	"scanmail/scan"
)

// A synthetic A5 page at 300 dpi, drawn in gray and turned into each mode
// as an engine would: bw1 by a threshold at mid-gray, rgb24 on cream paper.
const (
	blankW, blankH, blankDPI = 1240, 1754, 300
)

type grayPage []byte

func newPaper(level byte) grayPage {
	p := make(grayPage, blankW*blankH)
	for i := range p {
		p[i] = level
	}
	return p
}

// rect paints [x0,x1)×[y0,y1) with v.
func (p grayPage) rect(x0, y0, x1, y1 int, v byte) grayPage {
	for y := y0; y < y1; y++ {
		for x := x0; x < x1; x++ {
			p[y*blankW+x] = v
		}
	}
	return p
}

// noise adds deterministic scanner noise of ±amp levels.
func (p grayPage) noise(amp int) grayPage {
	r := uint32(1)
	for i, v := range p {
		r = r*1664525 + 1013904223
		d := int(r>>24)%(2*amp+1) - amp
		p[i] = byte(min(max(int(v)+d, 0), 255))
	}
	return p
}

// text draws lines of word-like blocks of strokes in v, from row y0, n lines.
func (p grayPage) text(y0, n int, v byte) grayPage {
	for l := range n {
		y := y0 + l*60
		for x := 120; x+30 < blankW-120; x += 36 {
			if (x/36)%7 == 6 {
				continue // a space
			}
			p.rect(x, y, x+4, y+30, v).rect(x, y+26, x+24, y+30, v).rect(x+20, y, x+24, y+30, v)
		}
	}
	return p
}

// pageNumber draws "12" at 10 pt (digits 2.5 mm high) at the foot.
func (p grayPage) pageNumber() grayPage {
	x, y := blankW/2-20, blankH-150
	p.rect(x, y, x+4, y+30, 20)                                         // 1
	p.rect(x+12, y, x+30, y+4, 20).rect(x+26, y, x+30, y+15, 20)        // 2: top, right
	p.rect(x+12, y+13, x+30, y+17, 20).rect(x+12, y+15, x+16, y+30, 20) // middle, left
	return p.rect(x+12, y+26, x+30, y+30, 20)                           // bottom
}

// dust scatters n specks of 3×3 pixels (0.25 mm) of black.
func (p grayPage) dust(n int) grayPage {
	r := uint32(7)
	for range n {
		r = r*1664525 + 1013904223
		x := int(r>>8) % (blankW - 3)
		r = r*1664525 + 1013904223
		y := int(r>>8) % (blankH - 3)
		p.rect(x, y, x+3, y+3, 0)
	}
	return p
}

// raster turns the gray page into the engine's data in mode m.
func (p grayPage) raster(m scan.Mode) []byte {
	switch m {
	case scan.ModeBW1:
		rb := m.RowBytes(blankW)
		out := make([]byte, rb*blankH)
		for y := range blankH {
			for x := range blankW {
				if p[y*blankW+x] < 128 {
					out[y*rb+x/8] |= 0x80 >> (x % 8)
				}
			}
		}
		return out
	case scan.ModeRGB24:
		out := make([]byte, 0, 3*len(p))
		for _, v := range p {
			out = append(out, v, byte(int(v)*245/255), byte(int(v)*225/255))
		}
		return out
	}
	return p
}

func TestBlankPages(t *testing.T) {
	for _, tt := range []struct {
		name  string
		page  grayPage
		blank bool
	}{
		{"white paper", newPaper(250), true},
		{"noisy grey paper", newPaper(225).noise(20), true},
		{"bleed-through", newPaper(245).text(200, 20, 195).noise(6), true},
		{"dusty", newPaper(245).dust(60).noise(4), true},
		// Our call: a trace as light as bleed-through is paper; a pencil
		// line drawn with a normal hand is content.
		{"light pencil line", newPaper(245).rect(100, 800, 1100, 802, 200), true},
		{"pencil line", newPaper(245).rect(100, 800, 1100, 802, 120), false},
		{"page number only", newPaper(245).pageNumber().noise(4), false},
		{"a full stop only", newPaper(245).rect(600, 900, 604, 904, 0), true},
		{"text", newPaper(245).text(150, 25, 10), false},
		{"text at the foot", newPaper(245).text(blankH-40, 1, 10), false},
	} {
		for _, m := range []scan.Mode{scan.ModeGray8, scan.ModeBW1, scan.ModeRGB24} {
			t.Run(tt.name+"/"+m.String(), func(t *testing.T) {
				data := tt.page.raster(m)
				hdr := scan.PageHeader{Width: blankW, Height: blankH, DPI: blankDPI, Mode: m}
				// The page is judged among inked pages, so that a blank
				// one is dropped rather than kept as the only page.
				f := scan.NewBlankFilter(t.TempDir(), scan.BlankOptions{})
				defer f.Close()
				ink := newPaper(245).text(150, 2, 10).raster(m)
				got := readAll(t, f.Source(&sliceSource{hdr: hdr, pages: [][]byte{ink, data, ink}}))
				if blank := f.Dropped() == 1; blank != tt.blank {
					t.Errorf("blank = %v, want %v", blank, tt.blank)
				}
				if len(got) != 3-f.Dropped() {
					t.Fatalf("%d pages passed on, %d dropped", len(got), f.Dropped())
				}
				if !tt.blank && !bytes.Equal(got[1], data) {
					t.Errorf("the page passed on differs from the scanned one")
				}
			})
		}
	}
}

func TestBlankFilterSequence(t *testing.T) {
	hdr := scan.PageHeader{Width: blankW, Height: blankH, DPI: blankDPI, Mode: scan.ModeGray8}
	blank, blank2 := newPaper(250).noise(3), newPaper(240).noise(3)
	// Ink near the top: passed on before the rest of it is read.
	top, foot := newPaper(245).text(100, 1, 0), newPaper(245).pageNumber()
	for _, tt := range []struct {
		name     string
		pages    [][]byte
		want     [][]byte
		dropped  int
		allBlank bool
	}{
		{"blank backs", [][]byte{top, blank, foot, blank2}, [][]byte{top, foot}, 2, false},
		{"blank first", [][]byte{blank, blank2, foot}, [][]byte{foot}, 2, false},
		{"all blank: the first kept", [][]byte{blank, blank2, blank2}, [][]byte{blank}, 2, true},
		{"the only page", [][]byte{blank2}, [][]byte{blank2}, 0, true},
		{"none blank", [][]byte{foot, top}, [][]byte{foot, top}, 0, false},
	} {
		t.Run(tt.name, func(t *testing.T) {
			f := scan.NewBlankFilter(t.TempDir(), scan.BlankOptions{})
			defer f.Close()
			got := readAll(t, f.Source(&sliceSource{hdr: hdr, pages: tt.pages}))
			if len(got) != len(tt.want) {
				t.Fatalf("%d pages passed on, want %d", len(got), len(tt.want))
			}
			for i := range got {
				if !bytes.Equal(got[i], tt.want[i]) {
					t.Errorf("page %d differs", i+1)
				}
			}
			if f.Dropped() != tt.dropped || f.AllBlank() != tt.allBlank {
				t.Errorf("dropped %d, all blank %v; want %d, %v", f.Dropped(), f.AllBlank(), tt.dropped, tt.allBlank)
			}
		})
	}
}

// TestBlankFilterJPEG: the engine's own JPEG pages are passed on unjudged.
func TestBlankFilterJPEG(t *testing.T) {
	hdr := scan.PageHeader{Width: 8, Height: 8, DPI: blankDPI, Mode: scan.ModeJPEG}
	f := scan.NewBlankFilter(t.TempDir(), scan.BlankOptions{})
	defer f.Close()
	got := readAll(t, f.Source(&sliceSource{hdr: hdr, pages: [][]byte{[]byte("a"), []byte("b")}}))
	if len(got) != 2 || f.Dropped() != 0 {
		t.Errorf("%d pages passed on, %d dropped; want 2, 0", len(got), f.Dropped())
	}
}

func readAll(t *testing.T, src scan.Source) [][]byte {
	t.Helper()
	var out [][]byte
	for {
		pg, err := src.NextPage(context.Background())
		if errors.Is(err, io.EOF) {
			return out
		}
		if err != nil {
			t.Fatal(err)
		}
		b, err := io.ReadAll(pg.Data)
		if err != nil {
			t.Fatal(err)
		}
		out = append(out, b)
	}
}

// sliceSource yields pages of one header, read in small pieces as from
// a link.
type sliceSource struct {
	hdr   scan.PageHeader
	pages [][]byte
}

func (s *sliceSource) NextPage(context.Context) (scan.Page, error) {
	if len(s.pages) == 0 {
		return scan.Page{}, io.EOF
	}
	p := s.pages[0]
	s.pages = s.pages[1:]
	return scan.Page{PageHeader: s.hdr, Data: io.LimitReader(&chunked{b: p}, int64(len(p)))}, nil
}

func (s *sliceSource) Close() error { return nil }

// chunked reads at most 8000 bytes at a time, never a whole row.
type chunked struct{ b []byte }

func (c *chunked) Read(p []byte) (int, error) {
	if len(c.b) == 0 {
		return 0, io.EOF
	}
	n := copy(p[:min(len(p), 8000)], c.b)
	c.b = c.b[n:]
	return n, nil
}
