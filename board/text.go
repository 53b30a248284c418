package board

import (
	"strings"
	"unicode"

	"golang.org/x/text/unicode/norm"
)

// FitLines makes lines fit a character LCD of rows×cols: exactly rows
// strings of exactly cols bytes, cut or padded with spaces, in the
// characters the HD44780's ROM A00 (the common Japanese ROM) shows as
// written. Accents are dropped (é is e), arrows → and ← take the ROM's own
// glyphs, and what the ROM cannot show becomes '?'.
func FitLines(lines []string, rows, cols int) []string {
	out := make([]string, rows)
	for r := range out {
		var line string
		if r < len(lines) {
			line = lines[r]
		}
		var b strings.Builder
		for _, c := range norm.NFD.String(line) {
			if b.Len() == cols {
				break
			}
			if unicode.Is(unicode.Mn, c) {
				continue // a combining accent, dropped with its letter kept
			}
			b.WriteByte(romA00(c))
		}
		out[r] = b.String() + strings.Repeat(" ", cols-b.Len())
	}
	return out
}

// romA00 is the character code showing c, or the nearest.
func romA00(c rune) byte {
	switch c {
	case '\\':
		return '/' // 0x5C is ¥ in ROM A00
	case '~':
		return '-' // 0x7E is →
	case '→':
		return 0x7E
	case '←':
		return 0x7F
	case '°':
		return 0xDF
	case '…':
		return '.' // text cut short; the ROM has no ellipsis
	case '\t':
		return ' '
	}
	if c >= 0x20 && c < 0x7E {
		return byte(c)
	}
	return '?'
}
