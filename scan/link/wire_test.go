package link_test

import (
	"context"
	"encoding/binary"
	"errors"
	"hash/crc32"
	"io"
	"net"
	"strings"
	"testing"
	"time"

	"scanmail/scan"
	"scanmail/scan/link"
)

// wire speaks frames by hand, from PROTOCOL.md, to play an end of another
// version.
type wire struct {
	t    *testing.T
	conn net.Conn
	r    *link.Reader
}

func newWire(t *testing.T, conn net.Conn) *wire {
	return &wire{t: t, conn: conn, r: link.NewReader(conn, 0)}
}

func (w *wire) send(f link.Frame) {
	w.t.Helper()
	if _, err := w.conn.Write(link.AppendFrame(nil, f)); err != nil {
		w.t.Errorf("write: %v", err)
	}
}

// next returns the next frame that is not an ACK or NAK.
func (w *wire) next() (link.Frame, bool) {
	w.t.Helper()
	w.conn.SetReadDeadline(time.Now().Add(5 * time.Second))
	for {
		f, err := w.r.ReadFrame()
		if err != nil {
			return f, false
		}
		if f.Type != link.TypeAck && f.Type != link.TypeNak {
			return f, true
		}
	}
}

func ackPayload(window uint16, txHigh uint32) []byte {
	b := binary.LittleEndian.AppendUint16(nil, window)
	b = append(b, 0, 0)
	return binary.LittleEndian.AppendUint32(b, txHigh)
}

// helloReply is a HELLO_REPLY payload of version major.minor, with bytes
// a later version might add at the end.
func helloReply(major, minor uint8) []byte {
	b := []byte{major, minor, 0, 1 << scan.ModeGray8}
	b = binary.LittleEndian.AppendUint32(b, 4096)
	b = append(b, 5, 'm', 'o', 'd', 'e', 'l', 2, 'f', 'w')
	return append(b, "future fields"...)
}

// fakeEngine answers one HELLO as an engine of version major.minor.
func fakeEngine(t *testing.T, conn net.Conn, major, minor uint8) {
	w := newWire(t, conn)
	hello, ok := w.next()
	if !ok || hello.Type != link.TypeHello {
		t.Errorf("want HELLO, got %v", hello.Type)
		return
	}
	if hello.Payload[0] != 1 || hello.Payload[1] != link.ProtocolMinor {
		t.Errorf("host speaks %d.%d", hello.Payload[0], hello.Payload[1])
	}
	isn := binary.LittleEndian.Uint32(hello.Payload[4:])
	w.send(link.Frame{Version: major, Type: link.TypeAck, Seq: hello.Seq, Payload: ackPayload(4, isn)})
	w.send(link.Frame{Version: major, Type: link.TypeHelloReply, Seq: isn, Payload: helloReply(major, minor)})
	io.Copy(io.Discard, conn) // the host's ACK, until the test closes the pipe
}

func TestVersionNegotiation(t *testing.T) {
	tests := []struct {
		major, minor uint8
		ok           bool
	}{
		{1, 0, true},
		{1, 7, true}, // a newer minor: accepted
		{2, 0, false},
		{3, 1, false},
	}
	for _, tt := range tests {
		hc, ec := net.Pipe()
		go fakeEngine(t, ec, tt.major, tt.minor)
		h, err := link.Dial(context.Background(), hc, link.HostOptions{AckTimeout: testAck})
		if tt.ok {
			if err != nil {
				t.Errorf("%d.%d: %v", tt.major, tt.minor, err)
			} else {
				info := h.Engine()
				if info.Version != (link.Version{Major: tt.major, Minor: tt.minor}) || info.Model != "model" ||
					info.Firmware != "fw" || info.StripSize != 4096 || len(info.Modes) != 1 {
					t.Errorf("%d.%d: engine info %+v", tt.major, tt.minor, info)
				}
				h.Close()
			}
		} else {
			var ve *link.VersionError
			want := "speaks link protocol " + link.Version{Major: tt.major, Minor: tt.minor}.String()
			if !errors.As(err, &ve) || !strings.Contains(err.Error(), want) {
				t.Errorf("%d.%d: got %v, want a VersionError saying %q", tt.major, tt.minor, err, want)
			}
		}
		hc.Close()
		ec.Close()
	}
}

// TestEngineRefusesMajor plays a host of version 2 against Serve.
func TestEngineRefusesMajor(t *testing.T) {
	hc, ec := net.Pipe()
	defer hc.Close()
	defer ec.Close()
	ctx, cancel := context.WithCancel(context.Background())
	served := make(chan error, 1)
	go func() {
		served <- link.Serve(ctx, ec, &memEngine{}, link.EngineOptions{AckTimeout: testAck})
	}()
	defer func() { cancel(); <-served }()

	w := newWire(t, hc)
	const hostISN, engineISN = 1000, 5000
	hello := []byte{2, 0, 0, 0}
	hello = binary.LittleEndian.AppendUint32(hello, engineISN)
	hello = binary.LittleEndian.AppendUint32(hello, 4096)
	w.send(link.Frame{Version: 2, Type: link.TypeHello, Seq: hostISN, Payload: hello})
	reply, ok := w.next()
	if !ok || reply.Type != link.TypeHelloReply || reply.Seq != engineISN {
		t.Fatalf("want HELLO_REPLY %d, got %v %d", engineISN, reply.Type, reply.Seq)
	}
	if reply.Payload[0] != 1 || reply.Payload[2] != 1 {
		t.Fatalf("engine %d.%d, result %d; want 1.x refusing", reply.Payload[0], reply.Payload[1], reply.Payload[2])
	}
	w.send(link.Frame{Version: 2, Type: link.TypeAck, Seq: engineISN, Payload: ackPayload(8, hostISN+1)})
	w.send(link.Frame{Version: 2, Type: link.TypeStartJob, Seq: hostISN + 1, Payload: []byte{1, 0, 75, 0, 1, 0, 0, 0}})
	st, ok := w.next()
	if !ok || st.Type != link.TypeStatus || st.Seq != engineISN+1 {
		t.Fatalf("want STATUS, got %v", st.Type)
	}
	if code := binary.LittleEndian.Uint16(st.Payload); code != uint16(link.CodeProtocol) || st.Payload[2]&1 == 0 {
		t.Errorf("STATUS code %d flags %d, want %d fatal", code, st.Payload[2], link.CodeProtocol)
	}
}

