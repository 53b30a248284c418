package panel

import (
	"errors"
	"strconv"
	"strings"
	"time"

	"scanmail/board"
	"scanmail/board/screen"
	"scanmail/device/apitype"
	"scanmail/device/localclient"
)

// ownJob is the job started from the panel, from Start until someone
// leaves its screen.
type ownJob struct {
	seq     int       // the Scan call while it runs
	started time.Time // when Start was pressed
	to      string    // who gets it, in words
	id      uint64    // 0 until the device names the job
	refused error     // the device refused the scan before it began
	// stop is set by Stop: the job is canceled as soon as the device
	// lets it (not while a message is being handed over, so that
	// nothing half-sent goes).
	stop      bool
	canceling bool   // a CancelJob call is under way
	waitWhy   string // why the cancel waits
	moreSeq   int    // a MorePages call under way
	// moreAt is the page count at which the operator last answered
	// "More pages?": a prompt is answered once, and the next one (more
	// pages scanned) takes keys even before the device's answer to the
	// last comes back, which the feed may overtake.
	moreAt  int
	sounded bool // its end has been sounded
}

// seen is the job as the device last told of it, or nil.
func (m *Machine) ownSeen() *seenJob {
	if m.job == nil || m.job.id == 0 {
		return nil
	}
	return m.jobs[m.job.id]
}

func (j *ownJob) endedIn(s *seenJob) bool {
	switch {
	case j.refused != nil:
		return true
	case s != nil:
		return ended(s.job.State)
	}
	// Stopped before the device named it, and the call is over.
	return j.stop && j.seq == 0
}

// ownFailed reports whether the panel's job was refused or failed.
func (m *Machine) ownFailed() bool {
	if m.job == nil {
		return false
	}
	s := m.ownSeen()
	return m.job.refused != nil || s != nil && s.job.State == apitype.JobFailed
}

// ownEnded reports whether the panel's job has ended.
func (m *Machine) ownEnded() bool { return m.job == nil || m.job.endedIn(m.ownSeen()) }

// start sends the scan the operator chose.
func (m *Machine) start() bool {
	to := m.recipients()
	if len(to) == 0 {
		m.msg = "Choose who gets it first."
		return false
	}
	if m.signInNeeded() {
		m.say(vHome, "Scan to Email", signInNeededWords, "Nothing can be sent until then.")
		return false
	}
	if m.job != nil && !m.ownEnded() {
		m.msg = "The last job is still scanning."
		return false
	}
	req := apitype.ScanRequest{ScanOptions: m.scan, Flatbed: m.flatbed, Pages: m.opts.Pages}
	for _, r := range to {
		switch {
		case r.entry != "":
			req.Entries = append(req.Entries, r.entry)
		case r.group != "":
			req.Groups = append(req.Groups, r.group)
		default:
			req.To = append(req.To, r.addr)
		}
	}
	m.job = &ownJob{started: m.now, to: m.toLine()}
	m.job.seq = m.call(Call{Kind: CallScan, Scan: req})
	m.clearChoice()
	m.goTo(vJob)
	return true
}

// followsFeed reports whether the job's changes are taken from the feed
// alone (seenJob.fed).
func (m *Machine) followsFeed(id uint64) bool {
	s := m.jobs[id]
	return m.online && s != nil && s.fed
}

