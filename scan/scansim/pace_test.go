package scansim

import (
	"bytes"
	"testing"
	"time"

	"github.com/jonboulle/clockwork"
)

// writerClock is a fake clock on which only the paced writes' sleeps take
// time: a writer infinitely fast but for the line. It counts the sleeps.
type writerClock struct {
	*clockwork.FakeClock
	sleeps int
}

func (c *writerClock) Sleep(d time.Duration) {
	c.sleeps++
	c.Advance(d)
}

// TestPaceLineTime checks the pacing's arithmetic on a fake clock: the
// writes sleep the bytes' line time at 10 bits a byte, exactly (a
// nanosecond's fractions carried), less the millisecond an idle line
// lets out at once, and less what is still owed, which is under a
// millisecond; small writes sleep only once their time adds up to one.
func TestPaceLineTime(t *testing.T) {
	tests := []struct {
		name         string
		baud         int
		writes, size int
		line         time.Duration // of all the bytes
		minSleeps    int
		maxSleeps    int
	}{
		{"3 Mbaud, one 8 KiB frame", 3_000_000, 1, 8192, 27_306_666 * time.Nanosecond, 1, 1},
		{"3 Mbaud, 30000 writes of 10 bytes", 3_000_000, 30000, 10, time.Second, 998, 999},
		{"9600 baud, byte by byte", 9600, 9600, 1, 10 * time.Second, 9000, 9999},
		{"115200 baud, 3 bytes a write", 115200, 38400, 3, 10 * time.Second, 9000, 9999},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			clock := &writerClock{FakeClock: clockwork.NewFakeClock()}
			start := clock.Now()
			var out bytes.Buffer
			c := pace(&out, tt.baud, clock)
			var want bytes.Buffer
			for i := range tt.writes {
				p := bytes.Repeat([]byte{byte(i)}, tt.size)
				want.Write(p)
				if n, err := c.Write(p); n != len(p) || err != nil {
					t.Fatalf("write %d: %d, %v", i, n, err)
				}
			}
			if !bytes.Equal(out.Bytes(), want.Bytes()) {
				t.Fatal("the bytes written differ from the bytes given")
			}
			// Only sleeps moved the clock: the line is free at start,
			// less the idle line's millisecond, plus the line time,
			// to the nanosecond.
			if got, want := c.free.Sub(start), tt.line-minPaceSleep; got != want {
				t.Errorf("line free after %v, want %v", got, want)
			}
			slept := clock.Since(start)
			if c.Slept() != slept {
				t.Errorf("Slept %v, the clock moved %v", c.Slept(), slept)
			}
			if owed := c.free.Sub(clock.Now()); owed < 0 || owed >= minPaceSleep {
				t.Errorf("%v owed at the end, want [0, %v)", owed, minPaceSleep)
			}
			if clock.sleeps < tt.minSleeps || clock.sleeps > tt.maxSleeps {
				t.Errorf("%d sleeps, want %d to %d", clock.sleeps, tt.minSleeps, tt.maxSleeps)
			}
		})
	}
}

// TestPaceIdleLine checks that an idle line does not bank its idle time:
// a write after a pause sleeps its own line time (less the millisecond's
// credit), not nothing.
func TestPaceIdleLine(t *testing.T) {
	clock := &writerClock{FakeClock: clockwork.NewFakeClock()}
	c := pace(&sink{}, 1_000_000, clock)
	c.Write(make([]byte, 1000)) // 10 ms
	clock.FakeClock.Advance(time.Hour)
	before := c.Slept()
	c.Write(make([]byte, 1000))
	if got, want := c.Slept()-before, 10*time.Millisecond-minPaceSleep; got != want {
		t.Errorf("a write after an idle hour slept %v, want %v", got, want)
	}
}

// TestPaceUnpaced checks that a baud of 0 writes at once.
func TestPaceUnpaced(t *testing.T) {
	clock := &writerClock{FakeClock: clockwork.NewFakeClock()}
	var s sink
	c := pace(&s, 0, clock)
	c.Write(make([]byte, 1<<20))
	if clock.sleeps != 0 || s.Len() != 1<<20 {
		t.Errorf("%d sleeps, %d bytes written", clock.sleeps, s.Len())
	}
}
