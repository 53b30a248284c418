package panel_test

import (
	"context"
	"io"
	"log/slog"
	"sync"

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
	once   sync.Once
	device.LinkScanner
}

func (s *linkScanner) Scan(ctx context.Context, opts scan.Options) (scan.Source, error) {
	s.once.Do(func() { s.Open = s.open })
	return s.LinkScanner.Scan(ctx, opts)
}

// open serves the engine as the fields say now: a test may change the
// line between jobs.
func (s *linkScanner) open(ctx context.Context) (io.ReadWriteCloser, error) {
	eopts := s.opts
	eopts.Logger = slog.New(slog.NewTextHandler(io.Discard, nil))
	return (&scansim.Pipe{Engine: s.engine, Options: eopts, Faults: s.line}).Open(ctx)
}
