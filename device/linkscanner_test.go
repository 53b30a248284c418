package device

import (
	"context"
	"errors"
	"io"
	"log/slog"
	"net"

	"scanmail/scan"
	"scanmail/scan/link"
	"scanmail/scan/scansim"
)

// linkScanner runs each job over a fresh scanner link, as the board does
// over its UART: the engine is served on one end of a pipe and the host
// dials the other.
type linkScanner struct {
	engine link.Engine
	opts   link.EngineOptions // the engine's, its Logger aside
	line   scansim.Faults     // on what the engine sends
	log    syncBuffer         // the engine's log
	LinkTally
}

func (s *linkScanner) Scan(ctx context.Context, opts scan.Options) (scan.Source, error) {
	hc, pipeEnd := net.Pipe()
	ec := io.ReadWriter(pipeEnd)
	if s.line != (scansim.Faults{}) {
		ec = s.line.Wrap(pipeEnd)
	}
	sctx, stop := context.WithCancel(context.Background())
	served := make(chan error, 1)
	elog := slog.New(slog.NewTextHandler(&s.log, nil))
	eopts := s.opts
	eopts.Logger = elog
	go func() { served <- link.Serve(sctx, ec, s.engine, eopts) }()
	shut := func() error {
		stop()
		err := <-served
		hc.Close()
		pipeEnd.Close()
		return err
	}
	h, err := link.Dial(ctx, hc, link.HostOptions{})
	if err != nil {
		return nil, errors.Join(err, shut())
	}
	s.Opened(h)
	src, err := h.Scan(ctx, opts)
	if err != nil {
		err = errors.Join(err, h.Close(), shut())
		s.Closed(h)
		return nil, err
	}
	return &linkSource{Source: src, host: h, shut: shut, tally: &s.LinkTally}, nil
}

// linkSource ends the link with the job.
type linkSource struct {
	scan.Source
	host  *link.Host
	shut  func() error
	tally *LinkTally
}

func (s *linkSource) Close() error {
	err := errors.Join(s.Source.Close(), s.host.Close(), s.shut())
	s.tally.Closed(s.host)
	return err
}
