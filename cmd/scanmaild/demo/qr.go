package demo

import (
	"strings"

	"rsc.io/qr"
)

// qrText draws a QR code of s with half-block characters, two modules a
// character row, with the quiet zone scanners need. It is drawn dark on
// light whatever the terminal's colours, so phones can read it.
func qrText(s string) (string, error) {
	code, err := qr.Encode(s, qr.M)
	if err != nil {
		return "", err
	}
	const quiet = 2
	n := code.Size
	dark := func(x, y int) bool {
		return x >= 0 && y >= 0 && x < n && y < n && code.Black(x, y)
	}
	var b strings.Builder
	for y := -quiet; y < n+quiet; y += 2 {
		b.WriteString("  \x1b[30;47m")
		for x := -quiet; x < n+quiet; x++ {
			top, bottom := dark(x, y), dark(x, y+1)
			switch {
			case top && bottom:
				b.WriteString("█")
			case top:
				b.WriteString("▀")
			case bottom:
				b.WriteString("▄")
			default:
				b.WriteString(" ")
			}
		}
		b.WriteString("\x1b[0m\n")
	}
	return b.String(), nil
}
