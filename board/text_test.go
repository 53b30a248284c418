package board

import (
	"slices"
	"testing"
)

func TestFitLines(t *testing.T) {
	for _, tc := range []struct {
		name       string
		lines      []string
		rows, cols int
		want       []string
	}{
		{"padded, missing rows blank", []string{"Ready"}, 2, 8, []string{"Ready   ", "        "}},
		{"cut, extra rows dropped", []string{"Scanning page 1", "x", "y"}, 2, 8, []string{"Scanning", "x       "}},
		{"accents dropped", []string{"Zürich éte"}, 1, 10, []string{"Zurich ete"}},
		{"ROM A00 glyphs", []string{"→ 20°C ←"}, 1, 8, []string{"\x7e 20\xdfC \x7f"}},
		{"a cut line's ellipsis", []string{"Address bo…"}, 1, 11, []string{"Address bo."}},
		{"backslash and tilde are not in ROM A00", []string{`a\b~c`}, 1, 5, []string{"a/b-c"}},
		{"no glyph", []string{"日本 €\tx"}, 1, 6, []string{"?? ? x"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if got := FitLines(tc.lines, tc.rows, tc.cols); !slices.Equal(got, tc.want) {
				t.Errorf("FitLines = %q, want %q", got, tc.want)
			}
		})
	}
}
