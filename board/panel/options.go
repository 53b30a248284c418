package panel

import (
	"slices"
	"strconv"
	"strings"

	"scanmail/board"
	"scanmail/board/screen"
)

// The choices of the options screen, in the order Right goes through
// them, with their words.
var (
	modes       = []string{"rgb24", "gray8", "bw1"}
	modeWords   = map[string]string{"rgb24": "Colour", "gray8": "Gray", "bw1": "B&W", "jpeg": "JPEG"}
	dpis        = []int{75, 100, 150, 200, 300, 600}
	formats     = []string{"pdf", "pdf-compact", "tiff", "jpeg"}
	formatWords = map[string]string{"pdf": "PDF", "pdf-compact": "Compact PDF", "tiff": "TIFF", "jpeg": "JPEG"}
)

const (
	optMode = iota
	optDPI
	optFormat
	optFiles
	optSource
	optSubject
	optSides
	optCount
)

// effective is the options a job gets now: the operator's choices, else
// the device's settings.
func (m *Machine) effectiveMode() string   { return or(m.scan.Mode, m.setting(setMode, "gray8")) }
func (m *Machine) effectiveFormat() string { return or(m.scan.Format, m.setting(setFormat, "pdf")) }
func (m *Machine) effectiveSubject() string {
	return or(m.scan.Subject, m.setting(setSubject, ""))
}

func (m *Machine) effectiveDPI() int {
	if m.scan.DPI != 0 {
		return m.scan.DPI
	}
	if n, err := strconv.Atoi(m.setting(setDPI, "")); err == nil {
		return n
	}
	return 300
}

func or(a, b string) string {
	if a != "" {
		return a
	}
	return b
}

func (m *Machine) optionsMenu() []string {
	files := "One file"
	if m.scan.PerPage || m.effectiveFormat() == "jpeg" {
		files = "One file a page"
	}
	source := "Source: Feeder"
	if m.flatbed {
		source = "Source: Glass"
	}
	sides := "Sides: 1-sided"
	if m.scan.Duplex {
		sides = "Sides: 2-sided"
	}
	subject := m.effectiveSubject()
	if subject == "" {
		subject = "(none)"
	}
	return []string{
		"Colour: " + or(modeWords[m.effectiveMode()], m.effectiveMode()),
		"Resolution: " + strconv.Itoa(m.effectiveDPI()) + " dpi",
		"File: " + or(formatWords[m.effectiveFormat()], m.effectiveFormat()),
		files,
		source,
		cut("Subject: "+subject, 21),
		sides,
	}
}

// optionsLine sums the options up in one line.
func (m *Machine) optionsLine() string {
	s := or(modeWords[m.effectiveMode()], m.effectiveMode()) + " " + strconv.Itoa(m.effectiveDPI()) + "dpi " +
		or(formatWords[m.effectiveFormat()], m.effectiveFormat())
	if m.flatbed {
		s += " Glass"
	}
	if m.scan.Duplex {
		s += " 2-sided"
	}
	return s
}

func (m *Machine) optionsScreen() screen.Screen {
	return screen.Screen{Title: "Options", Menu: m.optionsMenu(), Selected: m.sel, Keys: "</>:Change Back"}
}

func (m *Machine) keyOptions(k board.Key) bool {
	if m.moveSel(k, optCount) {
		return true
	}
	step := 0
	switch k {
	case board.KeyRight, board.KeyOK:
		step = 1
	case board.KeyLeft:
		step = -1
	case board.KeyBack:
		m.goTo(vCompose)
		return true
	case board.KeyStart:
		return m.start()
	default:
		return false
	}
	switch m.sel {
	case optMode:
		m.scan.Mode = next(modes, m.effectiveMode(), step)
	case optDPI:
		m.scan.DPI = next(dpis, m.effectiveDPI(), step)
	case optFormat:
		m.scan.Format = next(formats, m.effectiveFormat(), step)
	case optFiles:
		m.scan.PerPage = !m.scan.PerPage
	case optSource:
		// The glass holds one side of one sheet.
		m.flatbed = !m.flatbed
		m.scan.Duplex = m.scan.Duplex && !m.flatbed
	case optSides:
		m.scan.Duplex = !m.scan.Duplex
		m.flatbed = m.flatbed && !m.scan.Duplex
	case optSubject:
		m.tap.reset()
		m.tap.space = true
		m.tap.set(m.effectiveSubject())
		m.view = vSubject
	}
	return true
}

// next is the choice step places from cur, going round; the first when
// cur is not among them.
func next[T comparable](choices []T, cur T, step int) T {
	i := slices.Index(choices, cur)
	if i < 0 {
		return choices[0]
	}
	n := len(choices)
	return choices[((i+step)%n+n)%n]
}

func (m *Machine) subjectScreen() screen.Screen {
	return screen.Screen{Title: "Subject", Input: m.tap.String(),
		Lines: append([]string{"{pages} and {date} are filled in."}, m.tap.help()...),
		Keys:  m.tap.modeKeys() + " OK:Set"}
}

func (m *Machine) keySubject(k board.Key) bool {
	switch {
	case m.tap.key(k, m.now):
		return true
	case k == board.KeyLeft || k == board.KeyBack && m.tap.String() != "":
		m.tap.backspace()
		return true
	case k == board.KeyRight:
		m.tap.commit()
		return true
	case k == board.KeyOK:
		m.tap.commit()
		m.scan.Subject = strings.TrimSpace(m.tap.String())
		fallthrough
	case k == board.KeyBack:
		m.tap.reset()
		m.tap.space = false
		m.view = vOptions
		return true
	}
	return false
}
