package smtptest

import (
	"crypto/tls"
	"fmt"
	"io"
	"net"
	"strconv"

	"github.com/emersion/go-smtp"
)

// Scripted faults: FailNext, DropNext and StallNext queue up per step, in
// the order they are called, and each is used up by one occurrence of its
// step, whichever connection it comes on. The steps are "connect" (the
// greeting), "auth", "mail", "rcpt" and "data".

// dropAfter is how much of a message DropNext("data") lets arrive before it
// hangs up.
const dropAfter = 1 << 10

type faultKind int

const (
	faultAnswer faultKind = iota // answer with fault.answer; nil lets the step through
	faultDrop
	faultStall
)

type fault struct {
	kind   faultKind
	answer *smtp.SMTPError
}

// FailNext makes the next occurrence of step fail with err. A nil err lets
// one occurrence through, so that for example the second recipient fails.
// A scripted "auth" failure skips Authenticate, and a scripted "data"
// failure is answered after the whole message, as real servers do. At
// "connect" err replaces the greeting and the server hangs up, as Exchange
// Online does with 421 4.3.2 when a mailbox has too many connections.
func (s *Server) FailNext(step string, err *smtp.SMTPError) {
	s.script(step, fault{kind: faultAnswer, answer: err})
}

// DropNext makes the server hang up at the next occurrence of step instead
// of answering, as a lost connection would: at "connect" before its
// greeting; at "data" in the middle of the message, once its first KiB
// (or all of a shorter one) has arrived. The server keeps nothing of it.
func (s *Server) DropNext(step string) {
	s.script(step, fault{kind: faultDrop})
}

// StallNext makes the server go silent at the next occurrence of step: it
// takes what the client sends (at "data", the whole message, which it does
// not keep) and never answers, until Close. The client needs a timeout of
// its own to get away; its next connection is served as usual.
func (s *Server) StallNext(step string) {
	s.script(step, fault{kind: faultStall})
}

func (s *Server) script(step string, f fault) {
	switch step {
	case "connect", "auth", "mail", "rcpt", "data":
	default:
		panic("smtptest: unknown step " + strconv.Quote(step))
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	s.faults[step] = append(s.faults[step], f)
}

// next pops the fault queued for step; the zero fault lets it through.
func (s *Server) next(step string) fault {
	s.mu.Lock()
	defer s.mu.Unlock()
	q := s.faults[step]
	if len(q) == 0 {
		return fault{}
	}
	s.faults[step] = q[1:]
	return q[0]
}

// fault plays what is scripted for step: it returns the scripted answer,
// or nil, or it hangs up or stalls. At "data", r is the message.
func (ss *session) fault(step string, r io.Reader) error {
	f := ss.s.next(step)
	switch f.kind {
	case faultDrop:
		if r != nil {
			io.CopyN(io.Discard, r, dropAfter)
		}
		hangUp(ss.conn.Conn())
		return errLocal // written to nobody
	case faultStall:
		if r != nil {
			io.Copy(io.Discard, r)
		}
		<-ss.s.closing
		return errLocal
	}
	if f.answer == nil {
		return nil // a nil *SMTPError must not become a non-nil error
	}
	return f.answer
}

// hangUp closes a connection, under TLS without a close_notify, the way a
// lost connection ends.
func hangUp(c net.Conn) {
	if tc, ok := c.(*tls.Conn); ok {
		c = tc.NetConn()
	}
	c.Close()
}

// greet plays the "connect" step on the connection's first write, which is
// go-smtp's greeting p.
func (c *trackedConn) greet(p []byte) (int, error) {
	f := c.s.next("connect")
	switch {
	case f.kind == faultDrop:
		c.Close()
		return 0, net.ErrClosed
	case f.kind == faultStall:
		<-c.s.closing
		return 0, net.ErrClosed
	case f.answer != nil:
		c.Conn.Write([]byte(reply(f.answer)))
		c.Close()
		return 0, net.ErrClosed
	}
	return c.Conn.Write(p)
}

// reply is an answer as it goes on the wire.
func reply(e *smtp.SMTPError) string {
	if c := e.EnhancedCode; c != smtp.EnhancedCodeNotSet && c != smtp.NoEnhancedCode {
		return fmt.Sprintf("%d %d.%d.%d %s\r\n", e.Code, c[0], c[1], c[2], e.Message)
	}
	return fmt.Sprintf("%d %s\r\n", e.Code, e.Message)
}
