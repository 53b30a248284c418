package link

import (
	"encoding/binary"
	"fmt"
	"strings"
	"unicode"

	"scanmail/scan"
)

// Version is a link protocol version. Ends with the same Major work
// together; Minor only adds what an older end may ignore.
type Version struct {
	Major, Minor uint8
}

// The protocol version this package speaks.
const (
	ProtocolMajor = 1
	// ProtocolMinor 1 added 2-sided scanning: HELLO_REPLY's features,
	// START_JOB's flags and PAGE_HEADER's side. 2 added selective repeat
	// and immediate damage reports.
	ProtocolMinor = 2
)

// minorDuplex is the first minor version that can scan both sides.
const minorDuplex = 1

// minorSelective is the first minor version with selective repeat: the
// frame header's Tx and the longer ACK and NAK.
const minorSelective = 2

// HELLO_REPLY's feature bits (1.1).
const featureDuplex = 1 << 0

// START_JOB's flag bits (1.1).
const jobDuplex = 1 << 0

var ourVersion = Version{Major: ProtocolMajor, Minor: ProtocolMinor}

func (v Version) String() string { return fmt.Sprintf("%d.%d", v.Major, v.Minor) }

// orLatest is v, or the version this package speaks for the zero value.
func (v Version) orLatest() Version {
	if v == (Version{}) {
		return ourVersion
	}
	return v
}

// Limits of the payload fields.
const (
	stripHeader = 8 // a STRIP's offset field
	// MaxStrip is the largest STRIP data a frame can carry.
	MaxStrip = MaxPayload - stripHeader
	// minStripSize is the smallest strip STRIP_SIZE may ask for.
	minStripSize = 256
	maxNameLen   = 64
	maxTextLen   = 256
	maxPageSide  = 1 << 16 // pixels; A3 at 1200 dpi is 19843
)

// The payloads, one type each (PROTOCOL.md, "Payloads"). Every parse
// accepts trailing bytes, which a later minor version may add.

type helloMsg struct {
	version   Version
	engineISN uint32
	maxStrip  uint32
	name      string
}

func (m helloMsg) marshal() []byte {
	b := []byte{m.version.Major, m.version.Minor, 0, 0}
	b = binary.LittleEndian.AppendUint32(b, m.engineISN)
	b = binary.LittleEndian.AppendUint32(b, m.maxStrip)
	return append(b, truncate(m.name, maxNameLen)...)
}

func parseHello(p []byte) (helloMsg, error) {
	if len(p) < 12 {
		return helloMsg{}, shortPayload(TypeHello, p)
	}
	return helloMsg{
		version:   Version{p[0], p[1]},
		engineISN: binary.LittleEndian.Uint32(p[4:]),
		maxStrip:  binary.LittleEndian.Uint32(p[8:]),
		name:      text(p[12:min(len(p), 12+maxNameLen)]),
	}, nil
}

// The result byte of HELLO_REPLY.
const (
	helloAccepted     = 0
	helloIncompatible = 1
)

type helloReplyMsg struct {
	version   Version
	result    uint8
	modes     uint8 // bit m: mode m
	stripSize uint32
	model     string
	firmware  string
	features  uint8 // 1.1: featureDuplex
}

func (m helloReplyMsg) marshal() []byte {
	b := []byte{m.version.Major, m.version.Minor, m.result, m.modes}
	b = binary.LittleEndian.AppendUint32(b, m.stripSize)
	model, fw := truncate(m.model, maxNameLen), truncate(m.firmware, maxNameLen)
	b = append(append(b, byte(len(model))), model...)
	b = append(append(b, byte(len(fw))), fw...)
	if m.version.Minor >= minorDuplex {
		b = append(b, m.features)
	}
	return b
}

func parseHelloReply(p []byte) (helloReplyMsg, error) {
	if len(p) < 4 {
		return helloReplyMsg{}, shortPayload(TypeHelloReply, p)
	}
	m := helloReplyMsg{version: Version{p[0], p[1]}, result: p[2], modes: p[3]}
	if m.version.Major != ProtocolMajor {
		// Only the first four bytes are the same in every major version.
		return m, nil
	}
	if len(p) < 9 {
		return m, shortPayload(TypeHelloReply, p)
	}
	m.stripSize = binary.LittleEndian.Uint32(p[4:])
	rest := p[8:]
	var ok bool
	if m.model, rest, ok = lenString(rest); !ok {
		return m, shortPayload(TypeHelloReply, p)
	}
	if m.firmware, rest, ok = lenString(rest); !ok {
		return m, shortPayload(TypeHelloReply, p)
	}
	if len(rest) > 0 {
		m.features = rest[0]
	}
	return m, nil
}

type startJobMsg struct {
	mode     scan.Mode
	dpi      int
	maxPages int
	duplex   bool // 1.1
}

