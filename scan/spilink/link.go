package spilink

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"log/slog"
	"sync"
	"time"

	"periph.io/x/conn/v3"
	"periph.io/x/conn/v3/gpio"
	"periph.io/x/conn/v3/physic"
	"periph.io/x/conn/v3/spi"
)

// Defaults for the zero fields of Options.
const (
	DefaultReadTimeout   = time.Second
	DefaultReceiveBuffer = 256 << 10
	DefaultRetryDelay    = time.Millisecond
)

const (
	// maxRetryDelay caps the back-off after void transfers, so that an
	// engine back from a reset is noticed soon.
	maxRetryDelay = 100 * time.Millisecond
	// pollInterval is how long one wait for a data-ready edge lasts. It
	// bounds Close, and is how often the level is read with Options.Level.
	pollInterval = 50 * time.Millisecond
)

// Options configures a Link. The zero value is usable.
type Options struct {
	// PacketSize is N, the size of every transfer, the same on both sides;
	// zero means DefaultPacketSize.
	PacketSize int
	// ReadTimeout is how long Read waits for data before it returns
	// ErrTimeout; zero means DefaultReadTimeout.
	ReadTimeout time.Duration
	// ActiveLow says the engine pulls data-ready low to assert it: the pin
	// gets a pull-up and falling edges. By default it is active high, with
	// a pull-down and rising edges.
	ActiveLow bool
	// Level makes the host also transfer while data-ready stays asserted,
	// reading the line after every transfer and every 50 ms, for drivers
	// whose edges may be lost. By default only edges count.
	Level bool
	// ReceiveBuffer is how many received bytes may wait for Read before
	// the host stops polling the engine; zero means DefaultReceiveBuffer.
	ReceiveBuffer int
	// RetryDelay is the first back-off after a void transfer; zero means
	// DefaultRetryDelay.
	RetryDelay time.Duration
	// Logger gets void transfers (debug) and failures; nil discards.
	Logger *slog.Logger
}

func (o Options) withDefaults() (Options, error) {
	if o.PacketSize == 0 {
		o.PacketSize = DefaultPacketSize
	}
	if o.PacketSize < MinPacketSize || o.PacketSize > MaxPacketSize {
		return o, fmt.Errorf("spilink: packet size %d out of range %d … %d", o.PacketSize, MinPacketSize, MaxPacketSize)
	}
	if o.ReadTimeout < 0 || o.ReceiveBuffer < 0 || o.RetryDelay < 0 {
		return o, errors.New("spilink: negative read timeout, receive buffer or retry delay")
	}
	if o.ReadTimeout == 0 {
		o.ReadTimeout = DefaultReadTimeout
	}
	if o.ReceiveBuffer == 0 {
		o.ReceiveBuffer = DefaultReceiveBuffer
	}
	if o.RetryDelay == 0 {
		o.RetryDelay = DefaultRetryDelay
	}
	if o.Logger == nil {
		o.Logger = slog.New(slog.DiscardHandler)
	}
	return o, nil
}

// Link is the host's end of the packet exchange: an io.ReadWriter over the
// engine's byte stream. One goroutine may read while others write.
type Link struct {
	conn   spi.Conn
	ready  gpio.PinIn
	opts   Options
	log    *slog.Logger
	active gpio.Level // data-ready's asserted level

	wake  chan struct{} // capacity 1: look again (bytes queued, room to receive)
	edges chan struct{} // capacity 1: data-ready was asserted
	quit  chan struct{} // closed by Close
	wg    sync.WaitGroup

	mu       sync.Mutex
	rx       bytes.Buffer // received, not yet read
	tx       bytes.Buffer // written, not yet in a packet
	inflight int          // payload bytes in the packet not yet delivered
	err      error        // the Link has failed
	closed   bool
	changed  chan struct{} // closed and replaced when any of the above change
}

