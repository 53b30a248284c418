package spilink

import (
	"encoding/binary"
	"errors"
	"fmt"
)

// Packet layout; see the package documentation.
const (
	// HeaderSize is the size of a packet's header; a packet of N bytes
	// carries up to N-HeaderSize bytes of payload.
	HeaderSize = 6
	// MinPacketSize and MaxPacketSize bound Options.PacketSize.
	MinPacketSize = 16
	MaxPacketSize = 65536
	// DefaultPacketSize fits Linux spidev's default buffer.
	DefaultPacketSize = 4096
	// Version is the packet format's version byte.
	Version = 1

	syncByte   = 0xA5
	fromHost   = 'H'
	fromEngine = 'E'
)

// errVoid marks an engine packet that shows nothing was armed for the
// transfer.
var errVoid = errors.New("spilink: void transfer")

// encode writes a host packet with payload into pkt, padding it with zeros.
func encode(pkt []byte, seq byte, payload []byte) {
	pkt[0] = syncByte
	pkt[1] = fromHost
	pkt[2] = Version
	pkt[3] = seq
	binary.LittleEndian.PutUint16(pkt[4:6], uint16(len(payload)))
	n := copy(pkt[HeaderSize:], payload)
	clear(pkt[HeaderSize+n:])
}

// decode checks an engine packet. It returns errVoid when the packet shows
// the engine was not armed, and an error wrapping ErrMalformed when its
// header makes no sense. The payload aliases pkt.
func decode(pkt []byte) (seq byte, payload []byte, err error) {
	if pkt[0] != syncByte {
		return 0, nil, errVoid
	}
	switch pkt[1] {
	case fromEngine:
	case fromHost:
		return 0, nil, fmt.Errorf("%w: the engine's packet is a host packet (is MISO looped back to MOSI?)", ErrMalformed)
	default:
		return 0, nil, errVoid
	}
	if pkt[2] != Version {
		return 0, nil, fmt.Errorf("%w: packet version %d, want %d", ErrMalformed, pkt[2], Version)
	}
	n := int(binary.LittleEndian.Uint16(pkt[4:6]))
	if limit := len(pkt) - HeaderSize; n > limit {
		return 0, nil, fmt.Errorf("%w: payload length %d in a %d-byte packet (at most %d)", ErrMalformed, n, len(pkt), limit)
	}
	return pkt[3], pkt[HeaderSize : HeaderSize+n], nil
}
