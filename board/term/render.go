package term

import (
	"fmt"

	"github.com/gdamore/tcell/v2"

	"scanmail/board"
)

// The pixels' colours are explicit, not the terminal's defaults, so that
// the QR code on the panel is dark on light for a phone's camera whatever
// the terminal's theme: white and black of the 256-colour cube (231, 16),
// which themes leave alone as they do not the first 16 colours.
var (
	litColor    = tcell.Color231
	darkColor   = tcell.Color16
	pixelStyle  = tcell.StyleDefault.Foreground(litColor).Background(darkColor)
	borderStyle = tcell.StyleDefault.Foreground(tcell.ColorGray).Background(tcell.ColorBlack)
	textStyle   = tcell.StyleDefault
)

// The terminal layout: the bitmap in a border, two pixel rows a cell, and
// the legend to its right.
const (
	panelCols  = width + 2     // the border's columns included
	panelRows  = height/2 + 2  //
	legendCol  = panelCols + 2 // where the legend begins
	legendCols = 24            // the legend's widest line, and a margin
	needCols   = legendCol + legendCols
	needRows   = panelRows
)

// legend says which keyboard key is which panel key.
var legend = []string{
	"Keys",
	"↑ ↓ ← →    arrows",
	"Enter      OK",
	"Esc Bksp   Back",
	"Tab        Menu",
	"F5 Ctrl-S  Start",
	"F8 Ctrl-X  Stop",
	"0-9 * #    keypad",
	"a-z @ . …  type",
	"Ctrl-C     quit",
}

var statusText = map[board.Status]struct {
	text  string
	color tcell.Color
}{
	board.StatusOff:       {"off", tcell.ColorGray},
	board.StatusReady:     {"ready", tcell.ColorGreen},
	board.StatusWorking:   {"working", tcell.ColorYellow},
	board.StatusAttention: {"attention", tcell.ColorRed},
}

// cellRune is the half block showing a top and a bottom pixel.
func cellRune(top, bottom bool) rune {
	switch {
	case top && bottom:
		return '█'
	case top:
		return '▀'
	case bottom:
		return '▄'
	}
	return ' '
}

// render draws the whole terminal; p.mu is held.
func (p *Panel) render() {
	p.scr.Clear()
	w, h := p.scr.Size()
	if w < needCols || h < needRows {
		p.tooSmall(w, h)
		p.scr.Show()
		return
	}
	// The border.
	for x := 1; x < panelCols-1; x++ {
		p.scr.SetContent(x, 0, '─', nil, borderStyle)
		p.scr.SetContent(x, panelRows-1, '─', nil, borderStyle)
	}
	for y := 1; y < panelRows-1; y++ {
		p.scr.SetContent(0, y, '│', nil, borderStyle)
		p.scr.SetContent(panelCols-1, y, '│', nil, borderStyle)
	}
	p.scr.SetContent(0, 0, '┌', nil, borderStyle)
	p.scr.SetContent(panelCols-1, 0, '┐', nil, borderStyle)
	p.scr.SetContent(0, panelRows-1, '└', nil, borderStyle)
	p.scr.SetContent(panelCols-1, panelRows-1, '┘', nil, borderStyle)
	// The bitmap.
	for y := 0; y < height; y += 2 {
		for x := range width {
			top, bottom := bool(p.frame.BitAt(x, y)), bool(p.frame.BitAt(x, y+1))
			p.scr.SetContent(1+x, 1+y/2, cellRune(top, bottom), nil, pixelStyle)
		}
	}
	// The legend and the LED.
	for i, l := range legend {
		st := textStyle
		if i == 0 {
			st = st.Bold(true)
		}
		p.put(legendCol, 1+i, l, st)
	}
	led := statusText[p.status]
	y := 2 + len(legend)
	p.put(legendCol, y, "LED", textStyle.Bold(true))
	p.put(legendCol, y+1, "● "+led.text, textStyle.Foreground(led.color))
	for i, l := range p.notes {
		if panelRows+1+i >= h {
			break
		}
		p.put(0, panelRows+1+i, l, textStyle)
	}
	p.scr.Show()
}

// tooSmall says so instead of drawing a cut panel.
func (p *Panel) tooSmall(w, h int) {
	lines := []string{
		"The terminal is too small for the panel.",
		fmt.Sprintf("It needs %d×%d, it is %d×%d.", needCols, needRows, w, h),
		"Enlarge the window or reduce the font size.",
	}
	for i, l := range lines {
		p.put(0, i, l, textStyle)
	}
}

// put writes s from (x, y), one cell a rune, up to the screen's edge.
func (p *Panel) put(x, y int, s string, st tcell.Style) {
	w, _ := p.scr.Size()
	for _, r := range s {
		if x >= w {
			return
		}
		p.scr.SetContent(x, y, r, nil, st)
		x++
	}
}
