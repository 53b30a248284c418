package link

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"math/rand/v2"
	"sync"
	"time"

	"scanmail/scan"
)

// HostOptions tune the host's end of the link. Zero fields take defaults.
type HostOptions struct {
	// AckTimeout is how long the host waits for a frame before it polls
	// the engine, and for an ACK before it resends; default 200 ms.
	AckTimeout time.Duration
	// MaxRetries is how many polls or resends in a row without progress
	// fail the link; default 16.
	MaxRetries int
	// Window is how many strips the host holds for a slow reader, and so
	// the engine's credit; default 8.
	Window int
	// MaxStrip is the largest strip the host accepts; default and at most
	// MaxStrip.
	MaxStrip int
	// Protocol is the version the host speaks; the zero value is the
	// latest. An older minor makes it behave as hosts of that version
	// did, for tests and for comparing versions on a real line.
	Protocol Version
	// Strips, if set, carries the strip size the host asks of the engine
	// (protocol 1.2) from one Host to the next on the same line, as
	// a daemon that dials a Host for each job needs: a bad cable stays
	// bad. Nil starts each Host at 1 KiB.
	Strips *StripMemory
	// Name goes to the engine's log; default "scanmail".
	Name   string
	Logger *slog.Logger // nil discards
}

func (o HostOptions) withDefaults() HostOptions {
	if o.AckTimeout <= 0 {
		o.AckTimeout = 200 * time.Millisecond
	}
	if o.MaxRetries <= 0 {
		o.MaxRetries = 16
	}
	if o.Window <= 0 {
		o.Window = 8
	}
	o.Window = min(o.Window, 1<<15)
	if o.MaxStrip <= 0 || o.MaxStrip > MaxStrip {
		o.MaxStrip = MaxStrip
	}
	if o.Name == "" {
		o.Name = "scanmail"
	}
	if o.Logger == nil {
		o.Logger = slog.New(slog.DiscardHandler)
	}
	return o
}

// EngineInfo is what the engine said about itself in its HELLO_REPLY.
type EngineInfo struct {
	Version   Version
	Model     string
	Firmware  string
	Modes     []scan.Mode
	StripSize int  // the largest strip it sends
	Duplex    bool // it scans both sides of a sheet (1.1)
}

// A Host scans like any scanner, so it could even be served on: it is an
// Engine.
var _ Engine = (*Host)(nil)

// Host is the controller's end of the link. Its Scan method makes it a
// scanner for the daemon. It borrows the byte stream: whoever opened the
// stream closes it, after Host.Close.
type Host struct {
	sess *session
	opts HostOptions
	log  *slog.Logger

	strips stripTuner

	mu     sync.Mutex
	info   EngineInfo
	active *source // the running job
	closed bool
}

// Dial starts the link over conn with a HELLO handshake and returns once
// the engine has answered. It fails with a *VersionError if the engine
// speaks another major version, and with a *LinkError if it does not
// answer.
//
// A Read on conn that returns no bytes, with no error or io.EOF, means
// "nothing yet" (a serial port's read timeout); any other error fails the
// link for good.
func Dial(ctx context.Context, conn io.ReadWriter, opts HostOptions) (*Host, error) {
	opts = opts.withDefaults()
	h := &Host{
		opts: opts,
		log:  opts.Logger,
		sess: newSession(conn, sessionConfig{
			ackTimeout: opts.AckTimeout,
			maxRetries: opts.MaxRetries,
			rxWindow:   opts.Window,
			txWindow:   1,
			version:    opts.Protocol.orLatest(),
			log:        opts.Logger,
		}),
	}
	h.strips.mem = opts.Strips
	info, _, err := h.handshake(ctx)
	if err != nil {
		h.sess.close()
		return nil, err
	}
	h.info = info
	h.startStrips(info)
	h.log.InfoContext(ctx, "scanner engine connected", "model", info.Model, "firmware", info.Firmware,
		"protocol", info.Version, "strip", info.StripSize)
	return h, nil
}

