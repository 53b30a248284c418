package link

import (
	"bytes"
	"context"
	"errors"
	"io"
	"log/slog"
	"slices"
	"sync"
	"time"
)

// Stats counts what happened on one end of a link since it was made.
type Stats struct {
	FramesSent      int64 // reliable frames sent for the first time
	FramesReceived  int64 // reliable frames received in order
	Retransmitted   int64 // reliable frames this end sent again
	PeerRetransmits int64 // frames received that the peer had sent before
	Timeouts        int64 // ACK timeouts after which this end resent
	NAKsSent        int64 // including pokes
	NAKsReceived    int64
	Pokes           int64 // NAKs sent because nothing came for an ACK timeout
	Duplicates      int64 // frames received again and dropped
	DiscardedBytes  int64 // garbage and damaged frames skipped
	// FramesDamaged counts frames that arrived damaged or not at all, as
	// far as this end could tell (protocol 1.2: a damaged payload behind
	// an intact header, or a gap in the sequence numbers).
	FramesDamaged int64
	// StripSize is the largest strip in use: on the host, the size it
	// last asked of the engine (1.2) or the engine's own; on the engine,
	// the size it sends now. StripChanges counts the changes.
	StripSize    int
	StripChanges int64
}

var (
	errClosed  = errors.New("scanner link closed")
	errReset   = errors.New("scanner link session was reset")
	errStopped = errors.New("stopped")
)

type sessionConfig struct {
	ackTimeout time.Duration
	maxRetries int
	rxWindow   int  // frames received and not yet taken that we hold
	txWindow   int  // frames we send and have not had acknowledged
	engine     bool // the engine's end: HELLO resets, nothing counts before it
	log        *slog.Logger
}

// txFrame is a reliable frame kept until the peer acknowledges it.
type txFrame struct {
	typ     FrameType
	payload []byte
}

// session is one end of the reliable layer (PROTOCOL.md, "Sessions and
// reliability"): a reader goroutine takes frames off the byte stream and
// answers them, a writer goroutine sends acknowledgements, frames and
// retransmissions and runs the retransmission timer, and a receiver
// waiting in recv runs the poll timer. Neither goroutine ever blocks on
// the other or on a caller, so two ends joined by a synchronous pipe
// cannot deadlock.
type session struct {
	conn io.ReadWriter
	cfg  sessionConfig

	done chan struct{} // closed by close
	wake chan struct{} // the writer has something new to look at

	mu      sync.Mutex
	changed chan struct{} // closed and replaced whenever a waiter may proceed
	closed  bool
	broken  error // the byte stream failed: for good
	failed  error // this session failed: until the next reset
	epoch   uint64
	open    bool // there is a session (the engine has had a HELLO)

	helloSeq, helloISN uint32 // the engine's current session

	// Sending: frames [txBase, txNext) are kept in unacked; txSend is the
	// next to transmit, txHigh the first never transmitted; the peer's
	// credit allows seq < txLimit.
	txBase, txNext, txSend, txHigh, txLimit uint32
	unacked                                 []txFrame
	retries                                 int
	rtoAt                                   time.Time // zero: timer off

	// Receiving: rxNext is expected next; the peer was last told it may
	// send seq < rxLimit.
	rxNext   uint32
	rxQueue  []Frame
	rxLimit  uint32
	nakSeq   uint32
	nakAt    time.Time
	failures int       // pokes without progress
	waiters  int       // receivers that want the peer polled
	pokeAt   time.Time // zero: nobody waits
	ctrl     FrameType // ACK or NAK to send next, or 0

	ctrlBuf []byte // the writer's, for ACK and NAK payloads
	stats   Stats
}

func newSession(conn io.ReadWriter, cfg sessionConfig) *session {
	s := &session{
		conn:    conn,
		cfg:     cfg,
		done:    make(chan struct{}),
		wake:    make(chan struct{}, 1),
		changed: make(chan struct{}),
	}
	go s.readLoop()
	go s.writeLoop()
	return s
}

// close stops the session. The reader goroutine ends when its current Read
// returns: the owner of the byte stream closes it to make that happen.
func (s *session) close() {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.closed {
		return
	}
	s.closed = true
	close(s.done)
	s.notifyLocked()
}

// reset starts a new session with the given initial sequence numbers and
// returns its epoch.
func (s *session) reset(txISN, rxISN uint32) uint64 {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.resetLocked(txISN, rxISN)
	return s.epoch
}

