package link

import (
	"bytes"
	"encoding/binary"
	"errors"
	"fmt"
	"hash/crc32"
	"io"
	"os"
)

// FrameType says what a frame carries (PROTOCOL.md, "Frame types").
type FrameType uint8

// The frame types of protocol version 1.
const (
	TypeHello      FrameType = 0x01
	TypeStartJob   FrameType = 0x02
	TypeCancel     FrameType = 0x03
	TypeStripSize  FrameType = 0x04 // 1.2
	TypeAck        FrameType = 0x10
	TypeNak        FrameType = 0x11
	TypeHelloReply FrameType = 0x81
	TypeJobStart   FrameType = 0x82
	TypePageHeader FrameType = 0x83
	TypeStrip      FrameType = 0x84
	TypePageEnd    FrameType = 0x85
	TypeJobEnd     FrameType = 0x86
	TypeStatus     FrameType = 0x87
)

var typeNames = map[FrameType]string{
	TypeHello: "HELLO", TypeStartJob: "START_JOB", TypeCancel: "CANCEL", TypeStripSize: "STRIP_SIZE",
	TypeAck: "ACK", TypeNak: "NAK",
	TypeHelloReply: "HELLO_REPLY", TypeJobStart: "JOB_START", TypePageHeader: "PAGE_HEADER",
	TypeStrip: "STRIP", TypePageEnd: "PAGE_END", TypeJobEnd: "JOB_END", TypeStatus: "STATUS",
}

func (t FrameType) String() string {
	if s, ok := typeNames[t]; ok {
		return s
	}
	return fmt.Sprintf("FrameType(%#02x)", uint8(t))
}

// FlagRetransmit marks a frame sent before.
const FlagRetransmit = 0x01

// Frame sizes.
const (
	HeaderSize  = 20
	TrailerSize = 4
	// MaxPayload is the largest payload any frame may carry.
	MaxPayload = 64 << 10
)

// syncWord starts every frame.
var syncWord = []byte{0xA5, 0x5A, 0xC3, 0x3C}

var castagnoli = crc32.MakeTable(crc32.Castagnoli)

// Frame is one frame of the link, without its sync word and checks.
type Frame struct {
	Version uint8 // the sender's protocol major version
	Type    FrameType
	Flags   uint8
	// Tx numbers the sender's transmissions (protocol 1.2; 0 before): the
	// receiver echoes the last one it heard in its ACKs and NAKs, which
	// tells the sender exactly which copies were lost.
	Tx      uint8
	Seq     uint32
	Payload []byte
}

// AppendFrame appends f, encoded, to dst. The payload must not be longer
// than MaxPayload.
func AppendFrame(dst []byte, f Frame) []byte {
	start := len(dst)
	dst = append(dst, syncWord...)
	dst = append(dst, f.Version, byte(f.Type), f.Flags, f.Tx)
	dst = binary.LittleEndian.AppendUint32(dst, f.Seq)
	dst = binary.LittleEndian.AppendUint32(dst, uint32(len(f.Payload)))
	dst = binary.LittleEndian.AppendUint32(dst, crc32.Checksum(dst[start:start+16], castagnoli))
	dst = append(dst, f.Payload...)
	return binary.LittleEndian.AppendUint32(dst, crc32.Checksum(dst[start:], castagnoli))
}

// Reader reads frames from a byte stream that may lose, damage or add
// bytes. It skips garbage and damaged frames and finds the next good one
// (PROTOCOL.md, "Receiving and resynchronising").
//
// Its buffer is allocated once and holds one frame of the largest allowed
// size; each frame returned has its own payload.
type Reader struct {
	r          io.Reader
	maxPayload int
	buf        []byte // len(buf) is fixed; data is buf[start:end]
	start, end int
	err        error // a read error kept until the buffered frames are out
	discarded  int64

	// OnDamaged, if set, is called with the header of every frame whose
	// header check matched but whose frame check did not (its Payload is
	// nil): the frame was sent and damaged on the way, and its seq can be
	// trusted. The bytes still count as discarded.
	OnDamaged func(hdr Frame)
}

