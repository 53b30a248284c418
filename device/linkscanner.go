package device

import (
	"context"
	"errors"
	"fmt"
	"io"

	"scanmail/scan"
	"scanmail/scan/link"
)

// LinkScanner is a Scanner at the host's end of the scanner link. It runs
// each job over a freshly opened link, so that a scanner restarted or
// replugged between jobs needs no daemon restart, and its tally keeps
// what the links counted for the job records and the status.
type LinkScanner struct {
	Options link.HostOptions
	// Open opens the byte stream to the engine for one job: a serial
	// port, the SPI shim, or a pipe to a simulator. The link closes it
	// with the job.
	Open func(context.Context) (io.ReadWriteCloser, error)
	LinkTally
}

func (s *LinkScanner) Scan(ctx context.Context, opts scan.Options) (scan.Source, error) {
	conn, err := s.Open(ctx)
	if err != nil {
		return nil, fmt.Errorf("the scanner is not reachable: %w", err)
	}
	h, err := link.Dial(ctx, conn, s.Options)
	if err != nil {
		return nil, errors.Join(err, conn.Close())
	}
	s.Opened(h)
	src, err := h.Scan(ctx, opts)
	if err != nil {
		err = errors.Join(err, h.Close(), conn.Close())
		s.Closed(h)
		return nil, err
	}
	return &linkSource{Source: src, host: h, conn: conn, tally: &s.LinkTally}, nil
}

// linkSource closes the link and its byte stream with the job.
type linkSource struct {
	scan.Source
	host  *link.Host
	conn  io.Closer
	tally *LinkTally
}

func (s *linkSource) Close() error {
	err := errors.Join(s.Source.Close(), s.host.Close(), s.conn.Close())
	s.tally.Closed(s.host)
	return err
}
