// Package spilink carries the scanner link's byte stream (scan/link) over
// SPI, where the controller is the master and the scanner engine a slave
// with a data-ready line.
//
// SPI moves bytes both ways at once, but only when the master clocks them.
// The host therefore exchanges fixed-size packets: every transfer sends one
// host packet on MOSI while it receives one engine packet on MISO. A Link
// turns that into an io.ReadWriter: Write queues bytes for the next
// packets, Read returns the engine's bytes in order.
//
//	scan/link      frames, ACK/NAK, retransmission
//	    │
//	  Link         io.ReadWriter: packets, sequence numbers, data-ready
//	    │
//	spi.Conn       one N-byte full-duplex transfer at a time  (+ gpio.PinIn)
//
// # Packets
//
// Both sides use the same packet size N (Options.PacketSize, default 4096,
// 16 … 65536). Every transfer is exactly N bytes each way, SPI mode 0, 8 bits
// a word, most significant bit first, chip select held for the whole
// transfer. A packet is:
//
//	offset size  field
//	0      1     sync, 0xA5
//	1      1     direction: 'H' (0x48) host → engine, 'E' (0x45) engine → host
//	2      1     version, 1
//	3      1     seq, 0 … 255, wrapping
//	4      2     length L of the payload, little-endian, 0 … N−6
//	6      L     payload: the next L bytes of the sender's stream
//	6+L    N−6−L padding, 0x00 when sent, ignored when received
//
// # The engine's side
//
//   - The engine arms one transfer at a time: its transmit buffer, holding its
//     next packet, and a receive buffer of N bytes, always together, and only
//     when it has room for N−6 more bytes of the host's stream. While nothing
//     is armed (it is still handling the last packet, or its input is full),
//     MISO must not carry a valid header: an idle line of 0x00 or 0xFF, or
//     the previous packet unchanged, will do. This is the flow control from
//     the engine to the host.
//   - Every transfer that completes on an armed buffer delivers the engine's
//     packet. The next packet gets seq + 1. The first packet after the
//     engine starts carries no payload and may have any seq.
//   - A host packet is valid if its sync, direction and version are right
//     and L ≤ N−6. The engine takes a valid packet's payload only if its seq
//     differs from that of the last valid host packet, empty ones included
//     (any seq is new after the engine starts). A packet with that same seq
//     is a retransmission of one it already has: it drops the payload.
//   - Data-ready: the engine asserts the line while an armed packet carries
//     payload, and releases it when chip select is asserted, no later than
//     the end of the transfer. It may also assert it after being busy, to end
//     the host's back-off (below) early. By default the line is active high;
//     the host pulls it down.
//
// # The host's side (this package)
//
//   - The host starts a transfer when the engine asserts data-ready (a
//     rising edge; with Options.Level also while the line stays asserted),
//     when it has bytes queued to send, or to repeat a void transfer (below).
//     It makes none while Options.ReceiveBuffer bytes wait unread: the
//     engine then waits with data-ready asserted.
//   - Host packets are numbered 0, 1, 2 … from New. Packet 0 carries no
//     payload, because the engine may still remember a seq from the host's
//     previous run. A packet takes up to N−6 queued bytes.
//   - A transfer is valid when the engine's packet has sync 0xA5, direction
//     'E', version 1, L ≤ N−6, and a seq different from the previous valid
//     engine packet's (any seq for the first one since New). Its payload is
//     appended to the stream Read returns, and the host's packet counts as
//     delivered: the next one gets seq + 1.
//   - A transfer is void when the engine's packet has no sync or direction
//     byte (nothing was armed) or repeats the previous seq (a stale buffer).
//     Whatever was received is dropped, and the host sends the very same
//     packet, byte for byte, in its next transfer: after 1 ms, doubling up to
//     100 ms while transfers stay void, or at the next data-ready edge if
//     that comes first. Repeating the packet unchanged, empty ones too, keeps
//     the engine's duplicate check sound: the engine's last seq is always the
//     host's current packet's or the one before it.
//   - An engine packet with sync and direction right but another version, or
//     L > N−6, is a protocol error; so is one that carries 'H' (MISO is
//     echoing MOSI). The Link then fails for good: Read returns the bytes it
//     already had, then an error wrapping ErrMalformed, and Write returns it
//     too. Close the Link and make a new one with New on the same conn.
//
// Corrupt payload bytes are not detected here: the frames above carry
// CRC-32C.
//
// # Reads, writes and timeouts
//
// Read follows the same contract as scan/serial: it returns the bytes that
// have arrived, or waits up to Options.ReadTimeout for some and returns
// (0, ErrTimeout), which wraps os.ErrDeadlineExceeded and means "nothing
// yet". Write never blocks: it queues the bytes and wakes the transfer loop.
// Flush waits until the engine has taken all of them. Close stops the loop;
// a blocked Read returns at once, and later calls return an error wrapping
// os.ErrClosed. Bytes still queued are dropped.
//
// # Testing
//
// Package spilinktest is the engine's end, written from this text: an
// spi.Conn with a gpiotest.Pin for data-ready and the engine's byte stream,
// so tests can run whole scanner-link jobs over a Link with no hardware.
//
// # Hardware
//
// The Link borrows the spi.Conn and the gpio.PinIn: it never closes them.
// Only cmd/ opens real hardware (spireg, gpioreg). Linux's spidev driver
// refuses transfers longer than its bufsiz parameter, 4096 bytes by default:
// larger packets need spidev.bufsiz set on the kernel command line. When the
// conn reports a smaller conn.Limits.MaxTxSize, New says so.
package spilink
