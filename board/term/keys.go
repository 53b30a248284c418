package term

import (
	"context"
	"errors"
	"unicode"

	"github.com/gdamore/tcell/v2"

	"scanmail/board"
)

// ErrQuit is what Run returns when the person at the terminal asks to quit
// (Ctrl-C or Ctrl-Q: in the terminal's raw mode Ctrl-C is a key, not a
// signal).
var ErrQuit = errors.New("term: quit from the keyboard")

// errClosed is Run's error when the screen stops delivering events.
var errClosed = errors.New("term: the terminal screen was closed")

// Run implements board.Source: it reads the keyboard until ctx is done,
// the person quits (ErrQuit) or the screen is finished, and redraws the
// panel when the terminal is resized.
func (p *Panel) Run(ctx context.Context, emit func(board.Key)) error {
	events := make(chan tcell.Event)
	quit := make(chan struct{})
	go p.scr.ChannelEvents(events, quit)
	defer func() {
		close(quit)
		for range events { // until ChannelEvents has returned
		}
	}()
	for {
		select {
		case <-ctx.Done():
			return nil
		case ev, ok := <-events:
			if !ok {
				return errClosed
			}
			switch ev := ev.(type) {
			case *tcell.EventResize:
				p.redraw()
			case *tcell.EventKey:
				k, q := mapKey(ev)
				if q {
					return ErrQuit
				}
				if k != board.KeyNone {
					emit(k)
				}
			}
		}
	}
}

// mapKey is the panel key of a keyboard key, and whether it asks to quit.
// Letters and other printable characters type themselves (board.RuneKey);
// digits, '*' and '#' are the keypad's keys, as on the boards.
func mapKey(ev *tcell.EventKey) (board.Key, bool) {
	switch ev.Key() {
	case tcell.KeyCtrlC, tcell.KeyCtrlQ:
		return board.KeyNone, true
	case tcell.KeyUp:
		return board.KeyUp, false
	case tcell.KeyDown:
		return board.KeyDown, false
	case tcell.KeyLeft:
		return board.KeyLeft, false
	case tcell.KeyRight:
		return board.KeyRight, false
	case tcell.KeyEnter:
		return board.KeyOK, false
	case tcell.KeyEscape, tcell.KeyBackspace, tcell.KeyBackspace2:
		return board.KeyBack, false
	case tcell.KeyTab:
		return board.KeyMenu, false
	case tcell.KeyF5, tcell.KeyCtrlS:
		return board.KeyStart, false
	case tcell.KeyF8, tcell.KeyCtrlX:
		return board.KeyStop, false
	case tcell.KeyRune:
	default:
		return board.KeyNone, false
	}
	if ev.Modifiers()&(tcell.ModCtrl|tcell.ModAlt|tcell.ModMeta) != 0 {
		return board.KeyNone, false
	}
	r := ev.Rune()
	switch {
	case r >= '0' && r <= '9':
		return board.Key0 + board.Key(r-'0'), false
	case r == '*':
		return board.KeyStar, false
	case r == '#':
		return board.KeyHash, false
	case unicode.IsPrint(r):
		return board.RuneKey(r), false
	}
	return board.KeyNone, false
}