// Open connects to port in SPI mode 0 with 8-bit words at up to hz, and
// makes a Link over it. ready is the engine's data-ready line.
func Open(port spi.Port, ready gpio.PinIn, hz physic.Frequency, opts Options) (*Link, error) {
	c, err := port.Connect(hz, spi.Mode0, 8)
	if err != nil {
		return nil, fmt.Errorf("spilink: connect %s: %w", port, err)
	}
	return New(c, ready, opts)
}

// New sets ready up as an input with edge detection and starts the transfer
// loop on c. c must be full duplex (4-wire).
func New(c spi.Conn, ready gpio.PinIn, opts Options) (*Link, error) {
	opts, err := opts.withDefaults()
	if err != nil {
		return nil, err
	}
	if c == nil || ready == nil {
		return nil, errors.New("spilink: no SPI connection or data-ready pin")
	}
	if c.Duplex() == conn.Half {
		return nil, fmt.Errorf("spilink: %s is half duplex; packets need MISO and MOSI", c)
	}
	if l, ok := c.(conn.Limits); ok {
		if limit := l.MaxTxSize(); limit > 0 && opts.PacketSize > limit {
			return nil, fmt.Errorf("spilink: packet size %d exceeds %s's transfer limit of %d bytes (spidev.bufsiz)", opts.PacketSize, c, limit)
		}
	}
	pull, edge, active := gpio.PullDown, gpio.RisingEdge, gpio.High
	if opts.ActiveLow {
		pull, edge, active = gpio.PullUp, gpio.FallingEdge, gpio.Low
	}
	if err := ready.In(pull, edge); err != nil {
		return nil, fmt.Errorf("spilink: data-ready pin %s: %w", ready, err)
	}
	l := &Link{
		conn:    c,
		ready:   ready,
		opts:    opts,
		log:     opts.Logger,
		active:  active,
		wake:    make(chan struct{}, 1),
		edges:   make(chan struct{}, 1),
		quit:    make(chan struct{}),
		changed: make(chan struct{}),
	}
	l.wg.Add(2)
	go l.watch()
	go l.run()
	return l, nil
}

// Read returns the engine's bytes in order. With none buffered it waits up
// to Options.ReadTimeout, then returns ErrTimeout.
func (l *Link) Read(p []byte) (int, error) {
	var timeout <-chan time.Time
	for {
		l.mu.Lock()
		if l.closed {
			l.mu.Unlock()
			return 0, errClosed
		}
		if len(p) == 0 {
			l.mu.Unlock()
			return 0, nil
		}
		if l.rx.Len() > 0 {
			full := l.rx.Len() >= l.opts.ReceiveBuffer
			n, _ := l.rx.Read(p)
			if full && l.rx.Len() < l.opts.ReceiveBuffer {
				signal(l.wake)
			}
			l.mu.Unlock()
			return n, nil
		}
		if l.err != nil {
			l.mu.Unlock()
			return 0, l.err
		}
		changed := l.changed
		l.mu.Unlock()
		if timeout == nil {
			t := time.NewTimer(l.opts.ReadTimeout)
			defer t.Stop()
			timeout = t.C
		}
		select {
		case <-changed:
		case <-timeout:
			return 0, ErrTimeout
		}
	}
}

// Write queues p for the engine and wakes the transfer loop; it never
// blocks. It fails only once the Link has failed or is closed.
func (l *Link) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.closed {
		return 0, errClosed
	}
	if l.err != nil {
		return 0, l.err
	}
	if len(p) == 0 {
		return 0, nil
	}
	l.tx.Write(p)
	signal(l.wake)
	return len(p), nil
}

// Flush waits until the engine has taken every byte written so far.
func (l *Link) Flush(ctx context.Context) error {
	for {
		l.mu.Lock()
		switch {
		case l.closed:
			l.mu.Unlock()
			return errClosed
		case l.err != nil:
			l.mu.Unlock()
			return l.err
		case l.tx.Len() == 0 && l.inflight == 0:
			l.mu.Unlock()
			return nil
		}
		changed := l.changed
		l.mu.Unlock()
		select {
		case <-changed:
		case <-ctx.Done():
			return ctx.Err()
		}
	}
}

