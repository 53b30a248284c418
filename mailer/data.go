package mailer

import (
	"bufio"
	"fmt"
	"io"
	"net"
	"time"
)

// dataBufferSize gathers the message's small writes (headers, MIME
// boundaries, dot-stuffing) into full TLS records.
const dataBufferSize = 64 << 10

// sendData sends the message with DATA (RFC 5321 4.1.1.4) on conn, the
// session inside TLS, after go-smtp's Client has had the recipients
// accepted; it returns the message's length. It does what go-smtp's
// Client.Data would, with the same errors for the server's answers, but
// dot-stuffs with dotWriter instead of net/textproto's DotWriter (see
// there).
//
// The 354 and the final reply are each read within timeout, and every
// write has timeout of its own (timeoutConn, below TLS). A message that
// cannot be read whole is never ended with the final dot, which would
// deliver it cut short: sendData returns at once, and the caller drops
// the connection, which makes the server throw away what it got.
func sendData(conn net.Conn, timeout time.Duration, msg *composed) (int64, error) {
	l := newLockstep(conn, timeout)
	if _, err := l.cmd(354, "DATA"); err != nil {
		return 0, err
	}
	bw := bufio.NewWriterSize(conn, dataBufferSize)
	dw := newDotWriter(bw)
	ew := &errWriter{w: dw}
	n, err := msg.WriteTo(ew)
	if err != nil {
		if ew.err == nil {
			err = fmt.Errorf("%w: %w", errReadMessage, err)
		}
		return n, err
	}
	if err := dw.Close(); err != nil {
		return n, err
	}
	if err := bw.Flush(); err != nil {
		return n, err
	}
	_, err = l.reply(250)
	return n, err
}

// errWriter remembers whether writing failed, to tell a broken connection
// from an unreadable attachment.
type errWriter struct {
	w   io.Writer
	err error
}

func (w *errWriter) Write(p []byte) (int, error) {
	n, err := w.w.Write(p)
	if err != nil && w.err == nil {
		w.err = err
	}
	return n, err
}
