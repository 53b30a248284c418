package mailer

import (
	"bufio"
	"net"
	"sync"
)

// writeBufferSize is how much bufferedConn gathers into one write.
const writeBufferSize = 64 << 10

// bufferedConn gathers writes into large ones. go-smtp writes the message
// through a 4 KiB buffer, so that under TLS every 4 KiB would be a system
// call of its own, and a wake-up of the server's reader. What is written
// goes out before the next read, since SMTP waits for the answer to what
// was sent, and at Close.
type bufferedConn struct {
	net.Conn

	mu sync.Mutex // crypto/tls may write while it reads
	w  *bufio.Writer
}

func newBufferedConn(c net.Conn) *bufferedConn {
	return &bufferedConn{Conn: c, w: bufio.NewWriterSize(c, writeBufferSize)}
}

func (c *bufferedConn) Write(p []byte) (int, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.w.Write(p)
}

func (c *bufferedConn) Read(p []byte) (int, error) {
	if err := c.flush(); err != nil {
		return 0, err
	}
	return c.Conn.Read(p)
}

func (c *bufferedConn) Close() error {
	c.flush() // e.g. TLS's close_notify; the connection ends anyway
	return c.Conn.Close()
}

func (c *bufferedConn) flush() error {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.w.Flush()
}
