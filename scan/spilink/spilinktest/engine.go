// Package spilinktest is the scanner engine's end of scan/spilink's packet
// exchange, for tests: an SPI slave with a data-ready line, so that a
// spilink.Link can carry real scanner-link traffic with no hardware.
//
//	link.Serve ──── Engine.Stream()   the engine firmware's byte stream
//	                     │
//	                  Engine          packets, sequence numbers, data-ready
//	                     │
//	spilink.Link ── spi.Conn          the Engine, or spitest.Record{Port: engine}
//	             └─ Engine.Ready()    a gpiotest.Pin the Engine drives
//
// It follows the engine's rules in scan/spilink's package documentation and
// is written from that text alone: it does not import spilink, so that the
// two ends check each other. While it works it also checks the host's side
// of the rules it can see on the wires (Err).
package spilinktest

import (
	"bytes"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"os"
	"sync"

	"periph.io/x/conn/v3"
	"periph.io/x/conn/v3/gpio"
	"periph.io/x/conn/v3/gpio/gpiotest"
	"periph.io/x/conn/v3/physic"
	"periph.io/x/conn/v3/spi"
)

// The packet format, from scan/spilink's documentation.
const (
	headerSize = 6
	syncByte   = 0xA5
	fromHost   = 'H'
	fromEngine = 'E'
	version    = 1

	defaultPacketSize   = 4096
	minPacketSize       = 16
	maxPacketSize       = 65536
	defaultOutputBuffer = 64 << 10
)

var (
	_ spi.Conn       = (*Engine)(nil)
	_ spi.PortCloser = (*Engine)(nil)
)

// Idle is what MISO carries in a transfer that finds nothing armed.
type Idle int

const (
	// IdleLow is a line of 0x00 bytes.
	IdleLow Idle = iota
	// IdleHigh is a line of 0xFF bytes, as with a pull-up on MISO.
	IdleHigh
	// IdleStale is the engine's previous packet unchanged, left in its
	// transmit buffer.
	IdleStale
)

// Options configures an Engine. The zero value is usable.
type Options struct {
	// PacketSize is N, as in spilink.Options; zero means 4096.
	PacketSize int
	// ActiveLow makes data-ready active low, as spilink.Options.ActiveLow
	// expects.
	ActiveLow bool
	// InputBuffer is how many bytes of the host's stream may wait for
	// Stream().Read. The engine arms a transfer only with room for N−6
	// more, so this is its flow control towards the host. Zero, or less
	// than N−6, means N−6: one packet's payload.
	InputBuffer int
	// OutputBuffer is how many bytes Stream().Write queues before it
	// blocks; zero means 64 KiB.
	OutputBuffer int
	// FirstSeq is the seq of the engine's first packet, which may be any.
	FirstSeq byte
	// Idle is what MISO carries when nothing is armed.
	Idle Idle
	// Busy, when set, is asked before every transfer, numbered from 0:
	// true means the engine is still busy with earlier work and has
	// nothing armed for this one, as slow firmware may. Busy runs inside
	// Tx and must not call the Engine.
	Busy func(transfer int) bool
	// Damage, when set, sees every transfer's bytes on the wires: mosi as
	// the engine will take it, miso as the host will receive it. It may
	// change both, to play a noisy line. It runs inside Tx and must not
	// call the Engine.
	Damage func(transfer int, mosi, miso []byte)
}

// Stats counts what the Engine did.
type Stats struct {
	Transfers int   // every Tx
	Void      int   // transfers that found nothing armed
	Taken     int   // host packets whose payload the engine took
	Repeats   int   // valid host packets dropped as retransmissions
	Invalid   int   // host packets dropped for their header (after Damage)
	BytesIn   int64 // bytes of the host's stream taken
	BytesOut  int64 // bytes of the engine's stream sent
}

// Engine is the SPI slave's side of the wires: each Tx is one transfer the
// host clocks, answered as the engine's rules say. It is an spi.Conn, and
// an spi.PortCloser whose Connect returns the Engine itself, so it can sit
// behind spitest.Record. Its methods are safe for concurrent use.
//
// The armed packet takes the stream's queued bytes when its transfer
// starts, as firmware that refills its transmit buffer while chip select
// is idle would: a packet armed empty still carries what Stream().Write
// queued before the host clocked it.
type Engine struct {
	opts     Options
	payload  int // N−6
	ready    *gpiotest.Pin
	active   gpio.Level
	inactive gpio.Level

	mu   sync.Mutex
	cond *sync.Cond // signalled on every change of the fields below

	in  bytes.Buffer // the host's stream, not yet read
	out bytes.Buffer // the engine's stream, not yet sent

	armed    bool   // a transmit and a receive buffer are armed
	started  bool   // the first, empty, packet has been delivered
	seq      byte   // seq of the next packet delivered
	tx       []byte // the packet being sent
	prev     []byte // the last packet delivered, for IdleStale
	mosi     []byte // what the engine receives, after Damage
	lastHost int    // seq of the last valid host packet taken or dropped; −1 for none
	asserted bool   // data-ready is asserted
	missed   bool   // a transfer found nothing armed since data-ready was last asserted

	hostPrev  []byte // the host's previous packet as sent, for Err
	connected bool
	closed    bool
	stats     Stats
	err       error
}