func (s *session) resetLocked(txISN, rxISN uint32) {
	s.epoch++
	s.open = true
	s.failed = s.broken
	s.txBase, s.txNext, s.txSend, s.txHigh = txISN, txISN, txISN, txISN
	s.txLimit = txISN + 1 // one frame before the peer's first ACK
	s.unacked = nil
	s.retries = 0
	s.rtoAt = time.Time{}
	s.rxNext = rxISN
	s.rxQueue = nil
	s.rxLimit = rxISN + uint32(s.cfg.rxWindow)
	s.nakAt = time.Time{}
	s.failures = 0
	s.pokeAt = time.Time{}
	if s.waiters > 0 {
		s.pokeAt = time.Now().Add(s.cfg.ackTimeout)
	}
	s.ctrl = 0
	s.notifyLocked()
	s.kick()
}

func (s *session) snapshot() Stats {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.stats
}

// send queues a reliable frame of the session epoch, waiting for room in
// the window and for the peer's credit.
func (s *session) send(ctx context.Context, stop <-chan struct{}, epoch uint64, typ FrameType, payload []byte) error {
	s.mu.Lock()
	for {
		var err error
		switch {
		case s.failed != nil:
			err = s.failed
		case s.closed:
			err = errClosed
		case s.epoch != epoch:
			err = errReset
		}
		if err != nil {
			s.mu.Unlock()
			return err
		}
		if len(s.unacked) < s.cfg.txWindow && seqBefore(s.txNext, s.txLimit) {
			break
		}
		if err := s.waitLocked(ctx, stop); err != nil {
			s.mu.Unlock()
			return err
		}
	}
	s.unacked = append(s.unacked, txFrame{typ: typ, payload: bytes.Clone(payload)})
	s.txNext++
	s.mu.Unlock()
	s.kick()
	return nil
}

// recv returns the next reliable frame received in order, and the epoch of
// the session it belongs to. With poke, the peer is polled when nothing
// comes (PROTOCOL.md, "Polling"), and recv fails with a *LinkError after
// maxRetries polls without progress.
func (s *session) recv(ctx context.Context, stop <-chan struct{}, poke bool) (Frame, uint64, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if poke {
		s.waiters++
		defer func() {
			s.waiters--
			if s.waiters == 0 {
				s.pokeAt = time.Time{}
			}
		}()
	}
	for len(s.rxQueue) == 0 {
		if s.failed != nil {
			return Frame{}, s.epoch, s.failed
		}
		if s.closed {
			return Frame{}, s.epoch, errClosed
		}
		var wait time.Duration
		if poke {
			// The poll timer runs here, not in the writer, so that a
			// byte stream whose Write never returns still fails the link.
			now := time.Now()
			if s.pokeAt.IsZero() {
				s.pokeAt = now.Add(s.cfg.ackTimeout)
			}
			if !now.Before(s.pokeAt) {
				s.pokeLocked(now)
				continue
			}
			wait = s.pokeAt.Sub(now)
		}
		if err := s.waitTimeoutLocked(ctx, stop, wait); err != nil {
			return Frame{}, s.epoch, err
		}
	}
	f := s.rxQueue[0]
	s.rxQueue = slices.Delete(s.rxQueue, 0, 1)
	// Tell the peer about the room we made, unless it will hear anyway.
	free := uint32(s.cfg.rxWindow - len(s.rxQueue))
	if int32(s.rxNext+free-s.rxLimit) >= int32(max(1, s.cfg.rxWindow/2)) && s.ctrl == 0 {
		s.ctrl = TypeAck
		s.kick()
	}
	return f, s.epoch, nil
}

// waitEpoch waits until the session is reset (or closed, broken, or ctx is
// done).
func (s *session) waitEpoch(ctx context.Context, epoch uint64) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	for s.epoch == epoch {
		if s.broken != nil {
			return s.broken
		}
		if s.closed {
			return errClosed
		}
		if err := s.waitLocked(ctx, nil); err != nil {
			return err
		}
	}
	return nil
}

// pokeLocked polls the peer (PROTOCOL.md, "Polling"), or fails the
// session after maxRetries polls without progress.
func (s *session) pokeLocked(now time.Time) {
	s.failures++
	if s.failures >= s.cfg.maxRetries {
		s.failLocked(&LinkError{Failures: s.failures})
		return
	}
	s.stats.Pokes++
	s.nakSeq, s.nakAt = s.rxNext, now
	s.ctrl = TypeNak
	s.pokeAt = now.Add(s.cfg.ackTimeout)
	s.kick()
}

// waitLocked waits for a change, with s.mu held on entry and on return.
func (s *session) waitLocked(ctx context.Context, stop <-chan struct{}) error {
	return s.waitTimeoutLocked(ctx, stop, 0)
}

// waitTimeoutLocked is waitLocked for at most d (0: no limit).
func (s *session) waitTimeoutLocked(ctx context.Context, stop <-chan struct{}, d time.Duration) error {
	ch := s.changed
	s.mu.Unlock()
	defer s.mu.Lock()
	var timeout <-chan time.Time
	if d > 0 {
		t := time.NewTimer(d)
		defer t.Stop()
		timeout = t.C
	}
	select {
	case <-ch:
	case <-timeout:
	case <-ctx.Done():
		return ctx.Err()
	case <-stop:
		return errStopped
	}
	return nil
}

