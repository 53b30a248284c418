package screen

import (
	"image"
	"math"
	"strings"
	"testing"
)

func TestFontHasEveryPrintableASCII(t *testing.T) {
	for r := rune(32); r <= 126; r++ {
		if _, ok := font[r]; !ok {
			t.Errorf("no glyph for %q", r)
		}
	}
	for r, s := range glyphRows {
		rows := strings.Fields(s)
		if len(rows) != cellH {
			t.Errorf("%q has %d rows, want %d", r, len(rows), cellH)
		}
		for _, row := range rows {
			if len(row) != cellW-1 || strings.Trim(row, ".#") != "" {
				t.Errorf("%q has row %q, want %d of . and #", r, row, cellW-1)
			}
		}
	}
}

func TestFold(t *testing.T) {
	for _, tc := range []struct{ in, want string }{
		{"abc XYZ 019", "abc XYZ 019"},
		{"Éléonore Müller", "Eleonore Muller"},
		{"a\tb", "a b"},
		{"→ ← ↑ ↓ … 20°", "→ ← ↑ ↓ … 20°"},
		{"日本 ß \x00 \xff", "?? ? ? ?"},
	} {
		if got := string(fold(tc.in)); got != tc.want {
			t.Errorf("fold(%q) = %q, want %q", tc.in, got, tc.want)
		}
	}
}

func TestWrap(t *testing.T) {
	for _, tc := range []struct {
		in   string
		cols int
		want []string
	}{
		{"The mail server refused the sign-in.", 21, []string{"The mail server", "refused the sign-in."}},
		{"microsoft.com/devicelogin", 10, []string{"microsoft.", "com/device", "login"}},
		{"Go to https://microsoft.com/devicelogin", 21, []string{"Go to", "https://microsoft.", "com/devicelogin"}},
		{"abcdefghijklmnop", 5, []string{"abcde", "fghij", "klmno", "p"}},
		{"one\n\ntwo", 10, []string{"one", "", "two"}},
		{"  spaced   out  ", 21, []string{"spaced out"}},
		{"", 21, []string{""}},
		{"x", 0, nil},
	} {
		var got []string
		for _, l := range wrap(tc.in, tc.cols) {
			got = append(got, string(l))
		}
		if strings.Join(got, "|") != strings.Join(tc.want, "|") || len(got) != len(tc.want) {
			t.Errorf("wrap(%q, %d) = %q, want %q", tc.in, tc.cols, got, tc.want)
		}
	}
}

func lightAt(img *image.Gray, x, y int) bool { return img.GrayAt(x, y).Y == lit }

func TestMenuSelectedOutOfRange(t *testing.T) {
	items := []string{"one", "two", "three", "four", "five", "six", "seven", "eight"}
	for _, tc := range []struct {
		sel, shown int // shown: the item that must be on the bar
	}{{-5, 0}, {0, 0}, {7, 7}, {100, 7}, {math.MaxInt, 7}, {math.MinInt, 0}} {
		got := Draw(Screen{Title: "T", Menu: items, Selected: tc.sel})
		want := Draw(Screen{Title: "T", Menu: items, Selected: tc.shown})
		if !equalImages(got, want) {
			t.Errorf("Selected %d is not drawn as %d", tc.sel, tc.shown)
		}
	}
}

func TestMenuScrollsToSelected(t *testing.T) {
	items := make([]string, 40)
	for i := range items {
		items[i] = strings.Repeat("x", i%25+1)
	}
	for sel := range items {
		img := Draw(Screen{Title: "T", Menu: items, Selected: sel})
		// The light bar of the selected item, and only it, lights the
		// first column below the title (text begins at the second).
		lit := 0
		for y := barH + 1; y < Height; y++ {
			if lightAt(img, 0, y) {
				lit++
			}
		}
		if lit != barH {
			t.Fatalf("Selected %d: %d rows of bar, want %d", sel, lit, barH)
		}
		// The selected item's text is the one on the bar.
		want := Draw(Screen{Title: "T", Menu: []string{items[sel]}})
		if !sameRows(img, want, 0, 100) { // short of where a long item is cut
			t.Fatalf("Selected %d: the bar does not show the selected item", sel)
		}
		// The scroll mark is drawn: the right column has light pixels.
		mark := false
		for y := range Height {
			mark = mark || lightAt(img, Width-1, y)
		}
		if !mark {
			t.Fatalf("Selected %d: no scroll mark", sel)
		}
	}
}