// New returns an engine that has just started: its first packet armed,
// data-ready released. It panics on a packet size out of spilink's range,
// 16 … 65536.
func New(opts Options) *Engine {
	if opts.PacketSize == 0 {
		opts.PacketSize = defaultPacketSize
	}
	if opts.PacketSize < minPacketSize || opts.PacketSize > maxPacketSize {
		panic(fmt.Sprintf("spilinktest: packet size %d out of range %d … %d", opts.PacketSize, minPacketSize, maxPacketSize))
	}
	payload := opts.PacketSize - headerSize
	opts.InputBuffer = max(opts.InputBuffer, payload)
	if opts.OutputBuffer <= 0 {
		opts.OutputBuffer = defaultOutputBuffer
	}
	active, inactive := gpio.High, gpio.Low
	if opts.ActiveLow {
		active, inactive = gpio.Low, gpio.High
	}
	e := &Engine{
		opts:     opts,
		payload:  payload,
		active:   active,
		inactive: inactive,
		// One pending edge, as a GPIO driver latches one.
		ready:    &gpiotest.Pin{N: "DATA_READY", Num: -1, L: inactive, EdgesChan: make(chan gpio.Level, 1)},
		seq:      opts.FirstSeq,
		tx:       make([]byte, opts.PacketSize),
		prev:     make([]byte, opts.PacketSize),
		mosi:     make([]byte, opts.PacketSize),
		lastHost: -1,
		armed:    true,
	}
	e.cond = sync.NewCond(&e.mu)
	return e
}

// Ready is the data-ready line the engine drives: hand it to the host as
// its gpio.PinIn. The engine sets its level and sends an edge on
// EdgesChan when it asserts the line.
func (e *Engine) Ready() *gpiotest.Pin { return e.ready }

// Stream is the engine firmware's byte stream, for link.Serve: Read returns
// the host's bytes in order, waiting for some; Write queues bytes for the
// engine's next packets, waiting while OutputBuffer bytes are queued. Both
// return an error wrapping os.ErrClosed once the Engine is closed.
func (e *Engine) Stream() io.ReadWriter { return stream{e} }

// Stats counts what the engine did so far.
func (e *Engine) Stats() Stats {
	e.mu.Lock()
	defer e.mu.Unlock()
	return e.stats
}

// Err reports the first breach of the host's rules the engine saw on the
// wires, or nil: a transfer not of N bytes both ways, a MOSI packet that is
// not a host packet or has non-zero padding, a repeated seq whose packet
// differs from the one it repeats, or a seq that skips. A packet 0 without
// payload is always allowed, as a new Link starts with one.
func (e *Engine) Err() error {
	e.mu.Lock()
	defer e.mu.Unlock()
	return e.err
}

// Close stops the engine: the stream's blocked calls return, data-ready is
// released, and later transfers fail.
func (e *Engine) Close() error {
	e.mu.Lock()
	defer e.mu.Unlock()
	e.closed = true
	e.release()
	e.cond.Broadcast()
	return nil
}

// Connect returns the Engine itself, once, for SPI mode 0 with 8-bit
// words, the only setting spilink's packets use.
func (e *Engine) Connect(f physic.Frequency, mode spi.Mode, bits int) (spi.Conn, error) {
	e.mu.Lock()
	defer e.mu.Unlock()
	if mode != spi.Mode0 || bits != 8 {
		return nil, fmt.Errorf("spilinktest: Connect(%s, %s, %d): the engine speaks mode 0 with 8-bit words", f, mode, bits)
	}
	if e.connected {
		return nil, errors.New("spilinktest: Connect cannot be called twice")
	}
	e.connected = true
	return e, nil
}

// LimitSpeed accepts any speed: the fake has no clock.
func (e *Engine) LimitSpeed(physic.Frequency) error { return nil }

func (e *Engine) String() string { return "spilinktest-engine" }

// Duplex is conn.Full: the engine answers on MISO while MOSI comes in.
func (e *Engine) Duplex() conn.Duplex { return conn.Full }

// TxPackets is not supported: spilink makes one transfer at a time.
func (e *Engine) TxPackets([]spi.Packet) error {
	return errors.New("spilinktest: TxPackets is not supported")
}