// fakeJob answers a HELLO and a START_JOB, then sends frames made from
// the engine's first seq after JOB_START.
func fakeJob(t *testing.T, conn net.Conn, frames func(seq uint32) []link.Frame) {
	defer conn.Close() // a host left waiting fails at once
	w := newWire(t, conn)
	// The host says HELLO when it connects and again before the job.
	var isn uint32
	var start link.Frame
	for {
		f, ok := w.next()
		if !ok {
			t.Errorf("the host went away")
			return
		}
		if f.Type == link.TypeStartJob {
			start = f
			break
		}
		if f.Type != link.TypeHello {
			t.Errorf("want HELLO or START_JOB, got %v", f.Type)
			return
		}
		isn = binary.LittleEndian.Uint32(f.Payload[4:])
		w.send(link.Frame{Version: 1, Type: link.TypeAck, Seq: f.Seq, Payload: ackPayload(4, isn)})
		w.send(link.Frame{Version: 1, Type: link.TypeHelloReply, Seq: isn, Payload: helloReply(1, 0)})
	}
	w.send(link.Frame{Version: 1, Type: link.TypeAck, Seq: start.Seq, Payload: ackPayload(4, isn+1)})
	w.send(link.Frame{Version: 1, Type: link.TypeJobStart, Seq: isn + 1, Payload: []byte{1, 0, 0, 0, 1, 0, 75, 0}})
	for _, f := range frames(isn + 2) {
		w.send(f)
	}
	io.Copy(io.Discard, conn)
}

// TestBadPages checks that a page whose data does not match what the
// engine says it sent is never delivered as good.
func TestBadPages(t *testing.T) {
	data := []byte("8 pixels")
	crc := crc32.Checksum(data, crc32.MakeTable(crc32.Castagnoli))
	header := []byte{1, 0, byte(scan.ModeGray8), 0, 4, 0, 0, 0, 2, 0, 0, 0, 75, 0, 0, 0} // 4x2 pixels
	strip := func(off uint64, b []byte) []byte { return append(binary.LittleEndian.AppendUint64(nil, off), b...) }
	pageEnd := func(crc uint32, n uint64) []byte {
		b := binary.LittleEndian.AppendUint32([]byte{1, 0, 0, 0}, crc)
		return binary.LittleEndian.AppendUint64(b, n)
	}
	tests := []struct {
		name string
		body [][]byte // STRIP payloads, then PAGE_END
		want error
	}{
		{"good", [][]byte{strip(0, data), pageEnd(crc, 8)}, nil},
		{"wrong CRC", [][]byte{strip(0, data), pageEnd(crc^1, 8)}, link.ErrPageCorrupt},
		{"wrong length", [][]byte{strip(0, data), pageEnd(crc, 9)}, link.ErrPageCorrupt},
		{"short page", [][]byte{strip(0, data[:4]), pageEnd(crc32.Checksum(data[:4], crc32.MakeTable(crc32.Castagnoli)), 4)}, link.ErrPageCorrupt},
		{"strip at a wrong offset", [][]byte{strip(0, data[:4]), strip(5, data[4:]), pageEnd(crc, 8)}, link.ErrProtocol},
		{"too much data", [][]byte{strip(0, data), strip(8, data), pageEnd(crc, 16)}, link.ErrProtocol},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			hc, ec := net.Pipe()
			defer hc.Close()
			defer ec.Close()
			go fakeJob(t, ec, func(seq uint32) []link.Frame {
				fs := []link.Frame{{Version: 1, Type: link.TypePageHeader, Seq: seq, Payload: header}}
				for i, b := range tt.body {
					typ := link.TypeStrip
					if i == len(tt.body)-1 {
						typ = link.TypePageEnd
					}
					fs = append(fs, link.Frame{Version: 1, Type: typ, Seq: seq + 1 + uint32(i), Payload: b})
				}
				return fs
			})
			ctx := context.Background()
			h, err := link.Dial(ctx, hc, link.HostOptions{AckTimeout: testAck})
			if err != nil {
				t.Fatal(err)
			}
			defer h.Close()
			src, err := h.Scan(ctx, scan.Options{DPI: 75})
			if err != nil {
				t.Fatal(err)
			}
			p, err := src.NextPage(ctx)
			if err != nil {
				t.Fatal(err)
			}
			got, err := io.ReadAll(p.Data)
			if !errors.Is(err, tt.want) || (tt.want == nil && string(got) != string(data)) {
				t.Fatalf("read %q, %v; want %v", got, err, tt.want)
			}
			if tt.want != nil {
				if _, err := p.Data.Read(make([]byte, 1)); !errors.Is(err, tt.want) {
					t.Errorf("a second read gives %v, not the error again", err)
				}
				if _, err := src.NextPage(ctx); !errors.Is(err, tt.want) {
					t.Errorf("NextPage after a bad page: %v", err)
				}
			}
		})
	}
}
