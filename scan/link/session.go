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
	version    Version
	log        *slog.Logger
}

// txFrame is a reliable frame kept until the peer acknowledges it.
type txFrame struct {
	typ     FrameType
	payload []byte
	sends   int       // transmissions so far
	lastTx  uint64    // the serial of the last transmission
	sentAt  time.Time // of the last transmission
	sacked  bool      // 1.2: the peer holds it, out of order
	resend  bool      // 1.2: its last transmission is known lost
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

	// selective: both ends speak 1.2 or later, so this session has
	// selective repeat and immediate damage reports (PROTOCOL.md,
	// "Selective repeat"). Until the handshake tells, it is false.
	selective bool
	// peerSelective: the last handshake found a 1.2 peer, so the next
	// session's HELLO or HELLO_REPLY may use the measured timeout.
	peerSelective bool

	// Sending: frames [txBase, txNext) are kept in unacked; txSend is the
	// next to transmit, txHigh the first never transmitted; the peer's
	// credit allows seq < txLimit.
	txBase, txNext, txSend, txHigh, txLimit uint32
	unacked                                 []txFrame
	retries                                 int
	rtoAt                                   time.Time // zero: timer off

	// txSerial numbers this session's transmissions (the last one's);
	// txProven is the last the peer is known to have heard (1.2).
	txSerial, txProven uint64
	txSentAt           [256]time.Time // by the low byte of the serial
	// The retransmission timeout (1.2): from measured round trips, at
	// most the ACK timeout. 1.1 waits the ACK timeout.
	srtt, rttvar, rto time.Duration
	progressAt        time.Time // the peer last showed it heard us (1.2)

	// Receiving: rxNext is expected next; the peer was last told it may
	// send seq < rxLimit.
	rxNext   uint32
	rxQueue  []Frame
	rxLimit  uint32
	rxHeld   []Frame // 1.2: rxNext+1+i, out of order (Type 0: missing)
	rxSeen   uint32  // after the highest seq heard, intact or damaged
	heard    uint8   // the Tx of the last frame heard
	heardOK  bool
	nakSeq   uint32
	nakAt    time.Time
	failures int       // pokes without progress
	waiters  int       // receivers that want the peer polled
	pokeAt   time.Time // zero: nobody waits
	// 1.2: the credit we granted a peer that had used all of it goes
	// again at repeatAt (zero: off) unless a frame comes first: a lost
	// window update would otherwise stall both ends until a poll.
	repeatAt   time.Time
	repeatWait time.Duration
	ctrl       FrameType // ACK or NAK to send next, or 0

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
	// The handshake tells whether this session is 1.2: see onFrame.
	s.selective = false
	s.txSerial, s.txProven = 0, 0
	// The round trip is the line's: it outlives the session (the host
	// starts one for every job), but not a timeout's back-off.
	s.rto = s.cfg.ackTimeout
	if s.srtt > 0 {
		s.rto = s.rtoFromRTT()
	}
	s.rxNext = rxISN
	s.rxQueue = nil
	s.rxHeld = nil
	s.rxSeen = rxISN
	s.heard, s.heardOK = 0, false
	s.rxLimit = rxISN + uint32(s.cfg.rxWindow)
	s.nakAt = time.Time{}
	s.failures = 0
	s.pokeAt = time.Time{}
	if s.waiters > 0 {
		s.pokeAt = time.Now().Add(s.cfg.ackTimeout)
	}
	s.repeatAt = time.Time{}
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
		if len(s.unacked) < s.txWindowLocked() && seqBefore(s.txNext, s.txLimit) {
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

// txWindowLocked is how many frames may be unacknowledged: with selective
// repeat, no more than the peer's SACK can tell apart.
func (s *session) txWindowLocked() int {
	if s.selective {
		return min(s.cfg.txWindow, 1+sackBits)
	}
	return s.cfg.txWindow
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
	r.OnDamaged = s.onDamaged
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
	// A 1.2 receiver reports what it heard instead (onDamaged, onFrame):
	// garbage alone names no frame.
	if s.open && s.failed == nil && !s.selective {
		s.nakLocked(time.Now())
	}
}

// onDamaged hears a frame whose header arrived intact and whose payload
// did not: its seq and Tx are the sender's. A 1.2 receiver tells the
// sender at once; a 1.1 one NAKs the garbage (onGarbage).
func (s *session) onDamaged(hdr Frame) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.closed || s.broken != nil || !s.open || s.failed != nil || !reliable(hdr.Type) {
		return
	}
	if !s.hearLocked(hdr) {
		return
	}
	s.stats.FramesDamaged++
	if s.selective && !seqBefore(hdr.Seq, s.rxNext) {
		s.ctrl = TypeNak
		s.kick()
	}
}

// hearLocked notes a reliable frame of this session heard, intact or
// damaged, and counts the frames it shows were lost on the way: the line
// keeps their order, so a seq beyond the highest heard yet means the ones
// between were lost. It reports false for a frame too far from the
// expected seq to be this session's.
func (s *session) hearLocked(f Frame) bool {
	d := int32(f.Seq - s.rxNext)
	if d < -(1<<16) || d > sackBits {
		return false
	}
	s.heard, s.heardOK = f.Tx, true
	if lost := int32(f.Seq - s.rxSeen); lost >= 0 {
		s.stats.FramesDamaged += int64(lost)
		s.rxSeen = f.Seq + 1
	}
	return true
}

// reliable says whether frames of type t are sequenced and acknowledged.
func reliable(t FrameType) bool { return t != TypeAck && t != TypeNak }

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
			s.selective = s.speaksSelective(m.version)
			s.peerSelective = s.selective
		}
	}
	if !s.open || s.failed != nil {
		return
	}
	s.hearLocked(f)
	s.repeatAt = time.Time{}
	switch d := int32(f.Seq - s.rxNext); {
	case d == 0:
		if len(s.rxQueue) >= s.cfg.rxWindow {
			// Beyond the credit we gave: it comes again later.
			s.ackLocked()
			return
		}
		if !s.cfg.engine && f.Type == TypeHelloReply {
			if m, err := parseHelloReply(f.Payload); err == nil {
				s.selective = s.speaksSelective(m.version)
				s.peerSelective = s.selective
			}
		}
		s.deliverLocked(f)
		// The frames held out of order move up one, and those now in
		// order follow it. The credit we gave bounds them, so the queue
		// has room.
		for len(s.rxHeld) > 0 {
			h := s.rxHeld[0]
			copy(s.rxHeld, s.rxHeld[1:])
			s.rxHeld[len(s.rxHeld)-1] = Frame{}
			if h.Type == 0 {
				break
			}
			s.deliverLocked(h)
		}
		s.progressLocked(now)
		if s.ctrl != TypeNak || !s.holdsLocked() {
			s.ctrl = TypeAck // a pending NAK asked for this very frame
		}
		s.kick()
		s.notifyLocked()
	case d < 0:
		s.stats.Duplicates++
		s.countNeedlessLocked(f)
		s.ackLocked()
	case !s.selective:
		s.nakLocked(now)
	default:
		s.holdLocked(f, int(d))
		s.ctrl = TypeNak
		s.kick()
	}
}

