package panel

import (
	"maps"
	"slices"
	"strconv"

	"scanmail/board"
	"scanmail/board/screen"
	"scanmail/device/apitype"
)

// signInNeededWords is what the operator reads when the device cannot
// send until an admin signs in.
const signInNeededWords = "Sign-in needed - ask your admin"

// alerts are the failed jobs no one has acknowledged, newest first.
func (m *Machine) alerts() []uint64 {
	var ids []uint64
	for id, j := range m.jobs {
		if j.job.State == apitype.JobFailed && !m.acked[id] {
			ids = append(ids, id)
		}
	}
	slices.Sort(ids)
	slices.Reverse(ids)
	return ids
}

// maxAcked bounds the failures remembered as acknowledged: the oldest
// are forgotten, as the device's feed no longer tells of them.
const maxAcked = 256

// ack remembers that someone has seen job id's failure.
func (m *Machine) ack(id uint64) {
	m.acked[id] = true
	if len(m.acked) > maxAcked {
		delete(m.acked, slices.Min(slices.Collect(maps.Keys(m.acked))))
	}
}

// homeMenu is the home screen's menu: scanning, then each alert.
func (m *Machine) homeMenu() []string {
	menu := []string{"Scan to Email"}
	for _, id := range m.alerts() {
		menu = append(menu, cut("! Job "+strconv.FormatUint(id, 10)+" not sent", 21))
	}
	return menu
}

func (m *Machine) homeScreen() screen.Screen {
	s := screen.Screen{Title: "Ready", Menu: m.homeMenu(), Selected: m.sel, Keys: "OK:Pick Menu:Admin"}
	switch {
	case !m.online:
		s.Title = "Connecting"
		s.Lines = []string{"The device does not answer yet."}
		return s
	case m.signInNeeded():
		s.Title = "Not ready"
		s.Lines = append(s.Lines, signInNeededWords)
	case !m.status.Ready:
		s.Title = "Not ready"
		s.Lines = append(s.Lines, m.status.Problem)
	}
	s.Lines = append(s.Lines, m.alertLines(s.Title == "Ready")...)
	if m.status.DeviceAddress != "" {
		s.Lines = append(s.Lines, m.status.DeviceAddress)
	}
	if line := m.activity(); line != "" {
		s.Lines = append(s.Lines, line)
	}
	if m.status.Waiting > 0 {
		s.Lines = append(s.Lines, "Queue: "+plural(m.status.Waiting, "job")+" waiting")
	}
	return s
}

// activity is a line on the newest job under way, wherever it was
// started, or on the newest one that ended since.
func (m *Machine) activity() string {
	var newest *seenJob
	for _, j := range m.jobs {
		if newest == nil || j.job.ID > newest.job.ID {
			newest = j
		}
	}
	if newest == nil {
		return ""
	}
	return "Job " + strconv.FormatUint(newest.job.ID, 10) + ": " + jobWords(newest)
}

// jobWords says in a few words where a job is.
func jobWords(j *seenJob) string {
	switch j.job.State {
	case apitype.JobScanning:
		if j.job.MorePages {
			return "next page?"
		}
		if n := max(j.page, j.job.Pages); n > 0 {
			return plural(n, "page") + " scanned"
		}
		return "scanning"
	case apitype.JobQueued:
		if j.job.Error != "" {
			return "will retry"
		}
		return "waiting to send"
	case apitype.JobSending:
		if n := len(j.job.Parts); n > 0 {
			return "sending part " + strconv.Itoa(min(j.job.PartsSent()+1, n)) + "/" + strconv.Itoa(n)
		}
		return "sending"
	case apitype.JobSent:
		return "sent"
	case apitype.JobFailed:
		return "not sent"
	case apitype.JobCanceled:
		return "canceled"
	}
	return j.job.State
}

func (m *Machine) keyHome(k board.Key) bool {
	menu := m.homeMenu()
	if m.moveSel(k, len(menu)) {
		return true
	}
	switch k {
	case board.KeyOK, board.KeyStart:
		if m.sel == 0 || k == board.KeyStart {
			return m.openCompose()
		}
		if ids := m.alerts(); m.sel-1 < len(ids) {
			m.alertID = ids[m.sel-1]
			m.goTo(vAlert)
			return true
		}
	case board.KeyBack:
		m.sel = 0
		return true
	case board.KeyStop:
		// The panel's job, left for home while it runs.
		if m.job != nil && !m.ownEnded() {
			m.goTo(vJob)
			return m.keyJob(k)
		}
	}
	return false
}

func (m *Machine) alertScreen() screen.Screen {
	s := screen.Screen{Title: "Job " + strconv.FormatUint(m.alertID, 10) + " not sent", Keys: "OK:Seen Back"}
	if j, ok := m.jobs[m.alertID]; ok {
		s.Lines = append(s.Lines, j.job.Error)
		if j.job.Hint != "" {
			s.Lines = append(s.Lines, j.job.Hint)
		}
		if len(j.job.To) > 0 {
			s.Lines = append(s.Lines, "To "+j.job.To[0])
		}
	}
	return s
}

func (m *Machine) keyAlert(k board.Key) bool {
	switch k {
	case board.KeyOK:
		m.ack(m.alertID)
		m.goTo(vHome)
		return true
	case board.KeyBack:
		m.goTo(vHome)
		return true
	}
	return false
}

// say shows a notice that returns to back.
func (m *Machine) say(back view, title string, lines ...string) {
	m.notice = notice{title: title, lines: lines, back: back}
	m.goTo(vNotice)
}

func (m *Machine) keyNotice(k board.Key) bool {
	if k == board.KeyOK || k == board.KeyBack {
		m.goTo(m.notice.back)
		return true
	}
	return false
}
