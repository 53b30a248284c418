package link

import (
	"context"
	"encoding/binary"
	"errors"
	"fmt"
	"hash/crc32"
	"io"
	"log/slog"
	"slices"
	"sync/atomic"
	"time"

	"scanmail/scan"
)

// Engine is what Serve puts on the link: the scanner hardware's driver, or
// a simulator. It has the daemon's Scanner method, so anything that scans
// can be served. Errors it returns that are *EngineError (from Scan, from
// NextPage or from a page's Data) reach the host with their code; others
// are reported as an engine fault, or as an unsupported setting when they
// wrap scan.ErrUnsupported. The engine must honour ctx: it is cancelled
// when the host cancels the job.
type Engine interface {
	Scan(ctx context.Context, opts scan.Options) (scan.Source, error)
}

// EngineOptions tune the engine's end of the link. Zero fields take
// defaults.
type EngineOptions struct {
	Model    string // default "scanmail link engine"
	Firmware string
	// Modes the engine offers; default all four.
	Modes []scan.Mode
	// Duplex says the engine has a duplex unit: it scans both sides of
	// a sheet when the host asks (protocol 1.1).
	Duplex bool
	// Protocol is the version the engine speaks; the zero value is the
	// latest. An older minor makes it behave as engines of that version
	// did, for tests and for comparing versions on a real line.
	Protocol Version
	// MaxStrip is the largest strip the engine sends; default 8 KiB.
	// The host may ask for smaller ones.
	MaxStrip int
	// Window is how many frames the engine sends ahead of ACKs; default 8.
	Window int
	// AckTimeout is how long the engine waits for an ACK before it
	// resends; default 200 ms.
	AckTimeout time.Duration
	// MaxRetries is how many resends in a row without progress fail the
	// link (the engine then drops the job); default 16.
	MaxRetries int
	Logger     *slog.Logger // nil discards
}

func (o EngineOptions) withDefaults() EngineOptions {
	if o.Model == "" {
		o.Model = "scanmail link engine"
	}
	if len(o.Modes) == 0 {
		o.Modes = []scan.Mode{scan.ModeGray8, scan.ModeBW1, scan.ModeRGB24, scan.ModeJPEG}
	}
	if o.MaxStrip <= 0 {
		o.MaxStrip = 8 << 10
	}
	o.MaxStrip = min(o.MaxStrip, MaxStrip)
	if o.Window <= 0 {
		o.Window = 8
	}
	if o.AckTimeout <= 0 {
		o.AckTimeout = 200 * time.Millisecond
	}
	if o.MaxRetries <= 0 {
		o.MaxRetries = 16
	}
	if o.Logger == nil {
		o.Logger = slog.New(slog.DiscardHandler)
	}
	return o
}

// engineRxWindow is how many host frames the engine holds: the host sends
// one at a time.
const engineRxWindow = 4

// Serve runs the engine's end of the link over conn until ctx is done
// (then it returns nil) or the byte stream fails (then a *LinkError). A
// link that fails only by noise or silence ends the running job; Serve
// then waits for the host's next HELLO. Serve borrows conn, as Dial does.
func Serve(ctx context.Context, conn io.ReadWriter, e Engine, opts EngineOptions) error {
	opts = opts.withDefaults()
	sess := newSession(conn, sessionConfig{
		ackTimeout: opts.AckTimeout,
		maxRetries: opts.MaxRetries,
		rxWindow:   engineRxWindow,
		txWindow:   opts.Window,
		engine:     true,
		version:    opts.Protocol.orLatest(),
		log:        opts.Logger,
	})
	defer sess.close()
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	srv := &server{sess: sess, engine: e, opts: opts, log: opts.Logger}
	defer srv.stopJob()

	for {
		f, epoch, err := sess.recv(ctx, nil, false)
		if err != nil {
			if ctx.Err() != nil {
				return nil
			}
			var le *LinkError
			if errors.As(err, &le) && le.Err != nil {
				return err
			}
			srv.stopJob()
			if err := sess.waitEpoch(ctx, epoch); err != nil {
				if ctx.Err() != nil {
					return nil
				}
				return err
			}
			continue
		}
		srv.handle(ctx, epoch, f)
	}
}

// server is Serve's state between frames.
type server struct {
	sess   *session
	engine Engine
	opts   EngineOptions
	log    *slog.Logger

	compatible bool    // the host's major version is ours
	host       Version // the host's, from HELLO
	stripSize  int     // the largest strip of this session, from HELLO
	// strip is the strip size in use: stripSize, or less after the
	// host's STRIP_SIZE. The running job reads it before every strip.
	strip atomic.Int64
	jobs  uint32

	job *runningJob
}

type runningJob struct {
	cancel context.CancelFunc
	done   chan struct{}
	final  atomic.Bool // its last frame is queued: it is as good as done
}

func (srv *server) jobRunning() bool {
	if srv.job == nil {
		return false
	}
	select {
	case <-srv.job.done:
		srv.job = nil
		return false
	default:
		return true
	}
}

