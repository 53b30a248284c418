package device

import (
	"context"
	"io"
	"log/slog"
	"sync"

	"scanmail/scan"
	"scanmail/scan/link"
	"scanmail/scan/scansim"
)

// linkScanner is a LinkScanner whose engine is served on a pipe for each
// job, as the board's is over its UART, keeping the engine's log.
type linkScanner struct {
	engine link.Engine
	opts   link.EngineOptions // the engine's, its Logger aside
	line   scansim.Faults     // on what the engine sends
	log    syncBuffer         // the engine's log
	once   sync.Once
	LinkScanner
}

func (s *linkScanner) Scan(ctx context.Context, opts scan.Options) (scan.Source, error) {
	s.once.Do(func() { s.Open = s.open })
	return s.LinkScanner.Scan(ctx, opts)
}

// open serves the engine as the fields say now: a test may change the
// line between jobs.
func (s *linkScanner) open(ctx context.Context) (io.ReadWriteCloser, error) {
	eopts := s.opts
	eopts.Logger = slog.New(slog.NewTextHandler(&s.log, nil))
	return (&scansim.Pipe{Engine: s.engine, Options: eopts, Faults: s.line}).Open(ctx)
}
