package scansim

import (
	"context"
	"errors"
	"io"
	"net"

	"scanmail/scan/link"
)

// Pipe is a scanner engine on the far end of a fresh pipe for each
// opening: the stand-in for a serial line to the board's engine, in tests
// of what drives the host's end.
type Pipe struct {
	Engine  link.Engine
	Options link.EngineOptions
	Faults  Faults // on what the engine writes (and reads, with Incoming)
}

// Open serves the engine on one end of a new pipe and returns the other.
// Closing it stops the engine and waits for it.
func (p *Pipe) Open(context.Context) (io.ReadWriteCloser, error) {
	host, eng := net.Pipe()
	ctx, stop := context.WithCancel(context.Background())
	served := make(chan error, 1)
	go func() { served <- link.Serve(ctx, p.Faults.Wrap(eng), p.Engine, p.Options) }()
	return &pipeEnd{Conn: host, shut: func() error {
		stop()
		err := <-served
		return errors.Join(err, host.Close(), eng.Close())
	}}, nil
}

type pipeEnd struct {
	net.Conn
	shut func() error
}

// Close stops the engine, then closes both ends, which ends the engine's
// last read.
func (e *pipeEnd) Close() error { return e.shut() }
