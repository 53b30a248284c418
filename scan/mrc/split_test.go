package mrc

import (
	"bytes"
	"testing"
)

// page is a gray test page: paper, a black bar (text) in the first cell,
// and a smooth ramp (a photo) in the second.
func page(w, h int) []byte {
	p := bytes.Repeat([]byte{240}, w*h)
	for y := range h {
		for x := range w {
			switch {
			case x < Cell && y >= 2 && y < 6:
				p[y*w+x] = 10
			case x >= Cell && x < 2*Cell:
				p[y*w+x] = byte(40 + 15*(x-Cell))
			}
		}
	}
	return p
}

func split(t *testing.T, w, h int, raw []byte, rowsAtOnce int) (mask, bg, fg []byte) {
	t.Helper()
	var m, b bytes.Buffer
	s, err := NewSplitter(Options{Width: w, Height: h, Components: 1}, Layers{Mask: &m, Background: &b})
	if err != nil {
		t.Fatal(err)
	}
	for y := 0; y < h; y += rowsAtOnce {
		if _, err := s.Write(raw[y*w : min(y+rowsAtOnce, h)*w]); err != nil {
			t.Fatal(err)
		}
	}
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	return m.Bytes(), b.Bytes(), s.Foreground()
}

func TestSplit(t *testing.T) {
	const w, h = 3*Cell + 5, Cell + 7 // partial cells on the right and at the foot
	raw := page(w, h)
	mask, bg, fg := split(t, w, h, raw, 1)
	rowBytes := (w + 7) / 8
	if len(mask) != h*rowBytes {
		t.Fatalf("mask %d bytes, want %d", len(mask), h*rowBytes)
	}
	bw, bh := BackgroundSize(w, h)
	if len(bg) != bw*bh {
		t.Fatalf("background %d bytes, want %d", len(bg), bw*bh)
	}
	if fw, fh := ForegroundSize(w, h); len(fg) != fw*fh {
		t.Fatalf("foreground %d bytes, want %d", len(fg), fw*fh)
	}
	bit := func(x, y int) bool { return mask[y*rowBytes+x/8]&(0x80>>(x%8)) != 0 }
	for y := range h {
		for x := range w {
			if want := raw[y*w+x] == 10; bit(x, y) != want {
				t.Fatalf("mask at %d,%d is %v, want %v (only the bar is text)", x, y, bit(x, y), want)
			}
		}
	}
	if fg[0] != 10 {
		t.Errorf("the bar's colour is %d, want 10", fg[0])
	}
	// The bar is taken out of the background: its cell is paper there.
	for x := range Cell / Reduce {
		if v := bg[x]; v < 230 {
			t.Errorf("background at %d,0 is %d: the text was left in it", x, v)
		}
	}
	// The same page in other bands splits the same.
	mask2, bg2, fg2 := split(t, w, h, raw, 7)
	if !bytes.Equal(mask, mask2) || !bytes.Equal(bg, bg2) || !bytes.Equal(fg, fg2) {
		t.Error("the split depends on how the rows arrive")
	}
}

func TestSplitRows(t *testing.T) {
	const w, h = 20, 5
	s, err := NewSplitter(Options{Width: w, Height: h, Components: 3}, Layers{Mask: &bytes.Buffer{}, Background: &bytes.Buffer{}})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := s.Write(make([]byte, w*3+1)); err == nil {
		t.Error("a part of a row was taken")
	}
	if _, err := s.Write(make([]byte, (h+1)*w*3)); err == nil {
		t.Error("more rows than the page has were taken")
	}
	if _, err := s.Write(make([]byte, 2*w*3)); err != nil {
		t.Fatal(err)
	}
	if err := s.Close(); err == nil {
		t.Error("a page short of rows closed without an error")
	}
	if _, err := NewSplitter(Options{Width: w, Height: h, Components: 2}, Layers{}); err == nil {
		t.Error("two components were taken")
	}
}

// TestSplitAreaEdge: a cell that is mostly ink is the edge of an area of
// colour: masked like text, but left in the background, so that the area
// has no step where its masked edge meets its unmasked inside.
func TestSplitAreaEdge(t *testing.T) {
	const w, h = 2 * Cell, Cell
	raw := bytes.Repeat([]byte{240}, w*h)
	for y := range h {
		for x := 3; x < w; x++ { // the first cell three quarters ink, the second all
			raw[y*w+x] = 60
		}
	}
	mask, bg, _ := split(t, w, h, raw, h)
	if mask[0] != 0x1f {
		t.Errorf("first mask byte %08b, want the ink masked", mask[0])
	}
	if v := bg[Cell/Reduce-1]; v > 80 {
		t.Errorf("background at the first cell's right edge is %d, want the ink (60) left in", v)
	}
}

// TestSplitFringe: a cell holding only the pale anti-aliased edge of a
// letter takes the colour of the letter's ink in the cell beside it.
func TestSplitFringe(t *testing.T) {
	const w, h = 2 * Cell, Cell
	raw := bytes.Repeat([]byte{240}, w*h)
	for y := range h {
		for x := Cell - 3; x < Cell; x++ { // a stroke at the first cell's right edge
			raw[y*w+x] = 10
		}
		raw[y*w+Cell] = 150 // its fringe, alone in the second cell
	}
	_, _, fg := split(t, w, h, raw, h)
	if fg[0] != 10 || fg[1] != 10 {
		t.Errorf("foreground %v, want the stroke's 10 for both cells", fg)
	}
}
