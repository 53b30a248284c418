package scansim

import (
	"io"
	"sync"
	"time"

	"github.com/jonboulle/clockwork"
)

// BitsPerByte is what a byte takes on a UART set to 8N1: a start bit,
// eight data bits and a stop bit.
const BitsPerByte = 10

// minPaceSleep is the least a write sleeps: shorter sleeps overshoot by
// more than they last, so the line time of small writes is owed until it
// adds up. It is also the most an idle line lets a later write catch up
// on, which is what makes up for a sleep that overshot.
const minPaceSleep = time.Millisecond

// Pace makes rw's writes take the time their bytes take on a UART at baud
// (8N1), as a pty or a pipe, which have no speed, does not. Reads are rw's.
// A baud of 0 or less leaves rw unpaced.
func Pace(rw io.ReadWriter, baud int) *PacedConn {
	return pace(rw, baud, clockwork.NewRealClock())
}

func pace(rw io.ReadWriter, baud int, clock clockwork.Clock) *PacedConn {
	return &PacedConn{rw: rw, baud: int64(baud), clock: clock}
}

// PacedConn is a byte stream whose writes go at a baud rate.
//
// It keeps the time at which the line will have sent everything written
// so far. A write moves that time on by the bytes' line time and sleeps
// until it, then writes them, so that the reader sees them when a UART
// would have delivered them; a write due in less than minPaceSleep does
// not sleep but leaves its time owed to the next one.
type PacedConn struct {
	rw    io.ReadWriter
	baud  int64
	clock clockwork.Clock

	mu    sync.Mutex // one write at a time, in order
	free  time.Time  // when the line has sent what was written
	rem   int64      // nanoseconds times baud not yet in free
	slept time.Duration
}

func (c *PacedConn) Read(p []byte) (int, error) { return c.rw.Read(p) }

func (c *PacedConn) Write(p []byte) (int, error) {
	if c.baud <= 0 {
		return c.rw.Write(p)
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	now := c.clock.Now()
	if earliest := now.Add(-minPaceSleep); c.free.Before(earliest) {
		// The line was idle: it sends from now, with no more credit than
		// a sleep's overshoot.
		c.free, c.rem = earliest, 0
	}
	c.free = c.free.Add(c.lineTime(len(p)))
	if wait := c.free.Sub(now); wait >= minPaceSleep {
		c.clock.Sleep(wait)
		c.slept += wait
	}
	return c.rw.Write(p)
}

// lineTime is the time n bytes take on the line, carrying the fraction of
// a nanosecond to the next write so that no rounding adds up.
func (c *PacedConn) lineTime(n int) time.Duration {
	ns := int64(n)*BitsPerByte*int64(time.Second) + c.rem
	c.rem = ns % c.baud
	return time.Duration(ns / c.baud)
}

// Slept is how long the writes have slept so far.
func (c *PacedConn) Slept() time.Duration {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.slept
}
