package mailer

import (
	"bufio"
	"bytes"
	"fmt"
	"io"
	"net"
	"net/textproto"
	"strconv"
	"strings"
	"time"

	"github.com/emersion/go-smtp"
)

// maxReplyLine bounds a line of the server's, as go-smtp's Client does:
// twice RFC 5321's 1000 octets.
const maxReplyLine = 2000

// lockstep is the part of an SMTP session that Send says itself rather than
// through go-smtp's Client: the exchange in the clear up to STARTTLS, and
// the DATA command. Each command waits for its whole reply before the next
// is sent, and the server, without PIPELINING, sends nothing else: so no
// byte of a reply is ever left in a reader's buffer, neither in this one
// when go-smtp's Client takes over nor in go-smtp's when this one does.
type lockstep struct {
	conn    net.Conn
	buf     *bufio.Reader
	r       *textproto.Reader
	timeout time.Duration
}

func newLockstep(conn net.Conn, timeout time.Duration) *lockstep {
	buf := bufio.NewReader(&lineLimitReader{r: conn})
	return &lockstep{conn: conn, buf: buf, r: textproto.NewReader(buf), timeout: timeout}
}

// cmd sends a command line and reads its reply, within the timeout.
func (l *lockstep) cmd(expectCode int, line string) (string, error) {
	if strings.ContainsAny(line, "\r\n") {
		return "", fmt.Errorf("smtp: a line must not contain CR or LF: %q", line)
	}
	l.conn.SetDeadline(time.Now().Add(l.timeout))
	defer l.conn.SetDeadline(time.Time{})
	if _, err := io.WriteString(l.conn, line+"\r\n"); err != nil {
		return "", err
	}
	return l.readReply(expectCode)
}

// reply reads a reply the server sends unasked (the greeting) or at the
// end of the message, within the timeout.
func (l *lockstep) reply(expectCode int) (string, error) {
	l.conn.SetDeadline(time.Now().Add(l.timeout))
	defer l.conn.SetDeadline(time.Time{})
	return l.readReply(expectCode)
}

// readReply reads one reply: its text, or its code and text as an
// *smtp.SMTPError if the code is not expectCode (a single digit expects
// only the class, as in textproto.Reader.ReadResponse).
func (l *lockstep) readReply(expectCode int) (string, error) {
	_, msg, err := l.r.ReadResponse(expectCode)
	if te, ok := err.(*textproto.Error); ok {
		return "", smtpError(te)
	}
	return msg, err
}

// smtpError is the *smtp.SMTPError that go-smtp's Client makes of a reply,
// with the enhanced status code parsed out of the text (RFC 2034), so that
// the error catalogue sees the same from either.
func smtpError(te *textproto.Error) *smtp.SMTPError {
	se := &smtp.SMTPError{Code: te.Code, Message: te.Msg}
	first, msg, ok := strings.Cut(te.Msg, " ")
	if !ok {
		return se
	}
	parts := strings.Split(first, ".")
	if len(parts) != 3 {
		return se
	}
	var enh smtp.EnhancedCode
	for i, p := range parts {
		n, err := strconv.Atoi(p)
		if err != nil {
			return se
		}
		enh[i] = n
	}
	// Every line of the reply repeats the code.
	se.EnhancedCode = enh
	se.Message = strings.ReplaceAll(msg, "\n"+first+" ", "\n")
	return se
}

// lineLimitReader fails with smtp.ErrTooLongLine when a line of the
// server's is longer than maxReplyLine, as go-smtp's Client does, rather
// than buffer whatever a hostile server sends.
type lineLimitReader struct {
	r       io.Reader
	lineLen int
}

func (r *lineLimitReader) Read(p []byte) (int, error) {
	if r.lineLen > maxReplyLine {
		return 0, smtp.ErrTooLongLine
	}
	n, err := r.r.Read(p)
	if i := bytes.LastIndexByte(p[:n], '\n'); i >= 0 {
		r.lineLen = n - i - 1
	} else {
		r.lineLen += n
	}
	return n, err
}