func (s *session) notifyLocked() {
	close(s.changed)
	s.changed = make(chan struct{})
}

func (s *session) kick() {
	select {
	case s.wake <- struct{}{}:
	default:
	}
}

func (s *session) failLocked(err error) {
	if s.failed != nil {
		return
	}
	s.failed = err
	s.unacked = nil
	s.rtoAt = time.Time{}
	s.pokeAt = time.Time{}
	s.cfg.log.Warn("scanner link failed", "err", err)
	s.notifyLocked()
}

// breakLink records that the byte stream itself failed.
func (s *session) breakLink(err error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.closed || s.broken != nil {
		return
	}
	s.broken = &LinkError{Err: err}
	s.failed = nil
	s.failLocked(s.broken)
}

func (s *session) readLoop() {
	const maxPause = 4 * time.Millisecond
	r := NewReader(activityReader{s}, MaxPayload)
	pause := time.Millisecond
	timer := time.NewTimer(0)
	<-timer.C
	var seen int64
	for {
		f, err := r.ReadFrame()
		garbage := r.Discarded() - seen
		seen = r.Discarded()
		select {
		case <-s.done:
			return
		default:
		}
		if garbage > 0 {
			s.onGarbage(garbage)
		}
		switch {
		case err == io.EOF:
			// Nothing yet: a serial port's read timeout, or an idle line.
			timer.Reset(pause)
			select {
			case <-s.done:
				return
			case <-timer.C:
			}
			pause = min(2*pause, maxPause)
		case err != nil:
			s.breakLink(err)
			return
		default:
			pause = time.Millisecond
			s.onFrame(f)
		}
	}
}

// activityReader tells the session when bytes arrive, so that the host
// does not poll an engine whose frame is still coming down a slow line.
type activityReader struct{ s *session }

func (a activityReader) Read(p []byte) (int, error) {
	n, err := a.s.conn.Read(p)
	if n > 0 {
		a.s.mu.Lock()
		if !a.s.pokeAt.IsZero() {
			a.s.pokeAt = time.Now().Add(a.s.cfg.ackTimeout)
		}
		a.s.mu.Unlock()
	}
	return n, err
}

func (s *session) onGarbage(n int64) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.stats.DiscardedBytes += n
	if s.open && s.failed == nil {
		s.nakLocked(time.Now())
	}
}

// nakLocked asks the peer to resend from rxNext, once per ACK timeout.
func (s *session) nakLocked(now time.Time) {
	if s.nakSeq == s.rxNext && !s.nakAt.IsZero() && now.Sub(s.nakAt) < s.cfg.ackTimeout {
		return
	}
	s.nakSeq, s.nakAt = s.rxNext, now
	s.ctrl = TypeNak
	s.kick()
}

func (s *session) ackLocked() {
	if s.ctrl == 0 {
		s.ctrl = TypeAck
		s.kick()
	}
}

// progressLocked notes that the peer is alive and has nothing for us that
// we lack.
func (s *session) progressLocked(now time.Time) {
	s.failures = 0
	if s.waiters > 0 {
		s.pokeAt = now.Add(s.cfg.ackTimeout)
	}
}

func (s *session) onFrame(f Frame) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.closed || s.broken != nil {
		return
	}
	now := time.Now()
	if f.Flags&FlagRetransmit != 0 {
		s.stats.PeerRetransmits++
	}
	if f.Type == TypeAck || f.Type == TypeNak {
		s.onAckLocked(f, now)
		return
	}
	if s.cfg.engine && f.Type == TypeHello {
		m, err := parseHello(f.Payload)
		if err == nil && (!s.open || f.Seq != s.helloSeq || m.engineISN != s.helloISN) {
			s.cfg.log.Debug("new link session", "host", m.name, "host_version", m.version)
			s.resetLocked(m.engineISN, f.Seq)
			s.helloSeq, s.helloISN = f.Seq, m.engineISN
		}
	}
	if !s.open || s.failed != nil {
		return
	}
	switch d := int32(f.Seq - s.rxNext); {
	case d == 0:
		if len(s.rxQueue) >= s.cfg.rxWindow {
			// Beyond the credit we gave: it comes again later.
			s.ackLocked()
			return
		}
		s.rxQueue = append(s.rxQueue, f)
		s.rxNext++
		s.stats.FramesReceived++
		s.progressLocked(now)
		s.ctrl = TypeAck // a pending NAK asked for this very frame
		s.kick()
		s.notifyLocked()
	case d < 0:
		s.stats.Duplicates++
		s.ackLocked()
	default:
		s.nakLocked(now)
	}
}