// NewReader reads frames from r, refusing payloads longer than maxPayload
// (at most MaxPayload; 0 means MaxPayload).
func NewReader(r io.Reader, maxPayload int) *Reader {
	if maxPayload <= 0 || maxPayload > MaxPayload {
		maxPayload = MaxPayload
	}
	return &Reader{r: r, maxPayload: maxPayload, buf: make([]byte, HeaderSize+maxPayload+TrailerSize)}
}

// Discarded is the number of bytes skipped so far as garbage or as parts of
// damaged frames.
func (r *Reader) Discarded() int64 { return r.discarded }

// ReadFrame returns the next good frame. It returns io.EOF when the
// underlying reader returns no bytes, with io.EOF or no error: on a serial
// port that is a read timeout, so the caller may call ReadFrame again later
// and the Reader goes on where it stopped. Other read errors are returned
// once the frames already buffered have been returned.
func (r *Reader) ReadFrame() (Frame, error) {
	for {
		f, need, ok := r.parse()
		if ok {
			return f, nil
		}
		if r.err != nil {
			err := r.err
			r.err = nil
			return Frame{}, err
		}
		if err := r.fill(need); err != nil {
			return Frame{}, err
		}
	}
}

// parse looks for a good frame in the buffer, dropping garbage. Without
// one, need is how many buffered bytes the next step wants.
func (r *Reader) parse() (f Frame, need int, ok bool) {
	for {
		data := r.buf[r.start:r.end]
		i := bytes.Index(data, syncWord)
		if i < 0 {
			// Keep a possible start of the sync word.
			keep := min(len(data), len(syncWord)-1)
			r.drop(len(data) - keep)
			return Frame{}, HeaderSize, false
		}
		r.drop(i)
		data = r.buf[r.start:r.end]
		if len(data) < HeaderSize {
			return Frame{}, HeaderSize, false
		}
		length := binary.LittleEndian.Uint32(data[12:16]) // compared unconverted: int may be 32 bits
		if data[4] == 0 || data[5] == 0 || length > uint32(r.maxPayload) ||
			binary.LittleEndian.Uint32(data[16:20]) != crc32.Checksum(data[:16], castagnoli) {
			r.drop(1)
			continue
		}
		n := int(length)
		size := HeaderSize + n + TrailerSize
		if len(data) < size {
			return Frame{}, size, false
		}
		f = Frame{
			Version: data[4],
			Type:    FrameType(data[5]),
			Flags:   data[6],
			Tx:      data[7],
			Seq:     binary.LittleEndian.Uint32(data[8:12]),
		}
		if binary.LittleEndian.Uint32(data[size-TrailerSize:size]) != crc32.Checksum(data[:size-TrailerSize], castagnoli) {
			if r.OnDamaged != nil {
				r.OnDamaged(f)
			}
			r.drop(1)
			continue
		}
		if n > 0 {
			f.Payload = bytes.Clone(data[HeaderSize : HeaderSize+n])
		}
		r.start += size
		return f, 0, true
	}
}

func (r *Reader) drop(n int) {
	r.start += n
	r.discarded += int64(n)
}

// fill reads at least once, making room for need bytes from start.
func (r *Reader) fill(need int) error {
	if r.start == r.end {
		r.start, r.end = 0, 0
	}
	if r.start+need > len(r.buf) || r.end == len(r.buf) {
		r.end = copy(r.buf, r.buf[r.start:r.end])
		r.start = 0
	}
	n, err := r.r.Read(r.buf[r.end:])
	if n < 0 || n > len(r.buf)-r.end {
		return errors.New("link: the byte stream returned an impossible count")
	}
	r.end += n
	switch {
	case n > 0:
		if err != nil && err != io.EOF {
			r.err = err
		}
		return nil
	case err == nil, errors.Is(err, os.ErrDeadlineExceeded):
		// A transport's read timeout (scan/serial, scan/spilink) is
		// silence on the line, not its end.
		return io.EOF
	}
	return err
}