func (m *Machine) jobAnswer(a Answer) {
	j := m.job
	switch a.Call.Kind {
	case CallScan:
		if j == nil || a.Call.Seq != j.seq {
			return
		}
		if a.Event != nil {
			if j.id == 0 {
				j.id = a.Event.Job.ID
			}
			if !m.followsFeed(j.id) {
				m.seeJob(*a.Event)
			}
			return
		}
		j.seq = 0
		switch {
		case a.Err == nil:
			if j.id == 0 {
				j.id = a.Job.ID
			}
			if !m.followsFeed(j.id) {
				m.seeJob(apitype.JobEvent{Job: a.Job})
			}
		case j.id != 0:
			// The stream broke off; the feed tells the rest.
		default:
			j.refused = a.Err
			m.sound(SoundError)
		}
	case CallMorePages:
		if j != nil && a.Call.Seq == j.moreSeq {
			j.moreSeq = 0
			// The job itself comes from the feed and the scan's
			// stream: the answer's copy may be older than what they
			// told since (the next page's prompt).
			if a.Err != nil {
				m.msg = errText(a.Err)
				m.sound(SoundError)
			}
		}
	case CallCancelJob:
		if j != nil && a.Call.ID == j.id {
			j.canceling = false
		}
		switch code := localclient.ErrorCode(a.Err); {
		case a.Err == nil:
			m.seeJob(apitype.JobEvent{Job: a.Job})
		case code == apitype.CodeBusy:
			// Being sent right now, or just starting: the job's next
			// change tries again.
			if j != nil && a.Call.ID == j.id {
				j.waitWhy = "It stops when this try ends."
			}
		case code == apitype.CodeJobState:
			// It ended first; the feed says how.
		default:
			m.msg = errText(a.Err)
		}
	}
}

// ownJobSeen follows a change of a job for the panel's own.
func (m *Machine) ownJobSeen(j apitype.Job) {
	if m.job.id == 0 || j.ID != m.job.id {
		return
	}
	m.maybeCancel()
	if s := m.jobs[j.ID]; ended(s.job.State) && !m.job.sounded {
		m.job.sounded = true
		if s.job.State == apitype.JobSent {
			m.sound(SoundBeep)
		} else if s.job.State == apitype.JobFailed {
			m.sound(SoundError)
		}
	}
}

// maybeCancel cancels the panel's job once Stop asked for it and the
// device can: not while a message is being handed over.
func (m *Machine) maybeCancel() {
	j := m.job
	s := m.ownSeen()
	if !j.stop || j.canceling || s == nil || ended(s.job.State) || s.job.State == apitype.JobSending {
		return
	}
	j.canceling = true
	m.call(Call{Kind: CallCancelJob, ID: j.id})
}

func (m *Machine) keyJob(k board.Key) bool {
	j := m.job
	s := m.ownSeen()
	if j.endedIn(s) {
		if k == board.KeyOK || k == board.KeyBack {
			m.leaveJob(true)
			return true
		}
		return false
	}
	if k == board.KeyStop {
		if j.stop {
			return true
		}
		j.stop = true
		if j.id == 0 {
			// The device has not named the job yet: it is canceled by
			// its number as soon as the scan's first step names it.
			return true
		}
		if s != nil && s.job.State == apitype.JobSending {
			j.waitWhy = "It stops when this try ends."
		}
		m.maybeCancel()
		return true
	}
	if s != nil && m.asksMore(s) && !j.stop {
		if m.moveSel(k, 2) {
			return true
		}
		switch k {
		case board.KeyOK, board.KeyStart:
			more := m.sel == 0 || k == board.KeyStart
			j.moreAt = s.pages()
			j.moreSeq = m.call(Call{Kind: CallMorePages, ID: j.id, More: more})
			m.sel = 0
			return true
		}
	}
	if k == board.KeyBack {
		// The job goes on; home shows it.
		m.goTo(vHome)
		return true
	}
	return false
}

// leaveJob goes home from the job's screen; a failure that someone
// acknowledged there (seen) stays off Ready.
func (m *Machine) leaveJob(seen bool) {
	if s := m.ownSeen(); seen && s != nil && s.job.State == apitype.JobFailed {
		m.ack(s.job.ID)
	}
	m.goTo(vHome)
}

func (m *Machine) jobScreen() screen.Screen {
	j := m.job
	s := m.ownSeen()
	out := screen.Screen{Title: "Starting", Lines: []string{"Getting the scanner ready."}, Keys: "Stop:Cancel"}
	switch {
	case j.refused != nil:
		return screen.Screen{Title: "Not started", Lines: errLines(j.refused), Keys: "OK"}
	case s == nil && j.stop && j.seq == 0:
		return screen.Screen{Title: "Canceled", Lines: []string{"Nothing was sent."}, Keys: "OK"}
	case s == nil:
	default:
		out = m.jobStateScreen(s)
	}
	if j.stop && !j.endedIn(s) {
		out.Title = "Stopping"
		out.Menu = nil
		out.Lines = append([]string{or(j.waitWhy, "Canceling the job.")}, out.Lines...)
		out.Keys = ""
	}
	return out
}