// handshake starts a new session: HELLO, then the engine's HELLO_REPLY.
func (h *Host) handshake(ctx context.Context) (EngineInfo, uint64, error) {
	hello := helloMsg{
		version:   h.opts.Protocol.orLatest(),
		engineISN: rand.Uint32(),
		maxStrip:  uint32(h.opts.MaxStrip),
		name:      h.opts.Name,
	}
	epoch := h.sess.reset(rand.Uint32(), hello.engineISN)
	if err := h.send(ctx, epoch, TypeHello, hello.marshal()); err != nil {
		return EngineInfo{}, 0, err
	}
	f, _, err := h.sess.recv(ctx, nil, true)
	if err != nil {
		return EngineInfo{}, 0, err
	}
	if f.Type != TypeHelloReply {
		return EngineInfo{}, 0, fmt.Errorf("%w: %v in answer to HELLO", ErrProtocol, f.Type)
	}
	m, err := parseHelloReply(f.Payload)
	if m.version.Major != ProtocolMajor || m.result == helloIncompatible {
		return EngineInfo{}, 0, &VersionError{Host: h.opts.Protocol.orLatest(), Engine: m.version}
	}
	if err != nil {
		return EngineInfo{}, 0, err
	}
	if m.stripSize == 0 || m.stripSize > uint32(h.opts.MaxStrip) {
		return EngineInfo{}, 0, fmt.Errorf("%w: engine strip size %d, the host accepts 1 to %d", ErrProtocol, m.stripSize, h.opts.MaxStrip)
	}
	info := EngineInfo{Version: m.version, Model: m.model, Firmware: m.firmware, StripSize: int(m.stripSize),
		Duplex: m.version.Minor >= minorDuplex && m.features&featureDuplex != 0}
	for md := scan.ModeGray8; md <= scan.ModeJPEG; md++ {
		if m.modes&modeBit(md) != 0 {
			info.Modes = append(info.Modes, md)
		}
	}
	return info, epoch, nil
}

// send queues a frame for the engine. The host sends few frames and the
// engine always has room for them, so one that cannot go out within the
// retry budget means a dead link (or a byte stream whose Write hangs).
func (h *Host) send(ctx context.Context, epoch uint64, typ FrameType, payload []byte) error {
	sctx, cancel := context.WithTimeout(ctx, time.Duration(h.opts.MaxRetries)*h.opts.AckTimeout)
	defer cancel()
	err := h.sess.send(sctx, nil, epoch, typ, payload)
	if err != nil && ctx.Err() == nil && errors.Is(err, context.DeadlineExceeded) {
		err = &LinkError{Failures: h.opts.MaxRetries}
	}
	return err
}

// Engine describes the engine as of the last handshake.
func (h *Host) Engine() EngineInfo {
	h.mu.Lock()
	defer h.mu.Unlock()
	return h.info
}

// Stats counts what happened on the link since Dial.
func (h *Host) Stats() Stats { return h.sess.snapshot() }

// Scan starts a job on the engine: a fresh handshake, then START_JOB. Zero
// options take defaults (gray8, 300 dpi); opts.Pages 0 scans what the
// feeder holds. Errors the engine reports are *EngineError; a link that
// fails is a *LinkError. One job runs at a time.
func (h *Host) Scan(ctx context.Context, opts scan.Options) (scan.Source, error) {
	if opts.Mode == 0 {
		opts.Mode = scan.ModeGray8
	}
	if opts.DPI == 0 {
		opts.DPI = 300
	}
	if opts.DPI < 0 || opts.DPI > 0xffff || opts.Pages < 0 || opts.Pages > 0xffff {
		return nil, fmt.Errorf("%w: %d dpi, %d pages", scan.ErrUnsupported, opts.DPI, opts.Pages)
	}
	h.mu.Lock()
	switch {
	case h.closed:
		h.mu.Unlock()
		return nil, errClosed
	case h.active != nil:
		h.mu.Unlock()
		return nil, errors.New("scanner link: a scan job is already running")
	}
	src := &source{h: h, opts: opts, stop: make(chan struct{})}
	h.active = src
	h.mu.Unlock()

	if err := src.start(ctx); err != nil {
		h.release(src)
		return nil, err
	}
	return src, nil
}

func (h *Host) release(src *source) {
	h.mu.Lock()
	defer h.mu.Unlock()
	if h.active == src {
		h.active = nil
	}
}

// Close cancels a running job and stops the link. It does not close the
// byte stream.
func (h *Host) Close() error {
	h.mu.Lock()
	h.closed = true
	src := h.active
	h.mu.Unlock()
	var err error
	if src != nil {
		err = src.Close()
	}
	h.sess.close()
	return err
}
