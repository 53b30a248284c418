package mailer

import (
	"context"
	"crypto/tls"
	"errors"
	"io"
	"net"
	"strings"
	"time"

	"github.com/emersion/go-smtp"
)

// errAfterStartTLS means the server sent more than its answer to STARTTLS
// in the clear: bytes someone on the path may have put there to be taken
// for the first ones inside TLS (CVE-2011-0411's kind of injection).
var errAfterStartTLS = errors.New("smtp: the server sent more than its answer to STARTTLS")

// startTLS says the session's part in the clear (RFC 3207): it reads the
// greeting, says EHLO and STARTTLS, and returns when the server is ready
// for the TLS handshake. It fails with ErrNoStartTLS if the server does
// not offer STARTTLS. Nothing else is ever said in the clear.
//
// Send says this itself rather than through go-smtp's NewClientStartTLS,
// which keeps the TLS connection to itself, so as to hold the connection
// that go-smtp's Client then talks over and write the message on it
// directly (see sendData).
func startTLS(conn net.Conn, localName string, timeout time.Duration) error {
	l := newLockstep(conn, timeout)
	if _, err := l.reply(220); err != nil {
		return err
	}
	_, err := requestTLS(l, localName)
	return err
}

// requestTLS is startTLS after the greeting: EHLO and STARTTLS. It returns
// the server's answer to STARTTLS.
func requestTLS(l *lockstep, localName string) (string, error) {
	ext, err := l.cmd(250, "EHLO "+localName)
	if err != nil {
		var se *smtp.SMTPError
		if errors.As(err, &se) && (se.Code == 500 || se.Code == 502) {
			return "", ErrNoStartTLS // a server that knows no EHLO has no extensions
		}
		return "", err
	}
	if !hasExtension(ext, "STARTTLS") {
		return "", ErrNoStartTLS
	}
	ready, err := l.cmd(220, "STARTTLS")
	if err != nil {
		return "", err
	}
	if l.buf.Buffered() > 0 {
		return "", errAfterStartTLS
	}
	return ready, nil
}

// hasExtension reports whether the text of a reply to EHLO lists ext: its
// first line is the server's name, each other line an extension and its
// parameters.
func hasExtension(ehlo, ext string) bool {
	lines := strings.Split(ehlo, "\n")
	for _, line := range lines[1:] {
		keyword, _, _ := strings.Cut(line, " ")
		if strings.EqualFold(keyword, ext) {
			return true
		}
	}
	return false
}

// handshake runs the TLS handshake within the timeout: a certificate the
// device does not accept fails here, before anything is sent inside.
func handshake(ctx context.Context, c *tls.Conn, timeout time.Duration) error {
	c.SetDeadline(time.Now().Add(timeout))
	defer c.SetDeadline(time.Time{})
	return c.HandshakeContext(ctx)
}

// resumedConn is the connection inside TLS as go-smtp's Client wants one:
// a Client begins by reading the server's greeting, but after STARTTLS
// there is none (the client speaks first, with EHLO), so it is given one to
// read. The server's real greeting was read, and kept in the transcript,
// in the clear; this one is seen by no one else, and go-smtp ignores its
// text.
type resumedConn struct {
	net.Conn
	r io.Reader
}

const resumedGreeting = "220 resumed inside TLS\r\n"

func resume(c net.Conn) *resumedConn {
	return &resumedConn{Conn: c, r: io.MultiReader(strings.NewReader(resumedGreeting), c)}
}

func (c *resumedConn) Read(p []byte) (int, error) { return c.r.Read(p) }