// Tx is one transfer: w is the host's packet on MOSI, r receives the
// engine's on MISO. Chip select is asserted for its whole length, so
// data-ready is released first.
func (e *Engine) Tx(w, r []byte) error {
	e.mu.Lock()
	defer e.mu.Unlock()
	if e.closed {
		return errors.New("spilinktest: transfer after Close")
	}
	n := e.opts.PacketSize
	if len(w) != n || len(r) != n {
		err := fmt.Errorf("spilinktest: transfer of %d bytes out and %d in; packets are %d bytes", len(w), len(r), n)
		e.breach(err)
		return err
	}
	i := e.stats.Transfers
	e.stats.Transfers++
	e.release()
	e.checkHost(w)

	armed := e.armed && (e.opts.Busy == nil || !e.opts.Busy(i))
	var sent int
	if armed {
		var p []byte
		if e.started {
			p = e.out.Next(min(e.out.Len(), e.payload))
		}
		sent = len(p)
		encode(e.tx, fromEngine, e.seq, p)
		copy(r, e.tx)
	} else {
		switch e.opts.Idle {
		case IdleHigh:
			fillBytes(r, 0xFF)
		case IdleStale:
			copy(r, e.prev)
		default:
			clear(r)
		}
	}
	copy(e.mosi, w)
	if e.opts.Damage != nil {
		e.opts.Damage(i, e.mosi, r)
	}

	if !armed {
		// Nothing was armed: MOSI went nowhere.
		e.stats.Void++
		e.missed = true
	} else {
		e.stats.BytesOut += int64(sent)
		e.prev, e.tx = e.tx, e.prev
		e.seq++
		e.started = true
		e.armed = false
		e.receive(e.mosi)
	}
	e.update()
	e.cond.Broadcast()
	return nil
}

// receive takes a host packet that arrived in an armed buffer.
func (e *Engine) receive(pkt []byte) {
	seq, payload, ok := decode(pkt, fromHost)
	if !ok {
		e.stats.Invalid++
		return
	}
	if int(seq) == e.lastHost {
		e.stats.Repeats++
		return
	}
	e.lastHost = int(seq)
	e.in.Write(payload)
	e.stats.Taken++
	e.stats.BytesIn += int64(len(payload))
}

// update arms the next transfer when there is room for a packet's payload,
// and asserts data-ready when the armed packet has payload, or to end the
// host's back-off after a transfer found nothing armed. A just-started
// engine with bytes queued asserts it too, to have its empty first packet
// taken.
func (e *Engine) update() {
	if e.closed {
		return
	}
	if !e.armed && e.in.Len()+e.payload <= e.opts.InputBuffer {
		e.armed = true
	}
	if e.armed && (e.out.Len() > 0 || e.missed) {
		e.missed = false
		e.assert()
	}
}

func (e *Engine) assert() {
	if e.asserted {
		return
	}
	e.asserted = true
	e.ready.Out(e.active)
	select {
	case e.ready.EdgesChan <- e.active:
	default: // an edge is pending already
	}
}

func (e *Engine) release() {
	if !e.asserted {
		return
	}
	e.asserted = false
	e.ready.Out(e.inactive)
}

// checkHost checks the host's packet as it was sent, before any Damage.
func (e *Engine) checkHost(w []byte) {
	seq, payload, ok := decode(w, fromHost)
	if !ok {
		e.breach(fmt.Errorf("spilinktest: MOSI carries no host packet: header % x", w[:headerSize]))
		return
	}
	for _, b := range w[headerSize+len(payload):] {
		if b != 0 {
			e.breach(fmt.Errorf("spilinktest: host packet %d has non-zero padding", seq))
			break
		}
	}
	prev := e.hostPrev
	switch {
	case seq == 0 && len(payload) == 0:
		// The first packet of a Link.
	case prev == nil:
		e.breach(fmt.Errorf("spilinktest: the host's first packet has seq %d and %d bytes of payload; want seq 0, empty", seq, len(payload)))
	case seq == prev[3]:
		if !bytes.Equal(w, prev) {
			e.breach(fmt.Errorf("spilinktest: host packet %d sent again with other bytes", seq))
		}
	case seq != prev[3]+1:
		e.breach(fmt.Errorf("spilinktest: host packet seq %d follows %d", seq, prev[3]))
	}
	e.hostPrev = append(e.hostPrev[:0], w...)
}

func (e *Engine) breach(err error) {
	if e.err == nil {
		e.err = err
	}
}

// encode writes a packet into pkt, padding it with zeros.
func encode(pkt []byte, dir, seq byte, payload []byte) {
	pkt[0], pkt[1], pkt[2], pkt[3] = syncByte, dir, version, seq
	binary.LittleEndian.PutUint16(pkt[4:], uint16(len(payload)))
	n := copy(pkt[headerSize:], payload)
	clear(pkt[headerSize+n:])
}

// decode checks a packet's header. The payload aliases pkt.
func decode(pkt []byte, dir byte) (seq byte, payload []byte, ok bool) {
	if pkt[0] != syncByte || pkt[1] != dir || pkt[2] != version {
		return 0, nil, false
	}
	n := int(binary.LittleEndian.Uint16(pkt[4:]))
	if n > len(pkt)-headerSize {
		return 0, nil, false
	}
	return pkt[3], pkt[headerSize : headerSize+n], true
}

func fillBytes(p []byte, b byte) {
	for i := range p {
		p[i] = b
	}
}

var errClosed = fmt.Errorf("spilinktest: engine closed: %w", os.ErrClosed)