func (s *session) onAckLocked(f Frame, now time.Time) {
	m, ok := parseAck(f.Payload)
	if !ok || !s.open || s.failed != nil {
		return
	}
	next := f.Seq + 1 // what the peer expects
	if f.Type == TypeNak {
		next = f.Seq
		s.stats.NAKsReceived++
	}
	if seqBefore(s.txNext, next) {
		return // acknowledges what we never sent: a stale frame
	}
	if lim := next + uint32(m.window); seqBefore(s.txLimit, lim) {
		s.txLimit = lim
		s.notifyLocked()
	}
	advanced := false
	if d := int32(next - s.txBase); d > 0 {
		s.unacked = slices.Delete(s.unacked, 0, int(d))
		s.txBase = next
		if seqBefore(s.txSend, next) {
			s.txSend = next
		}
		s.retries = 0
		advanced = true
		s.rtoAt = time.Time{}
		if len(s.unacked) > 0 {
			s.rtoAt = now.Add(s.cfg.ackTimeout)
		}
		s.notifyLocked()
	}
	if f.Type == TypeNak {
		if !seqBefore(next, s.txBase) && seqBefore(next, s.txNext) {
			if !advanced {
				s.retries++
				if s.retries >= s.cfg.maxRetries {
					s.failLocked(&LinkError{Failures: s.retries})
					return
				}
			}
			if seqBefore(next, s.txSend) {
				s.txSend = next
			}
			s.rtoAt = time.Time{} // restarted once the resend is out
			s.kick()
		} else {
			s.ackLocked() // nothing to resend: a heartbeat
		}
	}
	if m.txHigh == s.rxNext {
		s.progressLocked(now)
	}
}

func (s *session) writeLoop() {
	timer := time.NewTimer(0)
	<-timer.C
	var buf []byte
	for {
		s.mu.Lock()
		f, data, wait := s.nextLocked(time.Now())
		s.mu.Unlock()
		if f.Type != 0 {
			buf = AppendFrame(buf[:0], f)
			if _, err := s.conn.Write(buf); err != nil {
				s.breakLink(err)
				return
			}
			if data {
				s.mu.Lock()
				if len(s.unacked) > 0 {
					s.rtoAt = time.Now().Add(s.cfg.ackTimeout)
				}
				s.mu.Unlock()
			}
			continue
		}
		if wait > 0 {
			timer.Reset(wait)
		}
		select {
		case <-s.wake:
		case <-timer.C:
		case <-s.done:
			return
		}
		timer.Stop()
	}
}

// nextLocked runs the retransmission timer and picks the next frame to write: an ACK or
// NAK first, then the window's frames from txSend. With nothing to write,
// wait is how long until a timer is due (0: none).
func (s *session) nextLocked(now time.Time) (f Frame, data bool, wait time.Duration) {
	if s.closed || s.failed != nil || !s.open {
		return Frame{}, false, 0
	}
	if !s.rtoAt.IsZero() && !now.Before(s.rtoAt) {
		s.rtoAt = time.Time{}
		s.retries++
		s.stats.Timeouts++
		if s.retries >= s.cfg.maxRetries {
			s.failLocked(&LinkError{Failures: s.retries})
			return Frame{}, false, 0
		}
		s.cfg.log.Debug("scanner link: ACK timeout, resending", "seq", s.txBase, "try", s.retries)
		s.txSend = s.txBase
	}
	if s.ctrl != 0 {
		typ := s.ctrl
		s.ctrl = 0
		free := s.cfg.rxWindow - len(s.rxQueue)
		s.rxLimit = s.rxNext + uint32(free)
		seq := s.rxNext - 1
		if typ == TypeNak {
			seq = s.rxNext
			s.stats.NAKsSent++
		}
		s.ctrlBuf = ackMsg{window: uint16(free), txHigh: s.txHigh}.marshal(s.ctrlBuf[:0])
		return Frame{Version: ProtocolMajor, Type: typ, Seq: seq, Payload: s.ctrlBuf}, false, 0
	}
	if seqBefore(s.txSend, s.txNext) {
		tf := s.unacked[s.txSend-s.txBase]
		f := Frame{Version: ProtocolMajor, Type: tf.typ, Seq: s.txSend, Payload: tf.payload}
		if seqBefore(s.txSend, s.txHigh) {
			f.Flags = FlagRetransmit
			s.stats.Retransmitted++
		} else {
			s.stats.FramesSent++
		}
		s.txSend++
		if seqBefore(s.txHigh, s.txSend) {
			s.txHigh = s.txSend
		}
		return f, true, 0
	}
	if !s.rtoAt.IsZero() {
		wait = max(s.rtoAt.Sub(now), time.Microsecond)
	}
	return Frame{}, false, wait
}

// seqBefore reports whether sequence number a comes before b, in serial
// arithmetic so that the numbers may wrap.
func seqBefore(a, b uint32) bool { return int32(a-b) < 0 }
