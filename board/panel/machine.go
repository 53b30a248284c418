package panel

import (
	"slices"
	"strconv"
	"strings"
	"time"

	"scanmail/board"
	"scanmail/board/screen"
	"scanmail/device/apitype"
)

// Settings the panel reads (through Config and the feed's settings
// changes), with their meaning when unset.
const (
	setToMe     = "scan.to_me"      // Scan to Me's address; empty: none
	setToMeOnly = "scan.to_me_only" // yes: Scan to Me is the only destination
	setDomain   = "panel.domain"    // completes typed addresses; else the device address's domain
	setIdle     = "panel.idle_seconds"
	setMode     = "scan.mode"
	setDPI      = "scan.dpi"
	setFormat   = "scan.format"
	setSubject  = "subject"
)

const (
	defaultIdle = 60 * time.Second
	// adminIdle logs the admin out.
	adminIdle = 2 * time.Minute
	// bookLimit is how many address book entries a search shows.
	bookLimit = 20
	// recentJobs is how many jobs Recent looks through.
	recentJobs = 20
)

// view is the screen the machine is at.
type view int

const (
	vHome view = iota
	vAlert
	vNotice
	vCompose
	vBook
	vRecents
	vQuickSets
	vType
	vOptions
	vSubject
	vJob
	vPIN
	vPINNew
	vAdmin
	vSignIn
	vHealth
	vSignOut
	vNetwork
	vAlerts
	vAlertInfo
)

// adminView reports whether v is behind the admin PIN.
func adminView(v view) bool { return v >= vAdmin }

// Options configure a Machine.
type Options struct {
	// Pages is how many pages a job asks a simulated scanner for; 0, for
	// a real scanner, scans what is in the feeder.
	Pages int
}

// Machine is the panel's state machine. Its methods are called from one
// goroutine; each returns what it asks for (calls to make, a sound), and
// Screen and LED say what to show after it.
type Machine struct {
	opts Options
	now  time.Time
	seq  int
	eff  Effects // being gathered by the step under way

	// The device, as the feed tells it.
	online   bool
	status   apitype.Status
	settings map[string]string
	jobs     map[uint64]*seenJob // jobs the feed told of
	acked    map[uint64]bool     // failed jobs someone has seen

	view    view
	sel     int // the highlighted menu item of the view
	lastKey time.Time
	msg     string // a line that answers the last key, cleared by the next

	// What the operator chose; scan and flatbed stay for the next job.
	to      []recipient
	scan    apitype.ScanOptions // zero fields: the device's settings
	flatbed bool

	tap        tapper
	bookSeq    int
	book       apitype.BookList
	listErr    string // why the address book or Recent has no answer
	bookLoaded bool
	recentSeq  int
	recents    []string // nil until the answer
	quickSeq   int
	quick      *apitype.QuickSetList
	quickErr   string
	notice     notice
	alertID    uint64
	alertKind  string // the device alert vAlertInfo shows
	job        *ownJob

	admin adminState
}

// seenJob is a job as the feed tells of it.
type seenJob struct {
	job  apitype.Job
	page int
	note string
	// fed: the feed has told of the job. The panel's own scan also
	// reports it on the scan's stream, which the feed may overtake (a
	// page's progress after the prompt that follows it): while the feed
	// is up, it alone is followed.
	fed bool
}

// notice is a screen that says something until OK or Back.
type notice struct {
	title string
	lines []string
	back  view
}

// New makes a machine that starts at now, showing the home screen while
// it waits for the feed.
func New(opts Options, now time.Time) *Machine {
	return &Machine{
		opts:     opts,
		now:      now,
		lastKey:  now,
		settings: map[string]string{},
		jobs:     map[uint64]*seenJob{},
		acked:    map[uint64]bool{},
	}
}

func (m *Machine) call(c Call) int {
	m.seq++
	c.Seq = m.seq
	m.eff.Calls = append(m.eff.Calls, c)
	return c.Seq
}

func (m *Machine) abort(seq int) {
	if seq != 0 {
		m.eff.Calls = append(m.eff.Calls, Call{Kind: CallAbort, Abort: seq})
	}
}

func (m *Machine) sound(s Sound) {
	if s > m.eff.Sound {
		m.eff.Sound = s
	}
}

func (m *Machine) effects() Effects {
	e := m.eff
	m.eff = Effects{}
	return e
}

