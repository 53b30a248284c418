package panel

import (
	"slices"
	"strings"

	"scanmail/board"
	"scanmail/board/screen"
	"scanmail/device/apitype"
)

// recipient is one destination the operator chose: an address, an
// address book entry or a group.
type recipient struct {
	label string // as shown
	addr  string
	entry string
	group string
}

func (r recipient) same(o recipient) bool {
	return strings.EqualFold(r.addr, o.addr) && r.entry == o.entry && r.group == o.group
}

// recipients are who gets the job: Scan to Me alone when the settings
// say so, else whom the operator chose.
func (m *Machine) recipients() []recipient {
	if m.toMeOnly() {
		return []recipient{{label: m.toMe(), addr: m.toMe()}}
	}
	return m.to
}

func (m *Machine) chosen(r recipient) bool {
	return slices.ContainsFunc(m.recipients(), r.same)
}

// toggle adds r, or removes it when it was chosen.
func (m *Machine) toggle(r recipient) {
	if i := slices.IndexFunc(m.to, r.same); i >= 0 {
		m.to = slices.Delete(m.to, i, i+1)
		return
	}
	m.to = append(m.to, r)
}

// mark is a menu item with a mark when chosen.
func mark(on bool, label string) string {
	if on {
		return cut("* "+label, 21)
	}
	return cut("  "+label, 21)
}

// toMe is Scan to Me's address, or "" when the device offers none.
func (m *Machine) toMe() string { return m.setting(setToMe, "") }

func (m *Machine) toMeOnly() bool {
	return m.toMe() != "" && strings.EqualFold(m.setting(setToMeOnly, ""), "yes")
}

// The compose screen's items.
const (
	itemToMe    = "Scan to Me"
	itemBook    = "Address book"
	itemType    = "Type an address"
	itemQuick   = "Quick Sets"
	itemRecent  = "Recent"
	itemOptions = "Options"
	itemClear   = "Clear recipients"
)

func (m *Machine) composeItems() []string {
	var items []string
	if m.toMe() != "" {
		items = append(items, itemToMe)
	}
	if !m.toMeOnly() {
		items = append(items, itemBook, itemType, itemQuick, itemRecent)
	}
	items = append(items, itemOptions)
	if len(m.to) > 0 && !m.toMeOnly() {
		items = append(items, itemClear)
	}
	return items
}

// openCompose begins Scan to Email, or says why it cannot.
func (m *Machine) openCompose() bool {
	if !m.online {
		m.say(vHome, "Scan to Email", "The device does not answer yet. Try again in a moment.")
		return false
	}
	if m.signInNeeded() {
		m.say(vHome, "Scan to Email", signInNeededWords, "Nothing can be sent until then.")
		return false
	}
	m.goTo(vCompose)
	return true
}

func (m *Machine) composeScreen() screen.Screen {
	items := m.composeItems()
	menu := make([]string, len(items))
	for i, it := range items {
		menu[i] = it
		if it == itemToMe {
			menu[i] = mark(m.chosen(recipient{addr: m.toMe()}), it)
		}
	}
	return screen.Screen{
		Title:    "Scan to Email",
		Lines:    []string{m.toLine(), m.optionsLine()},
		Menu:     menu,
		Selected: m.sel,
		Keys:     "OK:Pick Start:Scan",
	}
}

// toLine says who gets the document.
func (m *Machine) toLine() string {
	to := m.recipients()
	switch len(to) {
	case 0:
		return "To: no one yet"
	case 1:
		return "To: " + to[0].label
	}
	return "To: " + to[0].label + " +" + plural(len(to)-1, "other")
}

func (m *Machine) keyCompose(k board.Key) bool {
	items := m.composeItems()
	if m.moveSel(k, len(items)) {
		return true
	}
	switch k {
	case board.KeyBack:
		m.goTo(vHome)
		return true
	case board.KeyStart:
		return m.start()
	case board.KeyOK:
		if m.sel >= len(items) {
			return false
		}
		switch items[m.sel] {
		case itemToMe:
			if !m.toMeOnly() {
				m.toggle(recipient{label: m.toMe(), addr: m.toMe()})
			}
		case itemBook:
			m.tap.reset()
			m.book, m.listErr, m.bookLoaded = apitype.BookList{}, "", false
			m.goTo(vBook)
			m.searchBook()
		case itemType:
			m.tap.reset()
			m.goTo(vType)
		case itemQuick:
			m.quick, m.quickErr = nil, ""
			m.goTo(vQuickSets)
			m.quickSeq = m.call(Call{Kind: CallQuickSets})
		case itemRecent:
			m.recents, m.listErr = nil, ""
			m.goTo(vRecents)
			m.recentSeq = m.call(Call{Kind: CallJobs, Limit: recentJobs})
		case itemOptions:
			m.goTo(vOptions)
		case itemClear:
			m.to = nil
			m.sel = 0
		}
		return true
	}
	return false
}

