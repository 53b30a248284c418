package panel

import (
	"time"
	"unicode"

	"scanmail/board"
)

// tapPause is how long after a digit key its letter is taken, when no
// other key takes it first.
const tapPause = time.Second

// tapMode is what the digit keys type.
type tapMode int

const (
	tapLower  tapMode = iota // abc
	tapUpper                 // ABC
	tapDigits                // 123
)

var tapModeNames = [...]string{tapLower: "abc", tapUpper: "ABC", tapDigits: "123"}

// tapLetters are the letters of each digit key, as on phones; the key's
// digit ends each cycle. 1 has what addresses need besides letters.
var tapLetters = map[board.Key]string{
	board.Key1: ".@-_1", board.Key2: "abc2", board.Key3: "def3",
	board.Key4: "ghi4", board.Key5: "jkl5", board.Key6: "mno6",
	board.Key7: "pqrs7", board.Key8: "tuv8", board.Key9: "wxyz9",
	board.Key0: "0",
}

// tapper types text with the digit keys, multi-tap: a key pressed again
// soon takes the next of its letters; a pause, another key or Right takes
// the letter. * switches abc, ABC and 123. A keyboard's character keys
// (board.RuneKey) type themselves.
type tapper struct {
	text   []rune
	mode   tapMode
	space  bool // 0 types a space first (free text, not addresses)
	digits bool // digits only (a PIN): no letters, no modes
	max    int  // longest text; 0 means 64

	pendKey board.Key // the key whose letter is not taken yet; KeyNone for none
	pendIdx int
	pendAt  time.Time
}

// key types with k at now; it reports whether k is a typing key.
func (t *tapper) key(k board.Key, now time.Time) bool {
	if r, ok := k.Rune(); ok {
		// A keyboard's key types its character itself.
		if t.digits && (r < '0' || r > '9') || r == ' ' && !t.space || !unicode.IsPrint(r) {
			return false
		}
		t.commit()
		t.add(r)
		return true
	}
	letters, ok := tapLetters[k]
	if k == board.KeyStar && !t.digits {
		t.commit()
		t.mode = (t.mode + 1) % tapMode(len(tapModeNames))
		return true
	}
	if !ok {
		return false
	}
	if t.digits || t.mode == tapDigits {
		t.commit()
		t.add(rune('0' + k - board.Key0))
		return true
	}
	if k == board.Key0 && t.space {
		letters = " 0"
	}
	if t.pendKey == k && now.Sub(t.pendAt) < tapPause {
		t.pendIdx = (t.pendIdx + 1) % len([]rune(letters))
		t.pendAt = now
		return true
	}
	t.commit()
	if len(t.text) >= t.limit() {
		return true
	}
	t.pendKey, t.pendIdx, t.pendAt = k, 0, now
	return true
}

func (t *tapper) limit() int {
	if t.max == 0 {
		return 64
	}
	return t.max
}

func (t *tapper) add(r rune) {
	if len(t.text) < t.limit() {
		t.text = append(t.text, r)
	}
}

// pending is the letter not taken yet, or 0.
func (t *tapper) pending() rune {
	if t.pendKey == board.KeyNone {
		return 0
	}
	letters := tapLetters[t.pendKey]
	if t.pendKey == board.Key0 && t.space {
		letters = " 0"
	}
	r := []rune(letters)[t.pendIdx]
	if t.mode == tapUpper {
		r = unicode.ToUpper(r)
	}
	return r
}

// commit takes the pending letter.
func (t *tapper) commit() {
	if r := t.pending(); r != 0 {
		t.text = append(t.text, r)
	}
	t.pendKey = board.KeyNone
}

// tick takes the pending letter after the pause; it reports whether it did.
func (t *tapper) tick(now time.Time) bool {
	if t.pendKey != board.KeyNone && now.Sub(t.pendAt) >= tapPause {
		t.commit()
		return true
	}
	return false
}

// backspace removes the pending letter, or the last one.
func (t *tapper) backspace() {
	if t.pendKey != board.KeyNone {
		t.pendKey = board.KeyNone
		return
	}
	if len(t.text) > 0 {
		t.text = t.text[:len(t.text)-1]
	}
}

// String is the text with the pending letter.
func (t *tapper) String() string {
	s := string(t.text)
	if r := t.pending(); r != 0 {
		s += string(r)
	}
	return s
}

func (t *tapper) set(s string) {
	t.text, t.pendKey = []rune(s), board.KeyNone
}

// reset empties t for new text of the default kind: letters, no spaces.
func (t *tapper) reset() { *t = tapper{} }

// help is the lines that say what the keys type now.
func (t *tapper) help() []string {
	switch {
	case t.digits || t.mode == tapDigits:
		return []string{"<: delete"}
	case t.space:
		return []string{"0: space  <: delete"}
	}
	return []string{"1: .@-_  <: delete"}
}

// modeKeys is the Keys words for typing: the mode now, and what * switches
// to ("abc *:ABC").
func (t *tapper) modeKeys() string {
	if t.digits {
		return ""
	}
	return tapModeNames[t.mode] + " *:" + tapModeNames[(t.mode+1)%tapMode(len(tapModeNames))]
}