func (m *Machine) goTo(v view) {
	m.view, m.sel, m.msg = v, 0, ""
}

// setting is a setting's value, or def when the feed has not told it.
func (m *Machine) setting(key, def string) string {
	if v, ok := m.settings[key]; ok && v != "" {
		return v
	}
	return def
}

// signInNeeded reports whether the device cannot send before an admin
// signs in.
func (m *Machine) signInNeeded() bool {
	return m.online && (m.status.ProblemCode == apitype.CodeSignInNeeded ||
		m.status.Account != nil && m.status.Account.SignInNeeded)
}

// Tick tells the machine the time; it takes a typed letter after its
// pause, counts down, and ends what has been left idle.
func (m *Machine) Tick(now time.Time) Effects {
	m.now = now
	m.tap.tick(now)
	idle := now.Sub(m.lastKey)
	if m.admin.in && idle >= adminIdle && !(m.view == vSignIn && m.admin.signin.State == apitype.SignInWaiting) {
		m.logOut()
	}
	if !adminView(m.view) && m.view != vJob && m.view != vPIN && m.view != vPINNew && idle >= m.idle() &&
		(m.view != vHome || len(m.to) > 0 || m.tap.String() != "") {
		m.clearChoice()
		m.goTo(vHome)
	}
	// The PIN screen is left when no one uses it, counting from the end
	// of a wait for the next try.
	if (m.view == vPIN || m.view == vPINNew) && now.Sub(later(m.lastKey, m.admin.retryAt)) >= adminIdle {
		m.admin.reset()
		m.goTo(vHome)
	}
	// A job ended, or waiting to be sent, no longer needs the operator.
	if m.view == vJob && idle >= m.idle() {
		if s := m.ownSeen(); m.ownEnded() || s != nil && s.job.State == apitype.JobQueued {
			m.leaveJob(false)
		}
	}
	return m.effects()
}

func later(a, b time.Time) time.Time {
	if a.After(b) {
		return a
	}
	return b
}

func (m *Machine) idle() time.Duration {
	if n, err := strconv.Atoi(m.setting(setIdle, "")); err == nil && n > 0 {
		return time.Duration(n) * time.Second
	}
	return defaultIdle
}

// clearChoice forgets the destinations and what was being typed; the
// options stay.
func (m *Machine) clearChoice() {
	m.to = nil
	m.tap.reset()
}

// Key takes a key press.
func (m *Machine) Key(k board.Key) Effects {
	m.lastKey = m.now
	m.msg = ""
	if k == board.KeyMenu && m.view != vJob && m.view != vSignIn {
		m.openAdmin()
		return m.effects()
	}
	taken := true
	switch m.view {
	case vHome:
		taken = m.keyHome(k)
	case vAlert:
		taken = m.keyAlert(k)
	case vNotice:
		taken = m.keyNotice(k)
	case vCompose:
		taken = m.keyCompose(k)
	case vBook:
		taken = m.keyBook(k)
	case vRecents:
		taken = m.keyRecents(k)
	case vQuickSets:
		taken = m.keyQuickSets(k)
	case vType:
		taken = m.keyType(k)
	case vOptions:
		taken = m.keyOptions(k)
	case vSubject:
		taken = m.keySubject(k)
	case vJob:
		taken = m.keyJob(k)
	case vPIN, vPINNew:
		taken = m.keyPIN(k)
	case vAdmin:
		taken = m.keyAdmin(k)
	case vSignIn:
		taken = m.keySignIn(k)
	case vHealth, vNetwork:
		taken = m.keyInfo(k)
	case vSignOut:
		taken = m.keySignOut(k)
	case vAlerts:
		taken = m.keyAlerts(k)
	case vAlertInfo:
		taken = m.keyAlertInfo(k)
	}
	if taken {
		m.sound(SoundBeep)
	} else {
		m.sound(SoundError)
	}
	return m.effects()
}

// moveSel moves the highlight of a menu of n items for Up and Down; it
// reports whether k was one of them.
func (m *Machine) moveSel(k board.Key, n int) bool {
	switch k {
	case board.KeyUp:
		if m.sel > 0 {
			m.sel--
		} else if n > 0 {
			m.sel = n - 1
		}
		return true
	case board.KeyDown:
		if m.sel < n-1 {
			m.sel++
		} else {
			m.sel = 0
		}
		return true
	}
	return false
}

