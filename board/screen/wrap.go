package screen

import "strings"

// breakAfter are the characters after which a word too long for a line is
// best cut: a URL or an address then breaks where a reader expects it.
const breakAfter = "/.-@_?&=:"

// wrap folds text and breaks it into lines of at most cols characters, at
// spaces, at breakAfter inside a word too long for a line, or else anywhere.
// A newline in text starts a new line.
func wrap(text string, cols int) [][]rune {
	if cols < 1 {
		return nil
	}
	var out [][]rune
	for _, para := range strings.Split(text, "\n") {
		var line []rune
		for _, word := range strings.Fields(para) {
			w := fold(word)
			for len(w) > 0 {
				switch {
				case len(line) == 0 && len(w) <= cols:
					line, w = w, nil
				case len(line) > 0 && len(line)+1+len(w) <= cols:
					line = append(append(line, ' '), w...)
					w = nil
				case len(line) > 0:
					out = append(out, line)
					line = nil
				default: // an empty line and a word longer than it
					n := cut(w, cols)
					out = append(out, w[:n])
					w = w[n:]
				}
			}
		}
		// An empty paragraph is kept: it is a blank line the writer wanted.
		if len(line) > 0 || len(strings.TrimSpace(para)) == 0 {
			out = append(out, line)
		}
	}
	return out
}

// cut is where to break w, longer than cols: after the last breakAfter
// character in the second half of the line, or at cols.
func cut(w []rune, cols int) int {
	for i := cols; i > cols/2; i-- {
		if strings.ContainsRune(breakAfter, w[i-1]) {
			return i
		}
	}
	return cols
}
