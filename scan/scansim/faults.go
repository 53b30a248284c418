package scansim

import (
	"io"
	"math"
	"math/rand/v2"
	"sync"
	"time"
)

// Faults describes a bad line. The link writes each frame with one Write,
// so the per-Write rates are per frame. The same Seed and the same
// sequence of calls give the same faults.
type Faults struct {
	BitErrorRate float64 // probability that a bit written is flipped
	DropRate     float64 // probability that a Write is lost whole
	DupRate      float64 // probability that a Write goes out twice
	TruncateRate float64 // probability that only a random part of a Write goes out
	// ByteDropRate and ByteDupRate are the probabilities that a single
	// byte written is lost or arrives twice, as on a line that slips a
	// character: the frames around it shift.
	ByteDropRate, ByteDupRate float64
	StallRate                 float64 // probability that a Write waits Stall first
	Stall                     time.Duration
	// Incoming also damages what is read: bit errors at BitErrorRate, and
	// whole reads lost at DropRate.
	Incoming bool
	Seed     int64
}

// FaultCounts is what a FaultyConn did.
type FaultCounts struct {
	BitFlips, Drops, Dups, Truncations, Stalls int64
	ByteDrops, ByteDups                        int64
}

// Wrap puts the faults on rw's writes (and reads, with Incoming).
func (f Faults) Wrap(rw io.ReadWriter) *FaultyConn {
	return &FaultyConn{
		rw: rw,
		f:  f,
		w:  newFaultRand(f.Seed, 1, f.BitErrorRate),
		r:  newFaultRand(f.Seed, 2, f.BitErrorRate),
	}
}

// FaultyConn is a byte stream with Faults. Its Write reports success for
// what the line lost: the writer cannot know.
type FaultyConn struct {
	rw io.ReadWriter
	f  Faults

	wmu sync.Mutex // one Write at a time, so faults follow the call order
	w   *faultRand
	r   *faultRand // used by Read only

	mu     sync.Mutex
	counts FaultCounts
}

// Counts reports the faults so far.
func (c *FaultyConn) Counts() FaultCounts {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.counts
}

func (c *FaultyConn) count(f func(*FaultCounts)) {
	c.mu.Lock()
	f(&c.counts)
	c.mu.Unlock()
}

func (c *FaultyConn) Write(p []byte) (int, error) {
	c.wmu.Lock()
	defer c.wmu.Unlock()
	if c.w.hit(c.f.StallRate) {
		c.count(func(fc *FaultCounts) { fc.Stalls++ })
		time.Sleep(c.f.Stall)
	}
	if c.w.hit(c.f.DropRate) {
		c.count(func(fc *FaultCounts) { fc.Drops++ })
		return len(p), nil
	}
	out := p
	if len(out) > 0 && c.w.hit(c.f.TruncateRate) {
		c.count(func(fc *FaultCounts) { fc.Truncations++ })
		out = out[:c.w.rng.IntN(len(out))]
	}
	if c.f.ByteDropRate > 0 || c.f.ByteDupRate > 0 {
		var drops, dups int64
		out, drops, dups = c.w.slip(out, c.f.ByteDropRate, c.f.ByteDupRate)
		c.count(func(fc *FaultCounts) { fc.ByteDrops += drops; fc.ByteDups += dups })
	}
	times := 1
	if c.w.hit(c.f.DupRate) {
		c.count(func(fc *FaultCounts) { fc.Dups++ })
		times = 2
	}
	for range times {
		buf, flips := c.w.flip(out, false)
		if flips > 0 {
			c.count(func(fc *FaultCounts) { fc.BitFlips += int64(flips) })
		}
		if _, err := c.rw.Write(buf); err != nil {
			return 0, err
		}
	}
	return len(p), nil
}

func (c *FaultyConn) Read(p []byte) (int, error) {
	n, err := c.rw.Read(p)
	if !c.f.Incoming || n == 0 {
		return n, err
	}
	if c.r.hit(c.f.DropRate) {
		c.count(func(fc *FaultCounts) { fc.Drops++ })
		return 0, err
	}
	if _, flips := c.r.flip(p[:n], true); flips > 0 {
		c.count(func(fc *FaultCounts) { fc.BitFlips += int64(flips) })
	}
	return n, err
}

// faultRand draws the faults of one direction.
type faultRand struct {
	rng *rand.Rand
	ber float64
	gap int64 // bits until the next flip; -1: never
}

func newFaultRand(seed int64, stream uint64, ber float64) *faultRand {
	fr := &faultRand{rng: rand.New(rand.NewPCG(uint64(seed), stream)), ber: ber}
	fr.gap = fr.nextGap()
	return fr
}

func (fr *faultRand) hit(rate float64) bool {
	return rate > 0 && fr.rng.Float64() < rate
}

// nextGap draws the number of good bits before the next bad one:
// geometric, so that the cost does not depend on how many bits pass.
func (fr *faultRand) nextGap() int64 {
	if fr.ber <= 0 {
		return -1
	}
	if fr.ber >= 1 {
		return 0
	}
	u := 1 - fr.rng.Float64() // (0, 1]
	return int64(math.Floor(math.Log(u) / math.Log1p(-fr.ber)))
}

// slip returns b with single bytes lost or doubled at the given rates.
func (fr *faultRand) slip(b []byte, drop, dup float64) (out []byte, drops, dups int64) {
	out = make([]byte, 0, len(b)+8)
	for _, c := range b {
		switch u := fr.rng.Float64(); {
		case u < drop:
			drops++
		case u < drop+dup:
			out = append(out, c, c)
			dups++
		default:
			out = append(out, c)
		}
	}
	return out, drops, dups
}

// flip flips the bits due in b, in place or in a copy.
func (fr *faultRand) flip(b []byte, inPlace bool) ([]byte, int) {
	if fr.gap < 0 {
		return b, 0
	}
	bits := int64(len(b)) * 8
	if fr.gap >= bits {
		fr.gap -= bits
		return b, 0
	}
	if !inPlace {
		b = append([]byte(nil), b...)
	}
	flips := 0
	pos := fr.gap
	for pos < bits {
		b[pos/8] ^= 0x80 >> (pos % 8)
		flips++
		pos += 1 + fr.nextGap()
	}
	fr.gap = pos - bits
	return b, flips
}