// pages is how many pages the job has scanned so far.
func (s *seenJob) pages() int { return max(s.page, s.job.Pages) }

// asksMore reports whether the job waits for the operator's answer to
// "More pages?" that the operator has not given yet.
func (m *Machine) asksMore(s *seenJob) bool {
	return s.job.MorePages && s.job.State == apitype.JobScanning && (m.job == nil || m.job.id != s.job.ID || s.pages() > m.job.moreAt)
}

func (m *Machine) jobStateScreen(s *seenJob) screen.Screen {
	j := s.job
	pages := s.pages()
	out := screen.Screen{Keys: "Stop:Cancel"}
	switch j.State {
	case apitype.JobScanning:
		if m.asksMore(s) {
			out.Title = "More pages?"
			out.Lines = []string{plural(pages, "page") + " scanned.", "Put the next on the glass."}
			out.Menu = []string{"Scan next page", "Done: send it"}
			out.Selected = m.sel
			out.Keys = "OK Stop:Cancel"
			return out
		}
		out.Title = "Scanning"
		out.Lines = []string{"Scanning the pages."}
		if pages > 0 {
			out.Lines = []string{plural(pages, "page") + " scanned"}
		}
	case apitype.JobQueued:
		out.Title = "Waiting to send"
		if j.Error != "" {
			out.Lines = append(out.Lines, j.Error)
			if !j.NextAttempt.IsZero() {
				out.Lines = append(out.Lines, "Tries again at "+j.NextAttempt.Local().Format("15:04")+".")
			}
		}
	case apitype.JobSending:
		out.Title = "Sending"
		out.Lines = []string{m.job.to}
		if n := len(j.Parts); n > 0 {
			sent := j.PartsSent()
			out.Lines = append(out.Lines, "Part "+strconv.Itoa(min(sent+1, n))+" of "+strconv.Itoa(n))
			out.Progress = screen.Progress{Show: true, Done: float64(sent) / float64(n)}
		}
	case apitype.JobSent:
		out.Title = "Sent"
		out.Lines = []string{plural(pages, "page") + " sent."}
		if b := j.BlankText(); b != "" {
			out.Lines = append(out.Lines, strings.ToUpper(b[:1])+b[1:]+".")
		}
		// Before the address, which may wrap: on the small display a
		// last line that does not fit is cut.
		out.Lines = append(out.Lines, noisyLink(j)...)
		out.Lines = append(out.Lines, m.job.to)
		out.Keys = "OK"
	case apitype.JobFailed:
		out.Title = "Not sent"
		out.Lines = []string{j.Error}
		if j.Hint != "" {
			out.Lines = append(out.Lines, j.Hint)
		}
		out.Lines = append(out.Lines, noisyLink(j)...)
		out.Keys = "OK"
	case apitype.JobCanceled:
		out.Title = "Canceled"
		out.Lines = []string{"Nothing was sent."}
		if j.PartsSent() > 0 {
			out.Lines = []string{j.Error}
		}
		out.Keys = "OK"
	}
	if s.note != "" && !ended(j.State) {
		out.Lines = append(out.Lines, s.note)
	}
	return out
}

// noisyLink tells the operator, in a line, that the job's scanner link
// was noisy, for the admin to have the cable checked; nothing when not.
func noisyLink(j apitype.Job) []string {
	if j.Link == nil || j.Link.Verdict != apitype.LinkNoisy {
		return nil
	}
	return []string{"Scanner cable noisy: tell the admin."}
}

// errLines are an error's words and what to do, as lines.
func errLines(err error) []string {
	if e, ok := errors.AsType[*localclient.Error](err); ok {
		if e.Hint != "" {
			return []string{e.Message, e.Hint}
		}
		return []string{e.Message}
	}
	return []string{err.Error()}
}
