package link

import (
	"context"
	"math"
	"sync"
	"sync/atomic"
)

// The host's strip size policy (protocol 1.2, STRIP_SIZE).
//
// A strip of L data bytes is L+32 bytes on the line (24 of frame, 8 of
// offset) and costs an ACK of 40 more the other way (1.2's 16-byte
// payload); call the overhead c = 72. At a bit error rate b a frame
// arrives whole with probability p(L) = (1-b)^(8(L+32)), so the share of
// the line that carries page data is about
//
//	η(L) = L/(L+c) · p(L),  best near L = sqrt(c/(8b)).
//
//	BER    256   512   1 KiB 2 KiB 4 KiB 8 KiB   best L
//	1e-6   0.78  0.87  0.93  0.95  0.95  0.93    2.9 KiB
//	1e-5   0.76  0.84  0.86  0.82  0.71  0.51    0.9 KiB
//	1e-4   0.62  0.57  0.40  0.18  0.04  0.00    300 B
//
// The curve is flat near its top, so powers of two are close enough: the
// policy halves and doubles. Halving pays when η(L/2) > η(L); with
// 1-d = p(L) the share of frames seen damaged, that is when
//
//	d > 1 - ((L+c)/(L+2c))^(2(L+32)/L)  (halveAt):
//
// 1.7 % at 8 KiB, 3.4 % at 4 KiB, 6.6 % at 2 KiB, 12 % at 1 KiB, 22 % at
// 512 B. At 1e-5 a 2 KiB strip is damaged 15 % of the time (halve), a
// 1 KiB one 8 % (stay); at 1e-4 512 B ones 35 % (halve to the floor,
// 256 B, 21 %). The line does not tell its bit error rate, only d, and
// the threshold depends on nothing else.
//
// Only damage depends on the size: a frame lost whole (a line that drops
// frames) would be lost at any size. The host sees damage as
// the bytes it skips (a damaged strip is L+32 bytes of garbage) and as
// strips that come again; it counts as damaged, over a window, the lesser
// of the two: the garbage in strips, and the strips resent. Lost whole,
// a strip is resent but leaves no garbage; damaged, it leaves both; a
// resend that is damaged again leaves garbage but is resent only once.
//
// The policy counts in windows of stripWindow frames: it halves as soon
// as a window holds more damaged frames than halveAt allows for the whole
// window (a line that damages most frames cannot wait for 32 of them to
// get through), and at least two: one in 32 is no evidence against
// 8 KiB strips. It doubles after stripWindow frames in a row without
// damage. 32 frames resolve the 3.4 % of a 4 KiB strip and are a few
// percent of a page even at 256 B; a doubling that was wrong is undone
// within the next window. A new link starts at stripStart: on a line at
// 1e-4 an 8 KiB strip almost never arrives (p = 0.001), so the engine's
// first window of them would fail the link before the policy saw a thing,
// whereas 1 KiB arrives 43 % of the time; on a clean line the climb to
// 8 KiB takes three windows, well under a page.
//
// All this counts line time, what a UART has. A pipe or a pty has no
// speed: there a frame costs processor time whatever its length, and
// strips larger than the policy's would carry more.
const (
	stripOverhead = 72 // c above: frame, offset and ACK, in bytes
	stripWindow   = 32
	stripStart    = 1 << 10
	// stripFrame is what a strip adds to its data on the line.
	stripFrame = stripHeader + HeaderSize + TrailerSize
)

// halveAt is the share of damaged frames above which strips of half the
// size would carry more.
func halveAt(size int) float64 {
	l, c := float64(size), float64(stripOverhead)
	return 1 - math.Pow((l+c)/(l+2*c), 2*(l+stripFrame)/l)
}

// stripPolicy chooses the strip size the host asks for from the frames it
// receives. It knows nothing of time: one call of observe a strip.
type stripPolicy struct {
	floor, ceiling int
	size           int
	// The current window: frames received, resent, bytes skipped.
	frames, resent, garbage int64
	clean                   int64 // frames in a row without damage
}

// stripSample is what the host saw between two strips.
type stripSample struct {
	frames  int64 // reliable frames received
	resent  int64 // of them, sent again by the engine
	garbage int64 // bytes skipped: damaged frames
}

// setCeiling starts a session whose largest strip is ceiling. The size
// carries over from the last session: a bad cable stays bad.
func (p *stripPolicy) setCeiling(ceiling int) {
	if p.size == 0 {
		p.size = stripStart
	}
	p.ceiling = ceiling
	p.floor = min(minStripSize, ceiling)
	p.change(max(p.floor, min(p.size, ceiling)))
}

