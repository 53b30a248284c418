package link

import "time"

// Selective repeat (protocol 1.2, PROTOCOL.md "Selective repeat"): the
// receiver holds frames that came after a gap and says which in its
// acknowledgements; the sender resends only what was lost.

// speaksSelective says whether a session with a peer of version v has
// selective repeat: both ends speak 1.2 or later.
func (s *session) speaksSelective(v Version) bool {
	return v.Major == ProtocolMajor && v.Minor >= minorSelective &&
		s.cfg.version.Major == ProtocolMajor && s.cfg.version.Minor >= minorSelective
}

// holdLocked keeps frame rxNext+d, which came while frames before it are
// missing (1.2), if it is within the credit we gave and the SACK can tell.
// countNeedlessLocked counts a duplicate the peer sent as a
// retransmission.
func (s *session) countNeedlessLocked(f Frame) {
	if f.Flags&FlagRetransmit != 0 {
		s.stats.NeedlessResends++
	}
}

func (s *session) holdLocked(f Frame, d int) {
	if d > sackBits || !seqBefore(f.Seq, s.rxLimit) {
		return // it comes again once the peer learns we lack it
	}
	if s.rxHeld == nil {
		s.rxHeld = make([]Frame, sackBits)
	}
	if s.rxHeld[d-1].Type != 0 {
		s.stats.Duplicates++
		s.countNeedlessLocked(f)
		return
	}
	s.rxHeld[d-1] = f
}

// holdsLocked says whether any frame is held out of order.
func (s *session) holdsLocked() bool {
	for _, f := range s.rxHeld {
		if f.Type != 0 {
			return true
		}
	}
	return false
}

// sackLocked is the selective acknowledgement: bit i for frame
// rxNext+1+i held.
func (s *session) sackLocked() uint32 {
	var bits uint32
	for i, f := range s.rxHeld {
		if f.Type != 0 {
			bits |= 1 << i
		}
	}
	return bits
}

// onSackLocked takes a 1.2 ACK or NAK whose cumulative part is done: it
// marks the frames the peer holds, and for resending those whose last
// transmission it has proof were lost. The proof is the peer having heard
// a later transmission (the line keeps the order), which it names by its
// Tx, damaged or not; so a NAK repeated, or one that crossed a resend,
// never sends a frame twice.
func (s *session) onSackLocked(nak bool, next uint32, m ackMsg, now time.Time) {
	for i := range sackBits {
		if m.sack&(1<<i) == 0 {
			continue
		}
		if j := int(next + 1 + uint32(i) - s.txBase); j >= 0 && j < len(s.unacked) && !s.unacked[j].sacked {
			tf := &s.unacked[j]
			tf.sacked, tf.resend = true, false
			s.progressAt = now
		}
	}
	if m.heardOK {
		// The latest transmission whose Tx is heard: the peer heard it
		// within the last 256, as the window is far smaller.
		back := uint64(uint8(s.txSerial) - m.heard)
		if back < s.txSerial && s.txSerial-back > s.txProven {
			s.txProven = s.txSerial - back
			s.progressAt = now
			// The first report of a transmission times its round trip
			// exactly, resent frames too (the tx says which copy).
			s.sampleLocked(now.Sub(s.txSentAt[uint8(s.txProven)]))
		}
	}
	lost := false
	for i := range s.unacked {
		tf := &s.unacked[i]
		if tf.sends > 0 && !tf.sacked && !tf.resend && tf.lastTx <= s.txProven {
			tf.resend, lost = true, true
		}
	}
	if nak && len(s.unacked) > 0 && next == s.txBase {
		// A NAK for a frame overdue anyway (a poll, say): no need to
		// wait for the timer.
		if tf := &s.unacked[0]; tf.sends > 0 && !tf.sacked && !tf.resend && now.Sub(tf.sentAt) >= s.rto {
			tf.resend, lost = true, true
		}
	}
	if lost {
		s.kick()
	}
	if nak && (seqBefore(next, s.txBase) || !seqBefore(next, s.txNext)) {
		s.ackLocked() // nothing to resend: a heartbeat
	}
}