func TestQRTooLongShowsText(t *testing.T) {
	long := "https://login.example.com/" + strings.Repeat("a", 200)
	got := Draw(Screen{Title: "Sign in", QR: long, Big: "CODE"})
	want := Draw(Screen{Title: "Sign in", Lines: []string{long}, Big: "CODE"})
	if !equalImages(got, want) {
		t.Error("a QR text too long for the panel is not shown as text")
	}
	// Not twice when the screen shows the text anyway.
	got = Draw(Screen{Title: "Sign in", QR: long, Lines: []string{long}, Big: "CODE"})
	if !equalImages(got, want) {
		t.Error("a QR text too long for the panel is shown twice")
	}
	if code := encodeQR("https://microsoft.com/devicelogin"); code == nil || code.Size*qrModule > Height {
		t.Error("the sign-in URL does not fit as a QR code")
	}
}

// sameRows says whether the bar of want, its only menu item, appears in
// got (on any rows), in columns x0 ≤ x < x1.
func sameRows(got, want *image.Gray, x0, x1 int) bool {
	row := func(img *image.Gray, y int) string {
		return string(img.Pix[y*img.Stride+x0 : y*img.Stride+x1])
	}
	top := barH + 1
	for y := top; y+barH <= Height; y++ {
		same := true
		for i := range barH {
			same = same && row(got, y+i) == row(want, top+i)
		}
		if same {
			return true
		}
	}
	return false
}

func equalImages(a, b *image.Gray) bool {
	return a.Rect == b.Rect && string(a.Pix) == string(b.Pix)
}

// FuzzDraw checks that Draw shows any Screen without panicking, in the
// panel's size, with pixels only on or off. Its seeds run with go test.
func FuzzDraw(f *testing.F) {
	long := strings.Repeat("Supercalifragilistic", 20)
	f.Add("", "", "", 0, 0, "", "", "", false, 0.0, "")
	f.Add("Sign in", "microsoft.com/devicelogin", "", 0, 0, "V4G64UZMQ", "https://microsoft.com/devicelogin", "", false, 0.0, "Back")
	f.Add(long, long, long, 1000, 999, long, long, long, true, 2.0, long)
	f.Add("T", "", "item", 1, -1, "", "", "", true, math.NaN(), "")
	f.Add("T", "a\nb\n\n\nc", "x", 100000, math.MaxInt, "\n", "\xff\xfe", "\t\t", true, math.Inf(-1), "\x00")
	f.Add("É日本", "𝓤𝓷𝓲", "→", 3, 2, "ÀÉÎ", "http://127.0.0.1:45678/devicelogin", "é", true, 0.5, "↑↓")
	f.Add("", "", "", 0, 0, "W", "", "", false, 0.0, "")
	f.Add("", "", "", 0, 0, "", "HTTP://", "", false, 0.0, "")
	f.Fuzz(func(t *testing.T, title, line, item string, items, sel int, big, qr, input string, show bool, done float64, keys string) {
		s := Screen{Title: title, Lines: []string{line, line}, Selected: sel, Big: big, QR: qr, Input: input,
			Progress: Progress{Show: show, Done: done}, Keys: keys}
		for i := range min(max(items, 0), 10000) {
			s.Menu = append(s.Menu, item+strings.Repeat("x", i%30))
		}
		for _, size := range [][2]int{{2, 16}, {4, 20}, {1, 1}, {0, 0}, {-1, -1}, {items % 50, sel % 50}} {
			if got := Lines(s, size[0], size[1]); len(got) != max(size[0], 0) {
				t.Fatalf("Lines(%d, %d) gave %d rows", size[0], size[1], len(got))
			}
		}
		img := Draw(s)
		if img.Rect != image.Rect(0, 0, Width, Height) {
			t.Fatalf("image %v", img.Rect)
		}
		for i, p := range img.Pix {
			if p != lit && p != dark {
				t.Fatalf("pixel %d is %d", i, p)
			}
		}
		// Nothing is drawn over the QR code's square and its gutter.
		if encodeQR(qr) != nil {
			alone := Draw(Screen{QR: qr})
			for y := range Height {
				for x := range Height + qrGutter {
					if img.GrayAt(x, y) != alone.GrayAt(x, y) {
						t.Fatalf("pixel (%d, %d) of the QR code's square is drawn over", x, y)
					}
				}
			}
		}
	})
}
