// Package serial opens the scanner engine's UART as a byte stream for the
// scanner link (scan/link).
//
// The package is named serial, like github.com/tarm/serial, which it wraps;
// tarm.go imports that one as tarm, and no other file sees it.
//
// # Read contract
//
// The same contract as scan/spilink's, so the link above can treat every
// transport alike:
//
//   - Read blocks until at least one byte has arrived and returns what is
//     there, or returns (0, ErrTimeout) once Config.ReadTimeout has passed
//     with nothing. errors.Is(ErrTimeout, os.ErrDeadlineExceeded) is true,
//     and ErrTimeout has a Timeout method that reports true: it means
//     "nothing yet", never a broken port.
//   - Close makes a Read blocked in another goroutine return within about
//     100 ms, and every later Read or Write return an error wrapping
//     os.ErrClosed.
//   - A port that hung up (a USB adapter pulled out) makes Read return
//     ErrHangup, not io.EOF, which some readers take for "nothing yet".
//   - Other errors come from the device and are final.
//
// One goroutine may read while another writes. Write blocks until the
// kernel has taken the bytes; a UART without flow control always drains,
// so a Write, and a Close waiting for it, never blocks for long.
//
// # Why the wrapper
//
// tarm/serial has a fixed baud table, no RTS/CTS, and reports its read
// timeout as (0, io.EOF). Worse, its Close waits for a blocked Read to
// return, and without a read timeout that read only returns when a byte
// arrives. This package therefore always opens the device with the
// shortest read timeout a Linux tty offers (VTIME = 1, a tenth of a second)
// and waits out longer ReadTimeouts in a loop, checking for Close between
// the device's reads. That bounds Close, lets ReadTimeout be any length,
// and turns the library's (0, io.EOF) into ErrTimeout.
//
// Everything that knows about tarm/serial is in tarm.go: the baud table and
// openDevice. Moving to go.bug.st/serial (maintained, with flow control and
// a Close that wakes a blocked read) means rewriting that one file.
//
// Only cmd/ opens real devices; tests run over a pty pair.
package serial