// observe takes what happened up to and including a strip of n bytes. It
// returns the size to ask for and whether that is a change.
func (p *stripPolicy) observe(s stripSample, n int) (int, bool) {
	if n > p.size {
		// Cut before the engine heard of the size: it tells nothing
		// about this one.
		return p.size, false
	}
	p.frames += s.frames
	p.resent += s.resent
	p.garbage += s.garbage
	if s.garbage > 0 {
		p.clean = 0
	} else {
		p.clean += s.frames
	}
	damaged := min(float64(p.resent), float64(p.garbage)/float64(p.size+stripFrame))
	switch {
	// 1.5: two damaged frames, give or take the bytes a resync keeps.
	case p.size > p.floor && damaged >= 1.5 && damaged > halveAt(p.size)*stripWindow:
		return p.change(max(p.floor, p.size/2)), true
	case p.size < p.ceiling && p.clean >= stripWindow:
		return p.change(min(p.ceiling, 2*p.size)), true
	}
	if p.frames >= stripWindow {
		p.frames, p.resent, p.garbage = 0, 0, 0
	}
	return p.size, false
}

func (p *stripPolicy) change(size int) int {
	p.size = size
	p.frames, p.resent, p.garbage, p.clean = 0, 0, 0, 0
	return size
}

// stripTuner feeds the host's policy from the link's counters: frames
// received, those the engine had to send again (PeerRetransmits, less
// the Duplicates resent only because an ACK was lost) and the bytes
// skipped (DiscardedBytes).
type stripTuner struct {
	mem *StripMemory // nil: none

	mu     sync.Mutex
	on     bool // the engine takes STRIP_SIZE
	policy stripPolicy
	last   Stats
}

// StripMemory keeps the strip size for the next Host on the same line
// (HostOptions.Strips). Its zero value is ready for use.
type StripMemory struct {
	size atomic.Int64
}

func (t *stripTuner) remember(size int) {
	if t.mem != nil {
		t.mem.size.Store(int64(size))
	}
}

// begin starts a session with an engine whose own strip size is
// engineSize. It returns the size to ask for: engineSize unless on.
func (t *stripTuner) begin(st Stats, engineSize int, on bool) int {
	t.mu.Lock()
	defer t.mu.Unlock()
	t.on, t.last = on, st
	if !on {
		return engineSize
	}
	if t.policy.size == 0 && t.mem != nil {
		t.policy.size = int(t.mem.size.Load())
	}
	t.policy.setCeiling(engineSize)
	t.remember(t.policy.size)
	return t.policy.size
}

// strip notes a strip of n bytes received, with the link's counters as
// they are after it. It returns the size asked so far and, if changed, a
// new one to ask for.
func (t *stripTuner) strip(st Stats, n int) (old, size int, changed bool) {
	t.mu.Lock()
	defer t.mu.Unlock()
	if !t.on {
		return 0, 0, false
	}
	s := stripSample{
		frames:  st.FramesReceived - t.last.FramesReceived,
		resent:  max(0, (st.PeerRetransmits-t.last.PeerRetransmits)-(st.Duplicates-t.last.Duplicates)),
		garbage: st.DiscardedBytes - t.last.DiscardedBytes,
	}
	t.last = st
	old = t.policy.size
	size, changed = t.policy.observe(s, n)
	if changed {
		t.remember(size)
	}
	return old, size, changed
}

// revert goes back to the size the engine was last told.
func (t *stripTuner) revert(size int) {
	t.mu.Lock()
	defer t.mu.Unlock()
	t.policy.change(size)
	t.remember(size)
}

// setStripSize records the strip size in use; changed says whether a
// change counts (not the size a new session starts with).
func (s *session) setStripSize(size int, changed bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if changed && size != s.stats.StripSize {
		s.stats.StripChanges++
	}
	s.stats.StripSize = size
}

// startStrips sets the strip size for a session the host has just
// started with an engine: it returns the size to ask for with STRIP_SIZE,
// or 0 if the engine's own will do.
func (h *Host) startStrips(info EngineInfo) int {
	on := min(h.opts.Protocol.orLatest().Minor, info.Version.Minor) >= minorStripSize
	size := h.strips.begin(h.sess.snapshot(), info.StripSize, on)
	h.sess.setStripSize(size, false)
	if size == info.StripSize {
		return 0
	}
	return size
}

// stripReceived runs the policy after a strip of n bytes and tells the
// engine a new size.
func (s *source) stripReceived(ctx context.Context, n int) error {
	old, size, changed := s.h.strips.strip(s.h.sess.snapshot(), n)
	if !changed {
		return nil
	}
	s.h.log.DebugContext(ctx, "strip size", "bytes", size)
	// Close interrupts a Read, also while it waits to send this.
	sctx, cancel := context.WithCancel(ctx)
	defer cancel()
	go func() {
		select {
		case <-s.stop:
			cancel()
		case <-sctx.Done():
		}
	}()
	err := s.h.send(sctx, s.epoch, TypeStripSize, stripSizeMsg{size: uint32(size)}.marshal())
	if err != nil {
		select {
		case <-s.stop:
			err = errSourceClosed
		default:
		}
		// The engine goes on with the size it has; the next job's
		// handshake asks for the policy's again.
		s.h.strips.revert(old)
		return err
	}
	s.h.sess.setStripSize(size, true)
	return nil
}