// Close stops the transfer loop, waiting for a transfer under way, and
// drops the bytes not yet sent. It leaves the conn and the pin to their
// owner. Closing twice is harmless.
func (l *Link) Close() error {
	l.mu.Lock()
	if l.closed {
		l.mu.Unlock()
		return nil
	}
	l.closed = true
	close(l.quit)
	l.notifyLocked()
	l.mu.Unlock()
	l.wg.Wait()
	return nil
}

func (l *Link) String() string { return "spilink(" + l.conn.String() + ")" }

// notifyLocked wakes every Read and Flush waiting for a change.
func (l *Link) notifyLocked() {
	close(l.changed)
	l.changed = make(chan struct{})
}

func (l *Link) fail(err error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.closed || l.err != nil {
		return
	}
	l.err = err
	l.notifyLocked()
	l.log.Error("SPI link to the scanner engine failed", "conn", l.conn.String(), "err", err)
}

// signal wakes the receiver of ch without waiting; a pending signal
// already says the same.
func signal(ch chan struct{}) {
	select {
	case ch <- struct{}{}:
	default:
	}
}

// watch turns data-ready edges into signals on l.edges, and with
// Options.Level wakes the loop every poll interval to read the line.
// WaitForEdge cannot be selected on, so it runs here, in short waits, to
// notice Close.
func (l *Link) watch() {
	defer l.wg.Done()
	for {
		select {
		case <-l.quit:
			return
		default:
		}
		if l.ready.WaitForEdge(pollInterval) {
			signal(l.edges)
		} else if l.opts.Level {
			// Time to read the line again.
			signal(l.wake)
		}
	}
}

// run is the transfer loop; see the package documentation for the rules
// it follows.
func (l *Link) run() {
	defer l.wg.Done()
	var (
		w, r       = make([]byte, l.opts.PacketSize), make([]byte, l.opts.PacketSize)
		seq        byte // seq of the packet in w
		pending    bool // w holds a packet not yet delivered
		delivered  bool // a packet was delivered since New
		lastEngine = -1 // seq of the last valid engine packet
		asserted   bool // data-ready was asserted since the last transfer
		retry      time.Duration
	)
	for {
		l.mu.Lock()
		full := l.rx.Len() >= l.opts.ReceiveBuffer
		queued := l.tx.Len() > 0
		l.mu.Unlock()
		want := pending || queued || asserted || (l.opts.Level && l.ready.Read() == l.active)
		if full || !want {
			select {
			case <-l.quit:
				return
			case <-l.wake:
			case <-l.edges:
				asserted = true
			}
			continue
		}
		if retry > 0 {
			t := time.NewTimer(retry)
			select {
			case <-l.quit:
				t.Stop()
				return
			case <-l.edges: // the engine is armed again
				t.Stop()
			case <-t.C:
			}
		}
		// This transfer serves every assertion so far.
		asserted = false
		select {
		case <-l.edges:
		default:
		}
		if !pending {
			l.mu.Lock()
			var payload []byte
			if delivered {
				payload = l.tx.Next(min(l.tx.Len(), len(w)-HeaderSize))
			}
			encode(w, seq, payload)
			l.inflight = len(payload)
			l.mu.Unlock()
			pending = true
		}
		if err := l.conn.Tx(w, r); err != nil {
			l.fail(fmt.Errorf("spilink: transfer on %s: %w", l.conn, err))
			return
		}
		eseq, payload, err := decode(r)
		if err == nil && int(eseq) == lastEngine {
			err = errVoid
		}
		if errors.Is(err, errVoid) {
			retry = min(max(2*retry, l.opts.RetryDelay), maxRetryDelay)
			l.log.Debug("void SPI transfer: the engine was not ready", "seq", seq, "retry", retry)
			continue
		}
		if err != nil {
			l.fail(err)
			return
		}
		lastEngine = int(eseq)
		retry = 0
		pending, delivered = false, true
		seq++
		l.mu.Lock()
		l.rx.Write(payload)
		l.inflight = 0
		l.notifyLocked()
		l.mu.Unlock()
	}
}