func (m startJobMsg) marshal() []byte {
	var flags byte
	if m.duplex {
		flags |= jobDuplex
	}
	b := []byte{byte(m.mode), flags}
	b = binary.LittleEndian.AppendUint16(b, uint16(m.dpi))
	b = binary.LittleEndian.AppendUint16(b, uint16(m.maxPages))
	return append(b, 0, 0)
}

func parseStartJob(p []byte) (startJobMsg, error) {
	if len(p) < 8 {
		return startJobMsg{}, shortPayload(TypeStartJob, p)
	}
	return startJobMsg{
		mode:     scan.Mode(p[0]),
		duplex:   p[1]&jobDuplex != 0,
		dpi:      int(binary.LittleEndian.Uint16(p[2:])),
		maxPages: int(binary.LittleEndian.Uint16(p[4:])),
	}, nil
}

type jobStartMsg struct {
	jobID uint32
	mode  scan.Mode
	dpi   int
}

func (m jobStartMsg) marshal() []byte {
	b := binary.LittleEndian.AppendUint32(nil, m.jobID)
	b = append(b, byte(m.mode), 0)
	return binary.LittleEndian.AppendUint16(b, uint16(m.dpi))
}

func parseJobStart(p []byte) (jobStartMsg, error) {
	if len(p) < 8 {
		return jobStartMsg{}, shortPayload(TypeJobStart, p)
	}
	return jobStartMsg{
		jobID: binary.LittleEndian.Uint32(p),
		mode:  scan.Mode(p[4]),
		dpi:   int(binary.LittleEndian.Uint16(p[6:])),
	}, nil
}

// minorStripSize is the first minor version in which the host may change
// the strip size during a session (STRIP_SIZE).
const minorStripSize = 2

// stripSizeMsg is STRIP_SIZE's payload (1.2): the largest strip the host
// wants from now on.
type stripSizeMsg struct {
	size uint32
}

func (m stripSizeMsg) marshal() []byte {
	return binary.LittleEndian.AppendUint32(nil, m.size)
}

func parseStripSize(p []byte) (stripSizeMsg, error) {
	if len(p) < 4 {
		return stripSizeMsg{}, shortPayload(TypeStripSize, p)
	}
	return stripSizeMsg{size: binary.LittleEndian.Uint32(p)}, nil
}

type pageHeaderMsg struct {
	page int
	hdr  scan.PageHeader
}

func (m pageHeaderMsg) marshal() []byte {
	b := binary.LittleEndian.AppendUint16(nil, uint16(m.page))
	var side byte
	if m.hdr.Back {
		side = 1
	}
	b = append(b, byte(m.hdr.Mode), side)
	b = binary.LittleEndian.AppendUint32(b, uint32(m.hdr.Width))
	b = binary.LittleEndian.AppendUint32(b, uint32(m.hdr.Height))
	b = binary.LittleEndian.AppendUint16(b, uint16(m.hdr.DPI))
	return append(b, 0, 0)
}

func parsePageHeader(p []byte) (pageHeaderMsg, error) {
	if len(p) < 16 {
		return pageHeaderMsg{}, shortPayload(TypePageHeader, p)
	}
	w, h := binary.LittleEndian.Uint32(p[4:]), binary.LittleEndian.Uint32(p[8:])
	m := pageHeaderMsg{
		page: int(binary.LittleEndian.Uint16(p)),
		hdr: scan.PageHeader{
			Mode: scan.Mode(p[2]),
			Back: p[3] == 1,
			DPI:  int(binary.LittleEndian.Uint16(p[12:])),
		},
	}
	if w == 0 || h == 0 || w > maxPageSide || h > maxPageSide || m.hdr.DPI == 0 ||
		m.hdr.Mode < scan.ModeGray8 || m.hdr.Mode > scan.ModeJPEG {
		return m, fmt.Errorf("%w: page header %dx%d at %d dpi, mode %d", ErrProtocol, w, h, m.hdr.DPI, p[2])
	}
	m.hdr.Width, m.hdr.Height = int(w), int(h)
	return m, nil
}

// A STRIP payload is the offset then the data; it is built in place by
// the engine, so only the parse is here.
func parseStrip(p []byte) (offset uint64, data []byte, err error) {
	if len(p) <= stripHeader {
		return 0, nil, shortPayload(TypeStrip, p)
	}
	return binary.LittleEndian.Uint64(p), p[stripHeader:], nil
}

type pageEndMsg struct {
	page   int
	crc    uint32
	length uint64
}

func (m pageEndMsg) marshal() []byte {
	b := binary.LittleEndian.AppendUint16(nil, uint16(m.page))
	b = append(b, 0, 0)
	b = binary.LittleEndian.AppendUint32(b, m.crc)
	return binary.LittleEndian.AppendUint64(b, m.length)
}

