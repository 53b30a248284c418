package link

import (
	"context"
	"errors"
	"fmt"
	"hash/crc32"
	"io"
	"slices"
	"sync"
	"time"

	"scanmail/scan"
)

// ErrPageCorrupt means a page's data did not match the CRC-32C and length
// the engine sent at its end. The page must be thrown away.
var ErrPageCorrupt = errors.New("scanned page damaged on the scanner link")

var errSourceClosed = errors.New("scanner link: source closed")

// source is one job seen from the host: the pages as they come off the link.
type source struct {
	h     *Host
	opts  scan.Options
	epoch uint64
	stop  chan struct{} // closed by Close, to interrupt NextPage and Read

	stopOnce sync.Once
	mu       sync.Mutex // one of NextPage, Read, Close at a time
	page     *pageReader
	pages    int
	err      error // the job is over: io.EOF, or why it failed
	ended    bool  // the engine's job is over (JOB_END or fatal STATUS)
	closed   bool
}

// start runs the handshake and START_JOB.
func (s *source) start(ctx context.Context) error {
	h := s.h
	info, epoch, err := h.handshake(ctx)
	if err != nil {
		return err
	}
	h.mu.Lock()
	h.info = info
	h.mu.Unlock()
	s.epoch = epoch
	if !slices.Contains(info.Modes, s.opts.Mode) {
		return fmt.Errorf("%w: mode %v (the scanner offers %v)", scan.ErrUnsupported, s.opts.Mode, info.Modes)
	}
	job := startJobMsg{mode: s.opts.Mode, dpi: s.opts.DPI, maxPages: s.opts.Pages}
	if s.opts.Duplex {
		if err := checkDuplex(info); err != nil {
			return err
		}
		// Max pages counts sides.
		job.duplex, job.maxPages = true, 2*s.opts.Pages
	}
	if size := h.startStrips(info); size != 0 {
		// Before the job, so that all its strips have the size.
		if err := h.send(ctx, epoch, TypeStripSize, stripSizeMsg{size: uint32(size)}.marshal()); err != nil {
			return err
		}
	}
	if err := h.send(ctx, epoch, TypeStartJob, job.marshal()); err != nil {
		return err
	}
	for {
		f, err := s.recv(ctx)
		if err != nil {
			return err
		}
		switch f.Type {
		case TypeJobStart:
			m, err := parseJobStart(f.Payload)
			if err != nil {
				return err
			}
			h.log.DebugContext(ctx, "scan job started", "job", m.jobID, "mode", m.mode, "dpi", m.dpi)
			return nil
		case TypeStatus:
			if err := s.status(ctx, f); err != nil {
				return err
			}
		default:
			if err := s.unexpected(ctx, f, "in answer to START_JOB"); err != nil {
				return err
			}
		}
	}
}

func (s *source) recv(ctx context.Context) (Frame, error) {
	f, epoch, err := s.h.sess.recv(ctx, s.stop, true)
	if err == nil && epoch != s.epoch {
		err = errReset
	}
	if err == errStopped {
		err = errSourceClosed
	}
	return f, err
}

// status handles a STATUS frame: a fatal one ends the job with an
// *EngineError, others are logged.
func (s *source) status(ctx context.Context, f Frame) error {
	m, err := parseStatus(f.Payload)
	if err != nil {
		return err
	}
	ee := &EngineError{Code: m.code, Text: m.text}
	if !m.fatal {
		s.h.log.InfoContext(ctx, "scanner status", "code", m.code, "text", m.text)
		return nil
	}
	s.ended = true
	s.h.log.WarnContext(ctx, "scanner stopped the job", "code", m.code, "text", m.text)
	return ee
}

// unexpected handles a frame that has no place where it came: a protocol
// error if it is a frame type of this version, else a frame of a later
// minor version, ignored.
func (s *source) unexpected(ctx context.Context, f Frame, where string) error {
	if _, known := typeNames[f.Type]; known {
		return fmt.Errorf("%w: %v %s", ErrProtocol, f.Type, where)
	}
	s.h.log.DebugContext(ctx, "unknown frame ignored", "type", f.Type)
	return nil
}

// failed records err as the end of the job, unless it is only the
// caller's context giving up, after which the job can go on.
func (s *source) failed(ctx context.Context, err error) error {
	if ctx.Err() == nil || !errors.Is(err, ctx.Err()) {
		s.err = err
	}
	return err
}

func (s *source) NextPage(ctx context.Context) (scan.Page, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.err != nil {
		return scan.Page{}, s.err
	}
	if s.page != nil && !s.page.done {
		return scan.Page{}, fmt.Errorf("scanner link: NextPage called before page %d was read to the end", s.pages)
	}
	for {
		f, err := s.recv(ctx)
		if err != nil {
			return scan.Page{}, s.failed(ctx, err)
		}
		switch f.Type {
		case TypePageHeader:
			m, err := parsePageHeader(f.Payload)
			if err == nil && (m.page != s.pages+1 || m.hdr.Mode != s.opts.Mode) {
				err = fmt.Errorf("%w: page %d in mode %v, expected page %d in mode %v", ErrProtocol, m.page, m.hdr.Mode, s.pages+1, s.opts.Mode)
			}
			if err != nil {
				return scan.Page{}, s.failed(ctx, err)
			}
			s.pages++
			s.page = &pageReader{src: s, ctx: ctx, num: m.page, want: -1}
			if rb := m.hdr.Mode.RowBytes(m.hdr.Width); rb > 0 {
				s.page.want = int64(rb) * int64(m.hdr.Height)
			}
			return scan.Page{PageHeader: m.hdr, Data: s.page}, nil
		case TypeJobEnd:
			m, err := parseJobEnd(f.Payload)
			if err == nil && m.pages != s.pages {
				err = fmt.Errorf("%w: job ended after %d pages, %d arrived", ErrProtocol, m.pages, s.pages)
			}
			if err == nil && m.reason == jobCancelled {
				err = errors.New("scanner link: the scanner cancelled the job")
			}
			s.ended = true
			if err != nil {
				return scan.Page{}, s.failed(ctx, err)
			}
			s.err = io.EOF
			return scan.Page{}, io.EOF
		case TypeStatus:
			if err := s.status(ctx, f); err != nil {
				return scan.Page{}, s.failed(ctx, err)
			}
		default:
			if err := s.unexpected(ctx, f, "between pages"); err != nil {
				return scan.Page{}, s.failed(ctx, err)
			}
		}
	}
}

