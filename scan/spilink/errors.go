package spilink

import (
	"errors"
	"fmt"
	"os"
)

// ErrTimeout is returned by Read when nothing arrived within
// Options.ReadTimeout. It wraps os.ErrDeadlineExceeded.
var ErrTimeout error = timeoutError{}

type timeoutError struct{}

func (timeoutError) Error() string { return "spilink: read timeout" }
func (timeoutError) Timeout() bool { return true }
func (timeoutError) Unwrap() error { return os.ErrDeadlineExceeded }

// ErrMalformed is wrapped by the error a Link fails with when the engine
// sends a packet whose header makes no sense.
var ErrMalformed = errors.New("spilink: malformed packet from the engine")

var errClosed = fmt.Errorf("spilink: link closed: %w", os.ErrClosed)