func parsePageEnd(p []byte) (pageEndMsg, error) {
	if len(p) < 16 {
		return pageEndMsg{}, shortPayload(TypePageEnd, p)
	}
	return pageEndMsg{
		page:   int(binary.LittleEndian.Uint16(p)),
		crc:    binary.LittleEndian.Uint32(p[4:]),
		length: binary.LittleEndian.Uint64(p[8:]),
	}, nil
}

// The reason byte of JOB_END.
const (
	jobDone      = 0
	jobCancelled = 1
)

type jobEndMsg struct {
	pages  int
	reason uint8
}

func (m jobEndMsg) marshal() []byte {
	b := binary.LittleEndian.AppendUint16(nil, uint16(m.pages))
	return append(b, m.reason, 0)
}

func parseJobEnd(p []byte) (jobEndMsg, error) {
	if len(p) < 4 {
		return jobEndMsg{}, shortPayload(TypeJobEnd, p)
	}
	return jobEndMsg{pages: int(binary.LittleEndian.Uint16(p)), reason: p[2]}, nil
}

const statusFatal = 0x01

type statusMsg struct {
	code  EngineCode
	fatal bool
	text  string
}

func (m statusMsg) marshal() []byte {
	b := binary.LittleEndian.AppendUint16(nil, uint16(m.code))
	var flags byte
	if m.fatal {
		flags = statusFatal
	}
	b = append(b, flags, 0)
	return append(b, truncate(m.text, maxTextLen)...)
}

func parseStatus(p []byte) (statusMsg, error) {
	if len(p) < 4 {
		return statusMsg{}, shortPayload(TypeStatus, p)
	}
	return statusMsg{
		code:  EngineCode(binary.LittleEndian.Uint16(p)),
		fatal: p[2]&statusFatal != 0,
		text:  text(p[4:min(len(p), 4+maxTextLen)]),
	}, nil
}

// ackMsg is the payload of ACK and NAK. A 1.2 end adds the selective
// acknowledgement and the last transmission it heard (PROTOCOL.md, "ACK
// and NAK"); without them the peer is answered as 1.1 did (go-back-N).
type ackMsg struct {
	window uint16
	txHigh uint32
	// 1.2: selective is true if the fields below were sent.
	selective bool
	// sack bit i: the receiver holds frame first-missing + 1 + i.
	sack uint32
	// heard is the Tx of the last reliable frame whose header arrived,
	// intact or damaged; valid only with heardOK.
	heard   uint8
	heardOK bool
}

const (
	ackSize1_1 = 8
	ackSize1_2 = 16
	// sackBits is how far past the first missing frame a receiver can
	// tell what it holds, and so how far it holds frames out of order.
	sackBits = 32
	// ackHeard is the flag bit of a 1.2 ACK saying heard is valid.
	ackHeard = 1 << 0
)

func (m ackMsg) marshal(dst []byte) []byte {
	dst = binary.LittleEndian.AppendUint16(dst, m.window)
	dst = append(dst, 0, 0)
	dst = binary.LittleEndian.AppendUint32(dst, m.txHigh)
	if !m.selective {
		return dst
	}
	dst = binary.LittleEndian.AppendUint32(dst, m.sack)
	var flags byte
	if m.heardOK {
		flags |= ackHeard
	}
	return append(dst, m.heard, flags, 0, 0)
}

func parseAck(p []byte) (ackMsg, bool) {
	if len(p) < ackSize1_1 {
		return ackMsg{}, false
	}
	m := ackMsg{window: binary.LittleEndian.Uint16(p), txHigh: binary.LittleEndian.Uint32(p[4:])}
	if len(p) >= ackSize1_2 {
		m.selective = true
		m.sack = binary.LittleEndian.Uint32(p[8:])
		m.heard = p[12]
		m.heardOK = p[13]&ackHeard != 0
	}
	return m, true
}

func lenString(p []byte) (s string, rest []byte, ok bool) {
	if len(p) < 1 || len(p) < 1+int(p[0]) {
		return "", nil, false
	}
	n := int(p[0])
	return text(p[1 : 1+n]), p[1+n:], true
}

// text is a string field as the other end sent it, made safe to log and
// to show on the panel: line breaks and other spaces become a space, and
// control and format characters go (C0 and C1 controls, DEL, bidi
// overrides and isolates), so that an engine's words cannot drive a
// terminal or reorder the text around them. The fields are short by the
// protocol (maxNameLen, maxTextLen).
func text(p []byte) string {
	return strings.Map(func(r rune) rune {
		switch {
		case unicode.IsSpace(r):
			return ' '
		case !unicode.IsPrint(r):
			return -1
		}
		return r
	}, string(p))
}

func truncate(s string, n int) string {
	if len(s) > n {
		return s[:n]
	}
	return s
}

func shortPayload(t FrameType, p []byte) error {
	return fmt.Errorf("%w: %v payload of %d bytes is too short", ErrProtocol, t, len(p))
}

func modeBit(m scan.Mode) uint8 {
	if m < 1 || m > 7 {
		return 0
	}
	return 1 << m
}
