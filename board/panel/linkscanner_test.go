package panel_test

import (
	"context"
	"errors"
	"io"
	"log/slog"
	"net"

	"scanmail/scan"
	"scanmail/scan/link"
)

// linkScanner scans over the scanner link from engine, served on a pipe
// for each job, as the board's engine is over SPI.
type linkScanner struct {
	engine link.Engine
	opts   link.EngineOptions
}

func (s *linkScanner) Scan(ctx context.Context, opts scan.Options) (scan.Source, error) {
	hc, ec := net.Pipe()
	sctx, stop := context.WithCancel(context.Background())
	served := make(chan error, 1)
	eopts := s.opts
	eopts.Logger = slog.New(slog.NewTextHandler(io.Discard, nil))
	go func() { served <- link.Serve(sctx, ec, s.engine, eopts) }()
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
	src, err := h.Scan(ctx, opts)
	if err != nil {
		return nil, errors.Join(err, h.Close(), shut())
	}
	return &linkSource{Source: src, host: h, shut: shut}, nil
}

// linkSource ends the link with the job.
type linkSource struct {
	scan.Source
	host *link.Host
	shut func() error
}

func (s *linkSource) Close() error {
	return errors.Join(s.Source.Close(), s.host.Close(), s.shut())
}
