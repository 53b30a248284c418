package main

import (
	"image"
	"sort"
	"strings"
	"testing"

	"scanmail/board/screen"
)

// glyph is one character of the panel's font as Draw sets it in a text
// line: a 6×8 cell of lit pixels.
type glyph struct {
	r    rune
	bits [8][6]bool
	ink  int
}

// panelFont learns the panel's font from Draw itself, one character a
// screen, so that a test reads the panel as a person does: by its pixels.
func panelFont() []glyph {
	var font []glyph
	for r := rune('!'); r <= '~'; r++ {
		img := screen.Draw(screen.Screen{Lines: []string{string(r)}})
		g := glyph{r: r}
		for y := range 8 {
			for x := range 6 {
				if img.GrayAt(1+x, y).Y > 127 {
					g.bits[y][x] = true
					g.ink++
				}
			}
		}
		font = append(font, g)
	}
	// The glyphs with most ink first: '#' is tried before the '-' and
	// ',' that are parts of it... but a match is of the whole cell, so
	// the order only breaks ties.
	sort.SliceStable(font, func(i, j int) bool { return font[i].ink > font[j].ink })
	return font
}

// readPanel reads the text lines of a panel picture: every place where a
// glyph's whole cell matches, lit on dark or dark on lit (a title or a
// selected item), with a space where a word ends. Large type and QR codes
// are not read.
func readPanel(img *image.Gray, font []glyph) []string {
	lit := func(x, y int) bool { return img.GrayAt(x, y).Y > 127 }
	type hit struct {
		x int
		r rune
	}
	rows := map[int][]hit{}
	b := img.Bounds()
	for y := b.Min.Y; y+8 <= b.Max.Y; y++ {
		for x := b.Min.X; x+6 <= b.Max.X; x++ {
		glyphs:
			for _, g := range font {
				for _, inv := range []bool{false, true} {
					ok := true
					for gy := 0; gy < 8 && ok; gy++ {
						for gx := 0; gx < 6 && ok; gx++ {
							ok = lit(x+gx, y+gy) == (g.bits[gy][gx] != inv)
						}
					}
					if ok {
						rows[y] = append(rows[y], hit{x, g.r})
						break glyphs
					}
				}
			}
		}
	}
	var ys []int
	for y := range rows {
		ys = append(ys, y)
	}
	sort.Ints(ys)
	var lines []string
	for _, y := range ys {
		var s strings.Builder
		last := -100
		for _, h := range rows[y] {
			if h.x < last+6 {
				continue // inside the glyph just read
			}
			if last >= 0 && h.x >= last+12 {
				s.WriteByte(' ')
			}
			s.WriteRune(h.r)
			last = h.x
		}
		lines = append(lines, s.String())
	}
	return lines
}

func TestReadPanel(t *testing.T) {
	font := panelFont()
	img := screen.Draw(screen.Screen{
		Title: "Scan to Email",
		Lines: []string{"Sent to ann@contoso.example"},
		Menu:  []string{"Again", "Done"},
		Keys:  "OK:Choose Back",
	})
	got := strings.Join(readPanel(img, font), "\n")
	for _, want := range []string{"Scan to Email", "Sent to", "Again", "Done", "OK:Choose Back"} {
		if !strings.Contains(got, want) {
			t.Errorf("read no %q in:\n%s", want, got)
		}
	}
}
