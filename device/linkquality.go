package device

import (
	"sync"

	"scanmail/device/apitype"
	"scanmail/scan/link"
)

// linkMeter is a Scanner on the scanner link that counts what the line
// did at the controller's end (link.Host.Stats): the totals since it was
// made, with the strip size now. LinkTally gives a Scanner the method.
type linkMeter interface {
	LinkStats() link.Stats
}

// The verdicts' thresholds on LinkQuality.Share (apitype's constants say
// what they mean).
const (
	linkSomeNoise = 0.001
	linkNoisy     = 0.01
)

// linkStats is the scanner's link totals, if it has a link.
func (d *Device) linkStats() (link.Stats, bool) {
	m, ok := d.scanner.(linkMeter)
	if !ok {
		return link.Stats{}, false
	}
	return m.LinkStats(), true
}

// linkQuality words what a link counted for people.
func linkQuality(st link.Stats) *apitype.LinkQuality {
	return judgeLink(apitype.LinkQuality{
		Frames:  st.FramesReceived,
		Damaged: st.FramesDamaged,
		// Resends of frames we had are the engine's timer, not the line.
		Resent:       max(0, st.PeerRetransmits-st.NeedlessResends),
		StripSize:    st.StripSize,
		StripChanges: st.StripChanges,
	})
}

// judgeLink gives the counts in q their verdict and hint; none before
// the first frame.
func judgeLink(q apitype.LinkQuality) *apitype.LinkQuality {
	q.Verdict, q.Hint = apitype.LinkClean, ""
	switch share := q.Share(); {
	case q.Frames == 0 && q.Damaged == 0 && q.Resent == 0:
		q.Verdict = ""
	case share >= linkNoisy:
		q.Verdict = apitype.LinkNoisy
		q.Hint = "Check the scanner cable and its connectors, and that it runs clear of the motors and the fuser's power wiring."
	case share >= linkSomeNoise:
		q.Verdict = apitype.LinkSomeNoise
	}
	return &q
}

// LinkTally adds up the scanner links a Scanner opens, one a job or one
// for good, into totals since the Scanner was made: embedded in a
// Scanner, it gives the Device the line's quality for the job records
// and the status. Each link is Opened when dialled and Closed when done.
type LinkTally struct {
	mu     sync.Mutex
	closed link.Stats // the links closed, the strip size the last one's
	open   []*link.Host
}

// Opened counts h from now on.
func (t *LinkTally) Opened(h *link.Host) {
	t.mu.Lock()
	defer t.mu.Unlock()
	t.open = append(t.open, h)
}

// Closed adds what h counted to the totals for good.
func (t *LinkTally) Closed(h *link.Host) {
	t.mu.Lock()
	defer t.mu.Unlock()
	for i, o := range t.open {
		if o == h {
			t.open = append(t.open[:i], t.open[i+1:]...)
			t.closed = addStats(t.closed, hostStats(h))
			return
		}
	}
}

// LinkStats is the totals of every link since the tally was made, the
// open ones' so far; the strip size is the newest link's.
func (t *LinkTally) LinkStats() link.Stats {
	t.mu.Lock()
	defer t.mu.Unlock()
	st := t.closed
	for _, h := range t.open {
		st = addStats(st, hostStats(h))
	}
	return st
}

// hostStats is h's counts, with the engine's strip size when the host
// has asked for none (protocol 1.1).
func hostStats(h *link.Host) link.Stats {
	st := h.Stats()
	if st.StripSize == 0 {
		st.StripSize = h.Engine().StripSize
	}
	return st
}

// addStats adds b's counts to a's; the strip size is b's when it has one,
// being the newer.
func addStats(a, b link.Stats) link.Stats {
	st := combineStats(a, b, 1)
	if b.StripSize > 0 {
		st.StripSize = b.StripSize
	}
	return st
}

// subStats is what happened between the totals a and the later b; the
// strip size is b's.
func subStats(b, a link.Stats) link.Stats { return combineStats(b, a, -1) }

// combineStats adds k times b's counts to a's, a's strip size kept.
func combineStats(a, b link.Stats, k int64) link.Stats {
	a.FramesSent += k * b.FramesSent
	a.FramesReceived += k * b.FramesReceived
	a.Retransmitted += k * b.Retransmitted
	a.PeerRetransmits += k * b.PeerRetransmits
	a.Timeouts += k * b.Timeouts
	a.NAKsSent += k * b.NAKsSent
	a.NAKsReceived += k * b.NAKsReceived
	a.Pokes += k * b.Pokes
	a.Duplicates += k * b.Duplicates
	a.NeedlessResends += k * b.NeedlessResends
	a.DiscardedBytes += k * b.DiscardedBytes
	a.FramesDamaged += k * b.FramesDamaged
	a.StripChanges += k * b.StripChanges
	return a
}
