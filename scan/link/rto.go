package link

import "time"

// The retransmission timer of a 1.2 sender, measured from round trips as
// in TCP (RFC 6298, Karn's rule).

// karnLocked measures a round trip on a frame an ACK without the heard
// field has just acknowledged, if it was sent once (Karn: the ACK of a
// resent frame may be the first copy's).
func (s *session) karnLocked(tf txFrame, now time.Time) {
	if tf.sends == 1 {
		s.sampleLocked(now.Sub(tf.sentAt))
	}
}

// sampleLocked takes a round trip and sets the retransmission timeout
// from the smoothed round trip and its variation (RFC 6298).
func (s *session) sampleLocked(r time.Duration) {
	if s.srtt == 0 {
		s.srtt, s.rttvar = r, r/2
	} else {
		d := s.srtt - r
		if d < 0 {
			d = -d
		}
		s.rttvar = (3*s.rttvar + d) / 4
		s.srtt = (7*s.srtt + r) / 8
	}
	s.rto = s.rtoFromRTT()
}

func (s *session) rtoFromRTT() time.Duration {
	return min(max(s.srtt+4*s.rttvar, s.minRTO()), s.cfg.ackTimeout)
}

// minRTO keeps a tiny round trip (a pipe) from making the timer fire at
// every scheduling hiccup.
func (s *session) minRTO() time.Duration {
	return max(s.cfg.ackTimeout/400, 500*time.Microsecond)
}

// rtoLocked is how long after a transmission the sender waits for an ACK.
func (s *session) rtoLocked() time.Duration {
	if s.selective || s.peerSelective {
		return s.rto
	}
	return s.cfg.ackTimeout
}

// timeoutLocked handles the retransmission timer's expiry. It returns
// false if the link has failed.
func (s *session) timeoutLocked(now time.Time) bool {
	s.rtoAt = time.Time{}
	s.retries++
	s.stats.Timeouts++
	if s.selective || s.peerSelective {
		// A measured timeout: back off (Karn) until a new round trip is
		// measured, and fail only after as long without a sign of life
		// as 1.1 would.
		s.rto = min(2*s.rto, s.cfg.ackTimeout)
		if s.retries >= s.cfg.maxRetries && now.Sub(s.progressAt) >= time.Duration(s.cfg.maxRetries)*s.cfg.ackTimeout {
			s.failLocked(&LinkError{Failures: s.retries})
			return false
		}
	} else if s.retries >= s.cfg.maxRetries {
		s.failLocked(&LinkError{Failures: s.retries})
		return false
	}
	if s.selective {
		for i := range s.unacked {
			if tf := &s.unacked[i]; tf.sends > 0 && !tf.sacked {
				tf.resend = true
			}
		}
	} else {
		s.txSend = s.txBase
	}
	s.cfg.log.Debug("scanner link: ACK timeout, resending", "seq", s.txBase, "try", s.retries)
	return true
}
