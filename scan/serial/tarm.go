package serial

// This is the only file that knows the serial library. To swap it, keep
// SupportedBauds and openDevice's contract.

import (
	"io"
	"slices"

	tarm "github.com/tarm/serial"
)

// SupportedBauds returns the line speeds the serial library can set on
// Linux, lowest first. Speeds outside it, such as 14400 or 250000, cannot
// be set at all.
func SupportedBauds() []int {
	// tarm/serial's table in serial_linux.go, which follows termios's
	// B50 … B4000000 constants.
	return []int{
		50, 75, 110, 134, 150, 200, 300, 600, 1200, 1800, 2400, 4800,
		9600, 19200, 38400, 57600, 115200, 230400, 460800, 500000, 576000,
		921600, 1000000, 1152000, 1500000, 2000000, 2500000, 3000000,
		3500000, 4000000,
	}
}

// SupportedBaud reports whether baud is in SupportedBauds.
func SupportedBaud(baud int) bool {
	return slices.Contains(SupportedBauds(), baud)
}

// openDevice opens path raw, 8 data bits, no parity, one stop bit, no flow
// control. Its Read waits at most pollInterval and reports an empty wait as
// (0, io.EOF) or (0, nil).
func openDevice(path string, baud int) (io.ReadWriteCloser, error) {
	return tarm.OpenPort(&tarm.Config{Name: path, Baud: baud, ReadTimeout: pollInterval})
}