// Notify takes a change of the device from its feed.
func (m *Machine) Notify(n apitype.Notify) Effects {
	switch n.Kind {
	case apitype.NotifySnapshot:
		m.online = true
		if n.Status != nil {
			m.status = *n.Status
		}
		// A snapshot says the whole state again: jobs it does not list
		// have ended, and what they ended as is in LastJob or lost.
		var gone []uint64
		for id, j := range m.jobs {
			if !ended(j.job.State) && !slices.ContainsFunc(n.Jobs, func(x apitype.Job) bool { return x.ID == id }) {
				gone = append(gone, id)
			}
		}
		for _, j := range n.Jobs {
			m.feedJob(apitype.JobEvent{Job: j})
		}
		if n.Status != nil && n.Status.LastJob != nil {
			m.feedJob(apitype.JobEvent{Job: *n.Status.LastJob})
		}
		for _, id := range gone {
			if ended(m.jobs[id].job.State) {
				continue // the last job
			}
			if m.job != nil && m.job.id == id {
				// The panel's own: ask how it ended.
				m.call(Call{Kind: CallJob, ID: id})
				continue
			}
			delete(m.jobs, id)
		}
		// The feed has no settings: ask for them again, as they may
		// have changed while it was away.
		m.call(Call{Kind: CallConfig})
	case apitype.NotifyStatus:
		if n.Status != nil {
			m.status = *n.Status
			if n.Status.LastJob != nil {
				m.feedJob(apitype.JobEvent{Job: *n.Status.LastJob})
			}
		}
	case apitype.NotifyJob:
		if n.Job != nil {
			m.feedJob(*n.Job)
		}
	case apitype.NotifySettings:
		if n.Setting != nil {
			m.settings[n.Setting.Key] = n.Setting.Value
		}
	case apitype.NotifyBook:
		if m.view == vBook {
			m.searchBook()
		}
	case apitype.NotifyQuickSet:
		if m.view == vQuickSets {
			m.quickSeq = m.call(Call{Kind: CallQuickSets})
		}
	}
	return m.effects()
}

// Offline tells the machine that the feed broke off (the daemon stopped or
// restarted); the runner watches again.
func (m *Machine) Offline() Effects {
	m.online = false
	return m.effects()
}

// feedJob takes a job's change from the feed.
func (m *Machine) feedJob(ev apitype.JobEvent) {
	m.seeJob(ev)
	if s := m.jobs[ev.Job.ID]; s != nil {
		s.fed = true
	}
}

// seeJob takes a job's change, from the feed or from the panel's own scan.
func (m *Machine) seeJob(ev apitype.JobEvent) {
	j := ev.Job
	s, ok := m.jobs[j.ID]
	if !ok {
		s = &seenJob{}
		m.jobs[j.ID] = s
	}
	s.job = mergeJob(s.job, j)
	if ev.Page > s.page {
		s.page = ev.Page
	}
	if ev.Note != "" || j.State != apitype.JobQueued {
		s.note = ev.Note
	}
	// Ended jobs are kept only as long as a screen may want them.
	for id, o := range m.jobs {
		if id != j.ID && ended(o.job.State) && (o.job.State != apitype.JobFailed || m.acked[id]) &&
			(m.job == nil || m.job.id != id) {
			delete(m.jobs, id)
		}
	}
	if m.job != nil {
		m.ownJobSeen(j)
	}
}

// mergeJob is the newer of two reports of one job, which may come out of
// order from the feed and from the scan's own stream: an ended job never
// goes back to running, and counts only grow.
func mergeJob(old, nw apitype.Job) apitype.Job {
	if old.ID == 0 {
		return nw
	}
	if ended(old.State) && !ended(nw.State) {
		return old
	}
	if old.Pages > nw.Pages {
		nw.Pages = old.Pages
	}
	if old.PartsSent() > nw.PartsSent() && len(old.Parts) == len(nw.Parts) {
		nw.Parts = old.Parts
	}
	return nw
}

func ended(state string) bool {
	return state == apitype.JobSent || state == apitype.JobFailed || state == apitype.JobCanceled
}

