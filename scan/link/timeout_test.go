package link_test

import (
	"fmt"
	"io"
	"net"
	"os"
	"testing"

	"scanmail/scan"
	"scanmail/scan/scansim"
)

// timeoutConn answers every other Read with a transport's read timeout, as
// scan/serial and scan/spilink do when the line is quiet.
type timeoutConn struct {
	net.Conn
	n int
}

func (c *timeoutConn) Read(p []byte) (int, error) {
	c.n++
	if c.n%2 == 1 {
		return 0, fmt.Errorf("serial read: %w", os.ErrDeadlineExceeded)
	}
	return c.Conn.Read(p)
}

// TestReadTimeoutIsSilence: a read timeout is a quiet line, not a broken
// one, on both ends.
func TestReadTimeoutIsSilence(t *testing.T) {
	t.Parallel()
	wrap := func(c net.Conn) io.ReadWriter { return &timeoutConn{Conn: c} }
	r := newRig(t, &scansim.Simulator{}, rigOptions{hostConn: wrap, engineConn: wrap})
	got, err := scanAll(t, r.host, scan.Options{Mode: scan.ModeBW1, DPI: 75, Pages: 2})
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != 2 {
		t.Fatalf("%d pages, want 2", len(got))
	}
}
