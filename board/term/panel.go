// Package term is the front panel on a terminal: a 128×64 bitmap drawn
// with half-block characters, a key legend, the status LED as a line of
// text, the buzzer as the terminal's bell, and the keyboard as the keys.
// It is the panel of the demo and of a board without one.
package term

import (
	"image"
	"image/draw"
	"sync"

	"github.com/gdamore/tcell/v2"
	"periph.io/x/devices/v3/ssd1306/image1bit"

	"scanmail/board"
)

// The panel's size in pixels, as the boards' bitmap displays.
const (
	width  = 128
	height = 64
)

// Panel shows a board's front panel on a tcell screen. Draw, Halt, Set,
// Beep and Error may be called from one goroutine while Run reads the
// keys in another.
type Panel struct {
	scr tcell.Screen

	mu     sync.Mutex
	frame  *image1bit.VerticalLSB // what Draw was last given, one bit a pixel
	status board.Status
	notes  []string
}

var (
	_ board.Bitmap = (*Panel)(nil)
	_ board.Source = (*Panel)(nil)
)

// New draws the panel on scr, which the caller has initialised (Init) and
// finishes (Fini) after the last use of the Panel.
func New(scr tcell.Screen) *Panel {
	p := &Panel{scr: scr, frame: image1bit.NewVerticalLSB(image.Rect(0, 0, width, height))}
	p.mu.Lock()
	defer p.mu.Unlock()
	p.render()
	return p
}

// Bounds implements board.Bitmap.
func (p *Panel) Bounds() image.Rectangle { return image.Rect(0, 0, width, height) }

// Draw implements board.Bitmap: a pixel is on (white) where img is light,
// as image1bit converts it for the boards' displays.
func (p *Panel) Draw(img image.Image) error {
	p.mu.Lock()
	defer p.mu.Unlock()
	draw.Src.Draw(p.frame, p.frame.Rect, img, img.Bounds().Min)
	p.render()
	return nil
}

// Halt implements board.Bitmap: the panel goes blank.
func (p *Panel) Halt() error {
	p.mu.Lock()
	defer p.mu.Unlock()
	draw.Src.Draw(p.frame, p.frame.Rect, image.Black, image.Point{})
	p.render()
	return nil
}

// Set shows the status LED's state, as board.LED.Set.
func (p *Panel) Set(s board.Status) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.status = s
	p.render()
}

// SetNotes shows lines of text below the panel, as many as the terminal
// has rows for, each cut to its width: what a person at this terminal
// needs beside the panel itself, such as the demo's guide.
func (p *Panel) SetNotes(lines []string) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.notes = append([]string(nil), lines...)
	p.render()
}

// Beep rings the terminal's bell, as board.Buzzer.Beep.
func (p *Panel) Beep() {
	p.mu.Lock()
	defer p.mu.Unlock()
	_ = p.scr.Beep()
}

// Error rings the terminal's bell, as board.Buzzer.Error: a terminal has
// one sound.
func (p *Panel) Error() { p.Beep() }

// redraw shows everything again, as after the terminal was resized.
func (p *Panel) redraw() {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.scr.Sync()
	p.render()
}
