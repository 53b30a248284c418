package screen

import (
	"fmt"
	"math"
	"strings"

	"scanmail/board"
)

// Lines lays s out for a character LCD of rows×cols (2×16, 4×20), one
// string a row as board.FitLines makes them. What must be seen comes
// first: the title, the selected menu item (marked '>'), the big text,
// the input line and the progress; then, as rows allow, the body's
// lines, the menu item's neighbours, and the keys on the last row. A QR
// code cannot be shown and is left out.
func Lines(s Screen, rows, cols int) []string {
	if rows < 1 || cols < 1 {
		return board.FitLines(nil, max(rows, 0), 0)
	}
	text := wrapAll(s.Lines, cols)
	free := rows
	need := func(b bool) bool {
		if b && free > 0 {
			free--
			return true
		}
		return false
	}
	// The essentials, in the order they win a row.
	hasTitle := need(s.Title != "")
	hasMenu := need(len(s.Menu) > 0)
	hasBig := need(s.Big != "")
	hasInput := need(s.Input != "")
	hasProgress := need(s.Progress.Show)
	nLines := 0
	if need(len(text) > 0) {
		nLines = 1
	}
	menuRows := 0
	if hasMenu {
		menuRows = 1 + min(free, len(s.Menu)-1)
		free -= menuRows - 1
	}
	more := min(free, len(text)-nLines)
	nLines += more
	free -= more
	hasKeys := need(s.Keys != "")

	var out []string
	if hasTitle {
		out = append(out, s.Title)
	}
	for _, l := range text[:nLines] {
		out = append(out, string(l))
	}
	if hasMenu {
		out = append(out, menuLines(s.Menu, s.Selected, menuRows)...)
	}
	if hasBig {
		out = append(out, centre(string(fold(firstLine(s.Big))), cols))
	}
	if hasInput {
		t := fold(firstLine(s.Input))
		if len(t) > cols-1 {
			t = t[len(t)-(cols-1):]
		}
		out = append(out, string(t)+"_")
	}
	if hasProgress {
		out = append(out, progressLine(s.Progress.Done, cols))
	}
	for len(out) < rows-1 {
		out = append(out, "")
	}
	if hasKeys {
		out = append(out, s.Keys)
	}
	return board.FitLines(out, rows, cols)
}

// menuLines is n rows of items around sel, sel marked with '>'.
func menuLines(items []string, sel, n int) []string {
	sel = min(max(sel, 0), len(items)-1)
	first := min(max(sel-(n-1)/2, 0), len(items)-n)
	var out []string
	for i := first; i < first+n; i++ {
		mark := "  "
		if i == sel {
			mark = "> "
		}
		out = append(out, mark+firstLine(items[i]))
	}
	return out
}

// centre pads s with spaces on the left to centre it in cols.
func centre(s string, cols int) string {
	n := len([]rune(s))
	if n >= cols {
		return s
	}
	return strings.Repeat(" ", (cols-n)/2) + s
}

// progressLine is a bar of '#' in brackets and the percentage, cols wide.
func progressLine(done float64, cols int) string {
	if math.IsNaN(done) {
		done = 0
	}
	done = min(max(done, 0), 1)
	pct := fmt.Sprintf(" %d%%", int(math.Round(done*100)))
	w := cols - 2 - len(pct)
	if w < 1 {
		return strings.TrimSpace(pct)
	}
	n := int(math.Round(float64(w) * done))
	return "[" + strings.Repeat("#", n) + strings.Repeat(" ", w-n) + "]" + pct
}
