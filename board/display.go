// Package board drives the front panel's hardware: the display fitted to it.
// Drivers borrow a bus (i2c.Bus, spi.Port) and never open one; only cmd/
// opens the host and the registries. A panel is not safe for concurrent
// use: one goroutine owns it.
package board

import "image"

// Bitmap is a 128×64 one-bit panel (SSD1306 OLED, ST7567 LCD).
type Bitmap interface {
	// Bounds is the panel's size; Min is {0, 0}.
	Bounds() image.Rectangle
	// Draw shows img: a pixel is on (lit on an OLED, dark on an LCD) where
	// img is light, as image1bit converts it.
	Draw(img image.Image) error
	// Halt blanks the panel.
	Halt() error
}

// Text is a character LCD (HD44780 and its kin): the fallback panel.
type Text interface {
	// Size is the panel's rows and columns, 2×16 or 4×20.
	Size() (rows, cols int)
	// WriteLines shows one string a row, fitted by FitLines.
	WriteLines(lines []string) error
	// Halt clears the panel.
	Halt() error
}