// stopJob cancels the running job and waits for it to end.
func (srv *server) stopJob() {
	if srv.job == nil {
		return
	}
	srv.job.cancel()
	<-srv.job.done
	srv.job = nil
}

func (srv *server) handle(ctx context.Context, epoch uint64, f Frame) {
	switch f.Type {
	case TypeHello:
		// The session layer has already started a new session.
		srv.stopJob()
		m, err := parseHello(f.Payload)
		if err != nil {
			srv.log.Warn("bad HELLO", "err", err)
			return
		}
		srv.compatible = m.version.Major == ProtocolMajor
		srv.host = m.version
		srv.stripSize = max(1, min(srv.opts.MaxStrip, int(min(m.maxStrip, MaxStrip))))
		// A new session starts from HELLO's size; the host asks again
		// for a smaller one if it wants it.
		srv.strip.Store(int64(srv.stripSize))
		srv.sess.setStripSize(srv.stripSize, false)
		reply := helloReplyMsg{
			version:   srv.version(),
			stripSize: uint32(srv.stripSize),
			model:     srv.opts.Model,
			firmware:  srv.opts.Firmware,
		}
		if !srv.compatible {
			reply.result = helloIncompatible
			srv.log.Warn("host speaks another link protocol", "host_version", m.version, "ours", srv.version())
		}
		for _, md := range srv.opts.Modes {
			reply.modes |= modeBit(md)
		}
		if srv.opts.Duplex {
			reply.features |= featureDuplex
		}
		if err := srv.sess.send(ctx, nil, epoch, TypeHelloReply, reply.marshal()); err != nil {
			srv.log.Debug("HELLO_REPLY not sent", "err", err)
		}
	case TypeStartJob:
		m, err := parseStartJob(f.Payload)
		if err != nil {
			srv.log.Warn("bad START_JOB", "err", err)
			return
		}
		if srv.jobRunning() && srv.job.final.Load() {
			<-srv.job.done // a host quick to follow our JOB_END
			srv.job = nil
		}
		if srv.jobRunning() {
			srv.log.Warn("START_JOB while a job runs: ignored")
			return
		}
		jobCtx, cancel := context.WithCancel(ctx)
		srv.jobs++
		j := &runningJob{cancel: cancel, done: make(chan struct{})}
		srv.job = j
		run := &engineJob{srv: srv, ctx: ctx, jobCtx: jobCtx, epoch: epoch, id: srv.jobs, req: m, final: &j.final}
		go func() {
			defer close(j.done)
			defer cancel()
			run.run()
		}()
	case TypeCancel:
		if srv.jobRunning() {
			srv.job.cancel()
		}
	case TypeStripSize:
		srv.setStrip(f.Payload)
	default:
		srv.log.Debug("frame ignored", "type", f.Type)
	}
}

// version is the protocol version the engine speaks.
func (srv *server) version() Version {
	return srv.opts.Protocol.orLatest()
}

// setStrip applies STRIP_SIZE to the strips made from now on. The strips
// already numbered go as they are: their offsets keep the page exact. A
// size out of range is clamped (a host never sends one); an end of 1.1
// knows no STRIP_SIZE and ignores it, as engines of 1.1 did.
func (srv *server) setStrip(payload []byte) {
	if min(srv.version().Minor, srv.host.Minor) < minorStripSize || !srv.compatible {
		srv.log.Debug("frame ignored", "type", TypeStripSize)
		return
	}
	m, err := parseStripSize(payload)
	if err != nil {
		srv.log.Warn("bad STRIP_SIZE", "err", err)
		return
	}
	size := min(max(int64(m.size), int64(min(minStripSize, srv.stripSize))), int64(srv.stripSize))
	if srv.strip.Swap(size) != size {
		srv.log.Debug("strip size", "bytes", size, "asked", m.size)
		srv.sess.setStripSize(int(size), true)
	}
}

// duplex says whether a job asks for both sides and the engine can: an
// engine from before 1.1 knows no such flag and scans one side.
func (srv *server) duplex(m startJobMsg) (bool, error) {
	switch {
	case !m.duplex || srv.version().Minor < minorDuplex:
		return false, nil
	case !srv.opts.Duplex:
		return false, &EngineError{Code: CodeUnsupported, Text: "2-sided scanning: no duplex unit"}
	}
	return true, nil
}

// engineJob is one job on the engine's side: it reads pages from the
// Engine and sends them as strips.
type engineJob struct {
	srv    *server
	ctx    context.Context // Serve's: for sending
	jobCtx context.Context // cancelled by CANCEL: for the engine
	epoch  uint64
	id     uint32
	req    startJobMsg
	pages  int
	buf    []byte
	final  *atomic.Bool
}

func (j *engineJob) send(t FrameType, payload []byte) error {
	return j.srv.sess.send(j.ctx, nil, j.epoch, t, payload)
}