// Close cancels the engine's job if it is still running and takes the
// frames it had already sent off the link.
func (s *source) Close() error {
	s.stopOnce.Do(func() { close(s.stop) })
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.closed {
		return nil
	}
	s.closed = true
	defer s.h.release(s)
	if s.err == nil {
		s.err = errSourceClosed
	}
	if s.ended {
		return nil
	}
	// The engine sends what it has numbered, then JOB_END: a bounded
	// amount, so a bounded wait; a dead link fails sooner by itself.
	o := s.h.opts
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Duration(o.MaxRetries)*o.AckTimeout)
	defer cancel()
	err := s.h.send(ctx, s.epoch, TypeCancel, nil)
	for err == nil {
		var f Frame
		var epoch uint64
		f, epoch, err = s.h.sess.recv(ctx, nil, true)
		switch {
		case err != nil:
		case epoch != s.epoch:
			err = errReset
		case f.Type == TypeJobEnd:
			return nil
		case f.Type == TypeStatus:
			if m, perr := parseStatus(f.Payload); perr == nil && m.fatal {
				return nil
			}
		}
	}
	if errors.Is(err, errClosed) {
		return nil
	}
	return fmt.Errorf("scanner link: cancelling the job: %w", err)
}

// pageReader is one page's Data: it takes strips off the link as its
// reader asks for bytes, and checks the page's CRC-32C at PAGE_END. A page
// whose data was damaged ends with an error instead of io.EOF.
type pageReader struct {
	src  *source
	ctx  context.Context
	num  int
	want int64 // the raster's length, or -1 for JPEG
	got  int64
	crc  uint32
	cur  []byte // the unread part of the current strip
	done bool   // PAGE_END checked
	err  error
}

func (p *pageReader) Read(b []byte) (int, error) {
	if len(b) == 0 {
		return 0, nil
	}
	s := p.src
	s.mu.Lock()
	defer s.mu.Unlock()
	for len(p.cur) == 0 {
		if p.err != nil {
			return 0, p.err
		}
		if p.done {
			return 0, io.EOF
		}
		if s.err != nil {
			p.err = s.err
			continue
		}
		if err := p.next(); err != nil {
			if err = s.failed(p.ctx, err); s.err != nil {
				p.err = err
			}
			return 0, err
		}
	}
	n := copy(b, p.cur)
	p.cur = p.cur[n:]
	return n, nil
}

// next takes the page's next frame off the link.
func (p *pageReader) next() error {
	f, err := p.src.recv(p.ctx)
	if err != nil {
		return err
	}
	switch f.Type {
	case TypeStrip:
		off, data, err := parseStrip(f.Payload)
		if err != nil {
			return err
		}
		if off != uint64(p.got) {
			return fmt.Errorf("%w: page %d: strip at offset %d, %d bytes arrived", ErrProtocol, p.num, off, p.got)
		}
		if p.want >= 0 && p.got+int64(len(data)) > p.want {
			return fmt.Errorf("%w: page %d: more than its %d bytes", ErrProtocol, p.num, p.want)
		}
		p.crc = crc32.Update(p.crc, castagnoli, data)
		p.got += int64(len(data))
		p.cur = data
		return p.src.stripReceived(p.ctx, len(data))
	case TypePageEnd:
		m, err := parsePageEnd(f.Payload)
		if err != nil {
			return err
		}
		if m.page != p.num {
			return fmt.Errorf("%w: PAGE_END for page %d during page %d", ErrProtocol, m.page, p.num)
		}
		if m.crc != p.crc || m.length != uint64(p.got) || (p.want >= 0 && p.got != p.want) {
			return fmt.Errorf("%w: page %d: %d bytes with CRC-32C %08x, the scanner sent %d bytes with %08x",
				ErrPageCorrupt, p.num, p.got, p.crc, m.length, m.crc)
		}
		p.done = true
	case TypeStatus:
		return p.src.status(p.ctx, f)
	default:
		return p.src.unexpected(p.ctx, f, fmt.Sprintf("during page %d", p.num))
	}
	return nil
}

// checkDuplex refuses a 2-sided job to an engine that cannot scan one: an
// engine from before protocol 1.1 would ignore the flag and scan fronts
// only.
func checkDuplex(info EngineInfo) error {
	switch {
	case info.Version.Minor < minorDuplex:
		return fmt.Errorf("%w: 2-sided scanning: the scanner engine speaks link protocol %v, which has none (it came with 1.%d)", scan.ErrUnsupported, info.Version, minorDuplex)
	case !info.Duplex:
		return fmt.Errorf("%w: 2-sided scanning: the scanner has no duplex unit", scan.ErrUnsupported)
	}
	return nil
}
