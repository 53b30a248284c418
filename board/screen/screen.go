// Package screen is what the front panel shows, apart from any display: the
// state machine says what a screen means (a Screen), and this package lays
// it out pixel by pixel for a 128×64 bitmap panel, or line by line for a
// character LCD.
package screen

// Screen is one screen of the panel. The zero value is a blank screen.
type Screen struct {
	// Title is the top line, shown inverted on a bitmap.
	Title string
	// Lines are the body's text, wrapped at word boundaries to the
	// display's width.
	Lines []string
	// Menu is a list of choices below Lines; Selected is highlighted, and
	// the list scrolls to keep it in view.
	Menu     []string
	Selected int
	// Big is a short text in large type, such as a sign-in code.
	Big string
	// QR, on bitmap displays, is drawn as a QR code at the left half,
	// with the rest of the screen at its right. Character displays
	// cannot show one and leave it out.
	QR string
	// Input is a line being typed; a cursor follows it.
	Input string
	// Progress, when Show is set, is a bar from 0 to 1.
	Progress Progress
	// Keys is the bottom line: what the keys do here ("OK:Send Stop").
	Keys string
}

// Progress is a bar that shows how far something has come.
type Progress struct {
	Show bool
	Done float64 // 0 … 1
}
