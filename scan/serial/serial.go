package serial

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"sync"
	"sync/atomic"
	"time"
)

// DefaultReadTimeout is the ReadTimeout used when Config leaves it zero.
const DefaultReadTimeout = time.Second

// pollInterval is how long one read of the device may block: the shortest
// read timeout a Linux tty has (VTIME counts tenths of a second). It bounds
// how long Close waits for a blocked Read, and is the granularity of
// ReadTimeout.
const pollInterval = 100 * time.Millisecond

// Config describes the serial port to the engine.
type Config struct {
	// Path is the device, such as /dev/ttyS1.
	Path string
	// Baud is the line speed; it must be one of SupportedBauds.
	Baud int
	// ReadTimeout is how long Read waits for the first byte before it
	// returns ErrTimeout; zero means DefaultReadTimeout. It is rounded up
	// to a multiple of 100 ms.
	ReadTimeout time.Duration
}

// ErrTimeout is returned by Read when nothing arrived within ReadTimeout.
// It wraps os.ErrDeadlineExceeded.
var ErrTimeout error = timeoutError{}

type timeoutError struct{}

func (timeoutError) Error() string { return "serial: read timeout" }
func (timeoutError) Timeout() bool { return true }
func (timeoutError) Unwrap() error { return os.ErrDeadlineExceeded }

// ErrHangup is returned by Read once the tty has hung up, as when a USB
// serial adapter is pulled out. The port is then useless: close it.
var ErrHangup = errors.New("serial: the port hung up (was the adapter removed?)")

var errClosed = fmt.Errorf("serial: port closed: %w", os.ErrClosed)

// Open opens the port described by cfg. ctx only bounds the opening: the
// port stays open until Close.
func Open(ctx context.Context, cfg Config) (io.ReadWriteCloser, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	if cfg.Path == "" {
		return nil, errors.New("serial: no device path")
	}
	if !SupportedBaud(cfg.Baud) {
		return nil, fmt.Errorf("serial: baud rate %d is not supported; use one of %v", cfg.Baud, SupportedBauds())
	}
	if cfg.ReadTimeout < 0 {
		return nil, fmt.Errorf("serial: negative read timeout %v", cfg.ReadTimeout)
	}
	if cfg.ReadTimeout == 0 {
		cfg.ReadTimeout = DefaultReadTimeout
	}
	dev, err := openDevice(cfg.Path, cfg.Baud)
	if err != nil {
		return nil, fmt.Errorf("serial: %w", err)
	}
	return &port{dev: dev, readTimeout: cfg.ReadTimeout}, nil
}

type port struct {
	dev         io.ReadWriteCloser
	readTimeout time.Duration
	closed      atomic.Bool
	closeOnce   sync.Once
	closeErr    error
}

func (p *port) Read(b []byte) (int, error) {
	if p.closed.Load() {
		return 0, errClosed
	}
	if len(b) == 0 {
		return 0, nil
	}
	deadline := time.Now().Add(p.readTimeout)
	for {
		start := time.Now()
		n, err := p.dev.Read(b)
		if n > 0 {
			// An error that came with data comes again on the next Read.
			return n, nil
		}
		if p.closed.Load() {
			return 0, errClosed
		}
		if err != nil && err != io.EOF {
			return 0, fmt.Errorf("serial: read: %w", err)
		}
		// An empty read is the device's poll timeout, unless it came
		// back at once: a tty that hung up reads as end of file for ever,
		// and looping on it would spin. Not io.EOF, which the link above
		// takes for "nothing yet".
		if time.Since(start) < pollInterval/2 {
			return 0, ErrHangup
		}
		if !time.Now().Before(deadline) {
			return 0, ErrTimeout
		}
	}
}

func (p *port) Write(b []byte) (int, error) {
	if p.closed.Load() {
		return 0, errClosed
	}
	n, err := p.dev.Write(b)
	if err != nil {
		if p.closed.Load() {
			return n, errClosed
		}
		return n, fmt.Errorf("serial: write: %w", err)
	}
	return n, nil
}

// Close closes the device. It waits for a Read blocked in another
// goroutine, which takes at most pollInterval. Closing twice is harmless.
func (p *port) Close() error {
	p.closeOnce.Do(func() {
		p.closed.Store(true)
		p.closeErr = p.dev.Close()
	})
	return p.closeErr
}