// searchBook asks for the entries that begin with what is typed.
func (m *Machine) searchBook() {
	m.bookSeq = m.call(Call{Kind: CallBook, Query: m.tap.String(), Limit: bookLimit})
}

// bookItems are the search's entries and groups: favourites, then the
// groups whose name begins with what is typed, then the other entries.
func (m *Machine) bookItems() []recipient {
	var favs, groups, rest []recipient
	for _, e := range m.book.Entries {
		r := recipient{label: e.Name, entry: e.ID}
		if r.label == "" {
			r.label = e.Address
		}
		if e.Favourite {
			favs = append(favs, r)
		} else {
			rest = append(rest, r)
		}
	}
	q := strings.ToLower(m.tap.String())
	for _, g := range m.book.Groups {
		if strings.HasPrefix(strings.ToLower(g), q) {
			groups = append(groups, recipient{label: "Group " + g, group: g})
		}
	}
	return slices.Concat(favs, groups, rest)
}

func (m *Machine) bookScreen() screen.Screen {
	items := m.bookItems()
	s := screen.Screen{Title: "Address book", Input: m.tap.String(), Selected: m.sel,
		Keys: m.tap.modeKeys() + " OK:Add"}
	for _, r := range items {
		s.Menu = append(s.Menu, mark(m.chosen(r), r.label))
	}
	switch {
	case m.listErr != "":
		s.Lines = []string{m.listErr}
	case !m.bookLoaded:
		s.Lines = []string{"Looking..."}
	case len(items) == 0 && m.tap.String() == "":
		s.Lines = []string{"The address book is empty."}
	case len(items) == 0:
		s.Lines = []string{"No name begins so."}
	}
	return s
}

func (m *Machine) keyBook(k board.Key) bool {
	items := m.bookItems()
	before := m.tap.String()
	switch {
	case m.moveSel(k, len(items)):
		m.tap.commit()
		return true
	case m.tap.key(k, m.now):
	case k == board.KeyLeft || k == board.KeyBack && m.tap.String() != "":
		m.tap.backspace()
	case k == board.KeyRight:
		m.tap.commit()
	case k == board.KeyOK:
		if m.sel >= len(items) {
			return false
		}
		m.toggle(items[m.sel])
		return true
	case k == board.KeyBack:
		m.goTo(vCompose)
		return true
	case k == board.KeyStart:
		m.tap.commit()
		return m.start()
	default:
		return false
	}
	if m.tap.String() != before {
		m.sel = 0
		m.searchBook()
	}
	return true
}

// recentRecipients are the recipients of recent jobs, newest first, each
// once.
func recentRecipients(jobs []apitype.Job) []string {
	var out []string
	for _, j := range jobs {
		for _, a := range j.To {
			if !slices.ContainsFunc(out, func(o string) bool { return strings.EqualFold(o, a) }) {
				out = append(out, a)
			}
		}
	}
	return out
}

func (m *Machine) recentsScreen() screen.Screen {
	s := screen.Screen{Title: "Recent", Selected: m.sel, Keys: "OK:Add Back"}
	for _, a := range m.recents {
		s.Menu = append(s.Menu, mark(m.chosen(recipient{addr: a}), a))
	}
	switch {
	case m.listErr != "":
		s.Lines = []string{m.listErr}
	case m.recents == nil:
		s.Lines = []string{"Looking..."}
	case len(m.recents) == 0:
		s.Lines = []string{"No recent recipients."}
	}
	return s
}

func (m *Machine) keyRecents(k board.Key) bool {
	if m.moveSel(k, len(m.recents)) {
		return true
	}
	switch k {
	case board.KeyOK:
		if m.sel >= len(m.recents) {
			return false
		}
		a := m.recents[m.sel]
		m.toggle(recipient{label: a, addr: a})
		return true
	case board.KeyBack:
		m.goTo(vCompose)
		return true
	case board.KeyStart:
		return m.start()
	}
	return false
}