// Answer takes the answer of a call the machine asked for.
func (m *Machine) Answer(a Answer) Effects {
	switch a.Call.Kind {
	case CallConfig:
		if a.Err == nil {
			for _, s := range a.Config.Settings {
				m.settings[s.Key] = s.Value
			}
		}
	case CallBook:
		if a.Call.Seq == m.bookSeq {
			m.book, m.listErr, m.bookLoaded = a.Book, errText(a.Err), true
		}
	case CallJobs:
		if a.Call.Seq == m.recentSeq {
			m.recents, m.listErr = recentRecipients(a.Jobs), errText(a.Err)
			if m.recents == nil {
				m.recents = []string{}
			}
		}
	case CallQuickSets:
		if a.Call.Seq == m.quickSeq {
			m.quick, m.quickErr = &a.QuickSets, errText(a.Err)
		}
	case CallJob:
		if a.Err == nil {
			m.seeJob(apitype.JobEvent{Job: a.Job})
		}
	case CallScan, CallMorePages, CallCancelJob:
		m.jobAnswer(a)
	case CallSignIn, CallCancelSignIn, CallSignOut, CallPIN, CallCheckPIN, CallSetPIN:
		m.adminAnswer(a)
	case CallAckAlert:
		m.alertAnswer(a)
	}
	return m.effects()
}

// Screen is what the panel shows now.
func (m *Machine) Screen() screen.Screen {
	var s screen.Screen
	switch m.view {
	case vHome:
		s = m.homeScreen()
	case vAlert:
		s = m.alertScreen()
	case vNotice:
		s = screen.Screen{Title: m.notice.title, Lines: m.notice.lines, Keys: "OK"}
	case vCompose:
		s = m.composeScreen()
	case vBook:
		s = m.bookScreen()
	case vRecents:
		s = m.recentsScreen()
	case vQuickSets:
		s = m.quickSetsScreen()
	case vType:
		s = m.typeScreen()
	case vOptions:
		s = m.optionsScreen()
	case vSubject:
		s = m.subjectScreen()
	case vJob:
		s = m.jobScreen()
	case vPIN, vPINNew:
		s = m.pinScreen()
	case vAdmin:
		s = m.adminScreen()
	case vSignIn:
		s = m.signInScreen()
	case vHealth:
		s = m.healthScreen()
	case vSignOut:
		s = m.signOutScreen()
	case vNetwork:
		s = m.networkScreen()
	case vAlerts:
		s = m.alertsScreen()
	case vAlertInfo:
		s = m.alertInfoScreen()
	}
	if m.msg != "" {
		s.Lines = append([]string{m.msg}, s.Lines...)
	}
	if n := len(s.Menu); n > 0 && s.Selected >= n {
		s.Selected = n - 1
	}
	return s
}

// LED is what the status LED shows now: attention when someone must act,
// working while a job or a sign-in is under way, else ready.
func (m *Machine) LED() board.Status {
	if !m.online || !m.status.Ready || len(m.alerts()) > 0 || len(m.status.Alerts) > 0 ||
		m.view == vJob && m.ownFailed() {
		return board.StatusAttention
	}
	if !m.ownEnded() || m.admin.signin.State == apitype.SignInWaiting {
		return board.StatusWorking
	}
	for _, j := range m.jobs {
		if !ended(j.job.State) {
			return board.StatusWorking
		}
	}
	return board.StatusReady
}

// errText is err's words with what to do, for a screen.
func errText(err error) string {
	if err == nil {
		return ""
	}
	return strings.Join(errLines(err), " ")
}

// cut shortens s to n characters, for a menu item or a line that must
// not wrap.
func cut(s string, n int) string {
	r := []rune(s)
	if len(r) <= n {
		return s
	}
	return string(r[:n-1]) + "~"
}

// clock is a duration as m:ss, never below zero.
func clock(d time.Duration) string {
	if d < 0 {
		d = 0
	}
	s := int((d + time.Second - 1) / time.Second)
	return strconv.Itoa(s/60) + ":" + pad2(s%60)
}

func pad2(n int) string {
	if n < 10 {
		return "0" + strconv.Itoa(n)
	}
	return strconv.Itoa(n)
}

// plural is n and the word, with an s when n is not 1.
func plural(n int, word string) string {
	s := strconv.Itoa(n) + " " + word
	if n != 1 {
		s += "s"
	}
	return s
}

// hostOf is the host of a URL, or the URL.
// withoutScheme is url as a person types it: without "https://".
func withoutScheme(url string) string {
	if i := strings.Index(url, "://"); i >= 0 {
		return url[i+3:]
	}
	return url
}