// deliverLocked queues the frame rxNext for the receiver.
func (s *session) deliverLocked(f Frame) {
	s.rxQueue = append(s.rxQueue, f)
	s.rxNext++
	s.stats.FramesReceived++
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
		if !m.selective {
			for _, tf := range s.unacked[:d] {
				s.karnLocked(tf, now)
			}
		}
		s.unacked = slices.Delete(s.unacked, 0, int(d))
		s.txBase = next
		if seqBefore(s.txSend, next) {
			s.txSend = next
		}
		s.retries = 0
		s.progressAt = now
		advanced = true
		s.rtoAt = time.Time{}
		if len(s.unacked) > 0 {
			s.rtoAt = now.Add(s.rtoLocked())
		}
		s.notifyLocked()
	}
	if s.selective && m.selective {
		s.onSackLocked(f.Type == TypeNak, next, m, now)
	} else if f.Type == TypeNak {
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
					s.rtoAt = time.Now().Add(s.rtoLocked())
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

// nextLocked runs the retransmission timer and picks the next frame to
// write: an ACK or NAK first, then frames to resend, then new ones. With
// nothing to write, wait is how long until a timer is due (0: none).
func (s *session) nextLocked(now time.Time) (f Frame, data bool, wait time.Duration) {
	if s.closed || s.failed != nil || !s.open {
		return Frame{}, false, 0
	}
	if !s.rtoAt.IsZero() && !now.Before(s.rtoAt) && !s.timeoutLocked(now) {
		return Frame{}, false, 0
	}
	if !s.repeatAt.IsZero() && !now.Before(s.repeatAt) {
		s.repeatAt = time.Time{}
		if s.repeatWait < s.cfg.ackTimeout { // then the poll's turn
			s.repeatWait *= 2
			s.repeatAt = now.Add(s.repeatWait)
		}
		if s.ctrl == 0 {
			s.ctrl = TypeAck
		}
	}
	if s.ctrl != 0 {
		return s.ctrlLocked(now), false, 0
	}
	if s.selective {
		for i := range s.unacked {
			if s.unacked[i].resend {
				if i == 0 && s.unacked[0].sends >= maxSends*s.cfg.maxRetries {
					s.failLocked(&LinkError{Failures: s.unacked[0].sends})
					return Frame{}, false, 0
				}
				return s.transmitLocked(i, now), true, 0
			}
		}
		s.txSend = s.txHigh
	}
	if seqBefore(s.txSend, s.txNext) {
		if s.txHigh == s.txBase {
			s.progressAt = now // nothing was outstanding: the clock starts
		}
		return s.transmitLocked(int(s.txSend-s.txBase), now), true, 0
	}
	for _, at := range []time.Time{s.rtoAt, s.repeatAt} {
		if !at.IsZero() && (wait == 0 || at.Sub(now) < wait) {
			wait = max(at.Sub(now), time.Microsecond)
		}
	}
	return Frame{}, false, wait
}

// maxSends × maxRetries is how many times a 1.2 sender sends its oldest
// frame before it gives the link up: on a noisy line that damages most
// frames, only consecutive timeouts mean a dead one.
const maxSends = 4

// ctrlLocked makes the pending ACK or NAK, granting the room we have.
func (s *session) ctrlLocked(now time.Time) Frame {
	typ := s.ctrl
	s.ctrl = 0
	free := s.cfg.rxWindow - len(s.rxQueue)
	if s.selective && s.rxLimit == s.rxNext && free > 0 {
		s.repeatWait = s.rto
		s.repeatAt = now.Add(s.repeatWait)
	}
	s.rxLimit = s.rxNext + uint32(free)
	seq := s.rxNext - 1
	if typ == TypeNak {
		seq = s.rxNext
		s.stats.NAKsSent++
	}
	m := ackMsg{window: uint16(free), txHigh: s.txHigh}
	if s.selective {
		m.selective, m.sack, m.heard, m.heardOK = true, s.sackLocked(), s.heard, s.heardOK
	}
	s.ctrlBuf = m.marshal(s.ctrlBuf[:0])
	return Frame{Version: ProtocolMajor, Type: typ, Seq: seq, Payload: s.ctrlBuf}
}

// transmitLocked makes the frame unacked[i] to send, now.
func (s *session) transmitLocked(i int, now time.Time) Frame {
	tf := &s.unacked[i]
	seq := s.txBase + uint32(i)
	s.txSerial++
	tf.sends++
	tf.lastTx, tf.sentAt, tf.resend = s.txSerial, now, false
	s.txSentAt[uint8(s.txSerial)] = now
	f := Frame{Version: ProtocolMajor, Type: tf.typ, Seq: seq, Payload: tf.payload}
	if s.selective {
		f.Tx = uint8(s.txSerial)
	}
	if tf.sends > 1 {
		f.Flags = FlagRetransmit
		s.stats.Retransmitted++
	} else {
		s.stats.FramesSent++
	}
	if seq == s.txSend {
		s.txSend++
	}
	if seqBefore(s.txHigh, seq+1) {
		s.txHigh = seq + 1
	}
	return f
}

// seqBefore reports whether sequence number a comes before b, in serial
// arithmetic so that the numbers may wrap.
func seqBefore(a, b uint32) bool { return int32(a-b) < 0 }