func (m *Machine) quickSetsScreen() screen.Screen {
	s := screen.Screen{Title: "Quick Sets", Selected: m.sel, Keys: "OK:Use Back"}
	switch {
	case m.quickErr != "":
		s.Lines = []string{m.quickErr}
	case m.quick == nil:
		s.Lines = []string{"Looking..."}
	case len(m.quick.QuickSets) == 0:
		s.Lines = []string{"No Quick Sets yet: an admin sets them up."}
	}
	if m.quick != nil {
		for _, q := range m.quick.QuickSets {
			s.Menu = append(s.Menu, cut(q.Name, 21))
		}
	}
	return s
}

func (m *Machine) keyQuickSets(k board.Key) bool {
	var sets []apitype.QuickSet
	if m.quick != nil {
		sets = m.quick.QuickSets
	}
	if m.moveSel(k, len(sets)) {
		return true
	}
	switch k {
	case board.KeyOK:
		if m.sel >= len(sets) {
			return false
		}
		m.useQuickSet(sets[m.sel])
		m.goTo(vCompose)
		return true
	case board.KeyBack:
		m.goTo(vCompose)
		return true
	}
	return false
}

// useQuickSet makes q's destinations the job's, and its options the
// operator's choices.
func (m *Machine) useQuickSet(q apitype.QuickSet) {
	m.to = nil
	for _, a := range q.To {
		m.to = append(m.to, recipient{label: a, addr: a})
	}
	for _, e := range q.Entries {
		m.to = append(m.to, recipient{label: q.Name, entry: e})
	}
	for _, g := range q.Groups {
		m.to = append(m.to, recipient{label: "Group " + g, group: g})
	}
	o := q.Options
	if o.Mode != "" {
		m.scan.Mode = o.Mode
	}
	if o.DPI != 0 {
		m.scan.DPI = o.DPI
	}
	if o.Format != "" {
		m.scan.Format = o.Format
	}
	m.scan.PerPage = o.PerPage
	// The Quick Set says the sides, as it says a file a page; 2-sided
	// takes the sheets from the feeder.
	m.scan.Duplex = o.Duplex
	m.flatbed = m.flatbed && !o.Duplex
	if o.Subject != "" {
		m.scan.Subject = o.Subject
	}
}

// domain completes typed addresses: the panel.domain setting, else the
// device address's domain.
func (m *Machine) domain() string {
	return m.setting(setDomain, domainOf(m.status.DeviceAddress))
}

func (m *Machine) typeScreen() screen.Screen {
	text := m.tap.String()
	s := screen.Screen{Title: "Type an address", Input: text, Keys: m.tap.modeKeys() + " OK:Add"}
	switch {
	case text == "":
		s.Lines = append(s.Lines, "Type with the keys.")
	case isAddress(text):
		s.Lines = append(s.Lines, "OK adds it.")
	default:
		s.Lines = append(s.Lines, "Not an address yet")
	}
	if d := m.domain(); d != "" {
		s.Lines = append(s.Lines, "#: @"+d)
	}
	s.Lines = append(s.Lines, m.tap.help()...)
	return s
}

func (m *Machine) keyType(k board.Key) bool {
	switch {
	case m.tap.key(k, m.now):
		return true
	case k == board.KeyHash:
		m.tap.commit()
		done := complete(m.tap.String(), m.domain())
		if done == m.tap.String() {
			return false
		}
		m.tap.set(done)
		return true
	case k == board.KeyLeft || k == board.KeyBack && m.tap.String() != "":
		m.tap.backspace()
		return true
	case k == board.KeyRight:
		m.tap.commit()
		return true
	case k == board.KeyOK || k == board.KeyStart:
		m.tap.commit()
		a := m.tap.String()
		if !isAddress(a) {
			m.msg = "Not an address yet"
			return false
		}
		if !m.chosen(recipient{addr: a}) {
			m.to = append(m.to, recipient{label: a, addr: a})
		}
		m.tap.reset()
		if k == board.KeyStart {
			return m.start()
		}
		m.goTo(vCompose)
		return true
	case k == board.KeyBack:
		m.tap.reset()
		m.goTo(vCompose)
		return true
	}
	return false
}