func (j *engineJob) run() {
	log := j.srv.log.With("job", j.id)
	err := j.scan()
	switch {
	case err == nil:
		log.Info("scan job done", "pages", j.pages)
	case j.jobCtx.Err() != nil && j.ctx.Err() == nil && !errors.Is(err, errReset):
		log.Info("scan job cancelled", "pages", j.pages)
		j.final.Store(true)
		err = j.send(TypeJobEnd, jobEndMsg{pages: j.pages, reason: jobCancelled}.marshal())
	default:
		var le *LinkError
		if errors.As(err, &le) || errors.Is(err, errReset) || errors.Is(err, errClosed) || j.ctx.Err() != nil {
			log.Warn("scan job dropped", "pages", j.pages, "err", err)
			return
		}
		st := statusFor(err)
		log.Warn("scan job failed", "pages", j.pages, "code", st.code, "err", err)
		j.final.Store(true)
		err = j.send(TypeStatus, st.marshal())
	}
	if err != nil {
		log.Debug("job end not sent", "err", err)
	}
	st := j.srv.sess.snapshot()
	log.Debug("link", "sent", st.FramesSent, "resent", st.Retransmitted, "timeouts", st.Timeouts,
		"naks", st.NAKsReceived, "discarded", st.DiscardedBytes, "strip", st.StripSize, "strip_changes", st.StripChanges)
}

// scan runs the job; an error means it did not end with JOB_END.
func (j *engineJob) scan() error {
	if !j.srv.compatible {
		return &EngineError{Code: CodeProtocol, Text: "HELLO with another major version"}
	}
	opts := scan.Options{Mode: j.req.mode, DPI: j.req.dpi, Pages: j.req.maxPages}
	if !slices.Contains(j.srv.opts.Modes, opts.Mode) {
		return &EngineError{Code: CodeUnsupported, Text: fmt.Sprintf("mode %v", opts.Mode)}
	}
	duplex, err := j.srv.duplex(j.req)
	if err != nil {
		return err
	}
	if duplex {
		// Max pages counts sides; the engine's feeder counts sheets.
		opts.Duplex, opts.Pages = true, (opts.Pages+1)/2
	}
	src, err := j.srv.engine.Scan(j.jobCtx, opts)
	if err != nil {
		return err
	}
	defer src.Close()
	if err := j.send(TypeJobStart, jobStartMsg{jobID: j.id, mode: opts.Mode, dpi: opts.DPI}.marshal()); err != nil {
		return err
	}
	for j.req.maxPages == 0 || j.pages < j.req.maxPages {
		if err := j.jobCtx.Err(); err != nil {
			return err
		}
		page, err := src.NextPage(j.jobCtx)
		if err == io.EOF {
			break
		}
		if err != nil {
			return err
		}
		j.pages++
		if err := j.sendPage(page); err != nil {
			return err
		}
	}
	j.final.Store(true)
	return j.send(TypeJobEnd, jobEndMsg{pages: j.pages, reason: jobDone}.marshal())
}

// sendPage sends one page: PAGE_HEADER, its data in strips of whole rows
// where they fit, and PAGE_END with the data's CRC-32C.
func (j *engineJob) sendPage(page scan.Page) error {
	hdr := pageHeaderMsg{page: j.pages, hdr: page.PageHeader}
	if err := j.send(TypePageHeader, hdr.marshal()); err != nil {
		return err
	}
	if cap(j.buf) < stripHeader+j.srv.stripSize {
		j.buf = make([]byte, stripHeader+j.srv.stripSize)
	}
	rb := uint64(page.Mode.RowBytes(page.Width))
	var (
		crc uint32
		off uint64
	)
	for {
		if err := j.jobCtx.Err(); err != nil {
			return err
		}
		// The size may change between strips (STRIP_SIZE); a strip
		// ends on a row boundary where it can, also after a change.
		chunk := uint64(j.srv.strip.Load())
		if rb > 0 && rb <= chunk {
			chunk -= (off + chunk) % rb
		}
		buf := j.buf[:stripHeader+chunk]
		n, err := io.ReadFull(page.Data, buf[stripHeader:])
		if n > 0 {
			binary.LittleEndian.PutUint64(buf, off)
			crc = crc32.Update(crc, castagnoli, buf[stripHeader:stripHeader+n])
			off += uint64(n)
			if err := j.send(TypeStrip, buf[:stripHeader+n]); err != nil {
				return err
			}
		}
		if err == io.EOF || err == io.ErrUnexpectedEOF {
			break
		}
		if err != nil {
			return err
		}
	}
	return j.send(TypePageEnd, pageEndMsg{page: j.pages, crc: crc, length: off}.marshal())
}

// statusFor turns an engine's error into a fatal STATUS.
func statusFor(err error) statusMsg {
	var ee *EngineError
	switch {
	case errors.As(err, &ee):
		return statusMsg{code: ee.Code, fatal: true, text: ee.Text}
	case errors.Is(err, scan.ErrUnsupported):
		return statusMsg{code: CodeUnsupported, fatal: true, text: err.Error()}
	}
	return statusMsg{code: CodeEngineFault, fatal: true, text: err.Error()}
}
