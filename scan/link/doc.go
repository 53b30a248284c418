// Package link is the scanner link: the protocol between the controller
// (the host, scanmaild) and the scanner engine, both ends of it. The
// protocol is written down in scan/PROTOCOL.md.
//
//	scan.Source     Host.Scan: pages whose Data streams strips off the link
//	     │
//	   job          START_JOB, PAGE_HEADER, STRIP…, PAGE_END, JOB_END, STATUS
//	     │
//	  session       HELLO, sequence numbers, ACK/NAK, selective repeat
//	     │          (1.2; go-back-N with a 1.1 peer), credit
//	     │
//	   frame        sync word, header, payload, CRC-32C; Reader resyncs
//	     │
//	 io.ReadWriter  serial port, SPI shim, pty, pipe (not owned here)
//
// Dial makes the host's end; its *Host has the daemon's Scanner method.
// Serve runs the engine's end for an Engine (the scanner's driver, or
// scan/scansim). Both run over any io.ReadWriter: reads may return short
// counts, and a read of no bytes (with a nil error or io.EOF, as a serial
// port's read timeout gives) means only "nothing yet"; all timing comes
// from the link's own timers.
//
// Each end runs a reader and a writer goroutine that never wait for each
// other, so both ends may even share one synchronous pipe. Neither closes
// the byte stream: its owner closes it after Host.Close or after Serve
// returns, which also ends the reader goroutine's last Read.
package link
