// Package board drives the printer's front panel hardware: keys, status LED
// and buzzer. Drivers borrow pins they are given; only cmd/ opens the host
// and the pin registries.
package board

import (
	"context"
	"fmt"
	"strconv"
	"unicode"
)

// Key is one key of the front panel, whatever wiring delivers it.
type Key int

// The keys a panel may have. A board fits any subset.
const (
	KeyNone Key = iota
	KeyUp
	KeyDown
	KeyLeft
	KeyRight
	KeyOK
	KeyBack
	KeyMenu
	KeyStart
	KeyStop
	Key0
	Key1
	Key2
	Key3
	Key4
	Key5
	Key6
	Key7
	Key8
	Key9
	KeyStar
	KeyHash
)

var keyNames = [...]string{
	KeyNone: "none", KeyUp: "up", KeyDown: "down", KeyLeft: "left", KeyRight: "right",
	KeyOK: "ok", KeyBack: "back", KeyMenu: "menu", KeyStart: "start", KeyStop: "stop",
	Key0: "0", Key1: "1", Key2: "2", Key3: "3", Key4: "4",
	Key5: "5", Key6: "6", Key7: "7", Key8: "8", Key9: "9",
	KeyStar: "*", KeyHash: "#",
}

// runeBase is where the keys that type a character begin: far above the
// named keys, so that a new named key never moves them, and within 31 bits
// for a 32-bit int.
const runeBase Key = 1 << 24

// RuneKey is the key that types r, as a keyboard has (the terminal panel):
// a letter, a space, '@', '.'. The keypad's own keys (digits, '*', '#') are
// still their named keys; a keypad types letters by multi-tap on its digit
// keys instead. RuneKey of an invalid rune is KeyNone.
func RuneKey(r rune) Key {
	if r < 0 || r > unicode.MaxRune {
		return KeyNone
	}
	return runeBase + Key(r)
}

// Rune is the character k types, and whether k is a RuneKey.
func (k Key) Rune() (rune, bool) {
	if k >= runeBase && k <= runeBase+unicode.MaxRune {
		return rune(k - runeBase), true
	}
	return 0, false
}

func (k Key) String() string {
	if r, ok := k.Rune(); ok {
		return strconv.QuoteRune(r)
	}
	if k >= 0 && int(k) < len(keyNames) {
		return keyNames[k]
	}
	return fmt.Sprintf("Key(%d)", int(k))
}

// ParseKey reads a key name as written in settings ("ok", "start", "7", "#").
func ParseKey(s string) (Key, error) {
	for k, n := range keyNames {
		if n == s && Key(k) != KeyNone {
			return Key(k), nil
		}
	}
	return KeyNone, fmt.Errorf("board: unknown key %q", s)
}

// Source delivers key presses. Run calls emit once per press, from one
// goroutine, until ctx is done or the hardware fails; it returns nil when ctx
// is done. emit must not block for long: the scan waits for it.
type Source interface {
	Run(ctx context.Context, emit func(Key)) error
}
