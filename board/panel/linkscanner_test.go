package panel_test

import (
	"context"
	"errors"
	"io"
	"log/slog"
	"net"

	"scanmail/device"
	"scanmail/scan"
	"scanmail/scan/link"
	"scanmail/scan/scansim"
)

// linkScanner scans over the scanner link from engine, served on a pipe
// for each job, as the board's engine is over SPI.
type linkScanner struct {
	engine link.Engine
	opts   link.EngineOptions
	line   scansim.Faults // on what the engine sends
	device.LinkTally
}

func (s *linkScanner) Scan(ctx context.Context, opts scan.Options) (scan.Source, error) {
	hc, ec := net.Pipe()
	sctx, stop := context.WithCancel(context.Background())
	served := make(chan error, 1)
	eopts := s.opts
	eopts.Logger = slog.New(slog.NewTextHandler(io.Discard, nil))
	go func() { served <- link.Serve(sctx, s.line.Wrap(ec), s.engine, eopts) }()
	shut := func() error {
		stop()
		err := <-served
		hc.Close()
		ec.Close()
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
	tally *device.LinkTally
}

func (s *linkSource) Close() error {
	err := errors.Join(s.Source.Close(), s.host.Close(), s.shut())
	s.tally.Closed(s.host)
	return err
}
