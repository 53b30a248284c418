package main

import (
	"image"
	"sort"
	"strings"
	"testing"
	"unicode"

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
// selected item, read as "> " and the text), with a space where a word ends; then the large type
// (a sign-in code), lit on dark, as lines of their own. QR codes are not
// read.
func readPanel(img *image.Gray, font []glyph) []string {
	return append(readType(img, font, 1, 1, 8, true), readBig(img, font)...)
}

// readBig reads the large type: letters and digits only, as codes are,
// so that a QR code's modules are not read as punctuation.
func readBig(img *image.Gray, font []glyph) []string {
	var alnum []glyph
	for _, g := range font {
		if unicode.IsLetter(g.r) || unicode.IsDigit(g.r) {
			alnum = append(alnum, g)
		}
	}
	var lines []string
	for _, sc := range [][2]int{{3, 3}, {2, 2}, {1, 2}} {
		lines = append(lines, readType(img, alnum, sc[0], sc[1], 7, false)...)
	}
	return lines
}

// readType reads the glyphs drawn sx×sy times their size, matching their
// cells' first rows rows.
func readType(img *image.Gray, font []glyph, sx, sy, rows int, inverted bool) []string {
	b := img.Bounds()
	lit := make([]bool, b.Dx()*b.Dy())
	for y := range b.Dy() {
		for x := range b.Dx() {
			lit[y*b.Dx()+x] = img.GrayAt(b.Min.X+x, b.Min.Y+y).Y > 127
		}
	}
	match := func(g glyph, x, y int, inv bool) bool {
		for gy := range rows * sy {
			for gx := range 6 * sx {
				if lit[(y+gy)*b.Dx()+x+gx] != (g.bits[gy/sy][gx/sx] != inv) {
					return false
				}
			}
		}
		return true
	}
	type hit struct {
		x   int
		r   rune
		inv bool
	}
	rowsAt := map[int][]hit{}
	invs := []bool{false}
	if inverted {
		invs = append(invs, true)
	}
	for y := 0; y+rows*sy <= b.Dy(); y++ {
		for x := 0; x+6*sx <= b.Dx(); x++ {
		glyphs:
			for _, g := range font {
				for _, inv := range invs {
					if match(g, x, y, inv) {
						rowsAt[y] = append(rowsAt[y], hit{x, g.r, inv})
						break glyphs
					}
				}
			}
		}
	}
	var ys []int
	for y := range rowsAt {
		ys = append(ys, y)
	}
	sort.Ints(ys)
	var lines []string
	for _, y := range ys {
		var s strings.Builder
		last := -100
		inv := true
		for _, h := range rowsAt[y] {
			inv = inv && h.inv
			if h.x < last+6*sx {
				continue // inside the glyph just read
			}
			if last >= 0 && h.x >= last+12*sx {
				s.WriteByte(' ')
			}
			s.WriteRune(h.r)
			last = h.x
		}
		if inv {
			lines = append(lines, "> "+s.String()) // a bar: the title or the selected item
		} else {
			lines = append(lines, s.String())
		}
	}
	return lines
}

func TestReadPanel(t *testing.T) {
	font := panelFont()
	img := screen.Draw(screen.Screen{
		Title:    "Scan to Email",
		Lines:    []string{"Sent to ann@contoso.example"},
		Menu:     []string{"Again", "Done"},
		Selected: 0,
		Keys:     "OK:Choose Back",
	})
	code := screen.Draw(screen.Screen{Title: "Sign in", QR: "https://microsoft.com/devicelogin", Big: "V4G64UZMQ"})
	got := strings.Join(readPanel(img, font), "\n")
	got += "\n" + strings.Join(readPanel(code, font), "\n")
	if big := strings.Join(readBig(code, font), ""); big != "V4G64UZMQ" {
		t.Errorf("read the code as %q", big)
	}
	for _, want := range []string{"> Scan to Email", "\nSent to", "\n> Again", "\nDone", "OK:Choose Back", "> Sign in"} {
		if !strings.Contains(got, want) {
			t.Errorf("read no %q in:\n%s", want, got)
		}
	}
}
