package link

import (
	"bytes"
	"encoding/binary"
	"errors"
	"hash/crc32"
	"io"
	"slices"
	"testing"
	"testing/iotest"
)

func sampleFrames() []Frame {
	big := make([]byte, MaxPayload)
	for i := range big {
		big[i] = byte(i * 7)
	}
	return []Frame{
		{Version: 1, Type: TypeHello, Seq: 1, Payload: helloMsg{version: ourVersion, engineISN: 99, maxStrip: 4096, name: "test"}.marshal()},
		{Version: 1, Type: TypeAck, Seq: 0xffffffff, Payload: ackMsg{window: 8, txHigh: 3}.marshal(nil)},
		{Version: 1, Type: TypeCancel, Seq: 7},
		{Version: 1, Type: TypeStrip, Flags: FlagRetransmit, Seq: 1 << 31, Payload: big},
		{Version: 2, Type: FrameType(0x99), Seq: 42, Payload: []byte{0xA5, 0x5A, 0xC3, 0x3C}}, // a sync word inside
	}
}

func encodeAll(fs []Frame) []byte {
	var b []byte
	for _, f := range fs {
		b = AppendFrame(b, f)
	}
	return b
}

// readAll reads frames until the reader reports no more data.
func readAll(t *testing.T, r *Reader) []Frame {
	t.Helper()
	var got []Frame
	for {
		f, err := r.ReadFrame()
		if err == io.EOF {
			return got
		}
		if err != nil {
			t.Fatalf("ReadFrame: %v", err)
		}
		got = append(got, f)
	}
}

func equalFrames(a, b []Frame) bool {
	return slices.EqualFunc(a, b, func(x, y Frame) bool {
		return x.Version == y.Version && x.Type == y.Type && x.Flags == y.Flags && x.Seq == y.Seq && bytes.Equal(x.Payload, y.Payload)
	})
}

func TestFrameRoundTrip(t *testing.T) {
	want := sampleFrames()
	stream := encodeAll(want)
	tests := []struct {
		name string
		r    io.Reader
	}{
		{"whole", bytes.NewReader(stream)},
		{"one byte a read", iotest.OneByteReader(bytes.NewReader(stream))},
		{"data with EOF", iotest.DataErrReader(bytes.NewReader(stream))},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := NewReader(tt.r, 0)
			got := readAll(t, r)
			if !equalFrames(got, want) {
				t.Fatalf("got %d frames, want %d, or they differ", len(got), len(want))
			}
			if r.Discarded() != 0 {
				t.Errorf("discarded %d bytes of a clean stream", r.Discarded())
			}
		})
	}
}

// timeoutReader behaves like tarm/serial with a read timeout: between its
// bytes come reads of nothing, with io.EOF or no error.
type timeoutReader struct {
	data []byte
	n    int
}

func (r *timeoutReader) Read(p []byte) (int, error) {
	r.n++
	switch {
	case r.n%3 == 1:
		return 0, io.EOF
	case r.n%3 == 2:
		return 0, nil
	case len(r.data) == 0:
		return 0, io.EOF
	}
	n := copy(p[:min(len(p), 5)], r.data)
	r.data = r.data[n:]
	return n, nil
}

// TestFrameTimeoutsResume checks that a Reader given no data resumes where
// it was: timeouts are not the end of the stream.
func TestFrameTimeoutsResume(t *testing.T) {
	want := sampleFrames()
	tr := &timeoutReader{data: encodeAll(want)}
	r := NewReader(tr, 0)
	var got []Frame
	for tries := 0; len(got) < len(want) && tries < 1e6; tries++ {
		f, err := r.ReadFrame()
		if err == io.EOF {
			continue
		}
		if err != nil {
			t.Fatal(err)
		}
		got = append(got, f)
	}
	if !equalFrames(got, want) {
		t.Fatalf("got %d frames, want %d", len(got), len(want))
	}
}

func TestFrameCorruption(t *testing.T) {
	good := Frame{Version: 1, Type: TypeStrip, Seq: 5, Payload: []byte("strip data for the corruption test")}
	next := Frame{Version: 1, Type: TypePageEnd, Seq: 6, Payload: pageEndMsg{page: 1, crc: 2, length: 3}.marshal()}
	enc := AppendFrame(nil, good)
	nextEnc := AppendFrame(nil, next)

	// Every single bit flip anywhere in a frame is detected, and the frame
	// behind it is still found.
	for bit := range len(enc) * 8 {
		bad := bytes.Clone(enc)
		bad[bit/8] ^= 0x80 >> (bit % 8)
		r := NewReader(bytes.NewReader(append(bad, nextEnc...)), 0)
		got := readAll(t, r)
		if !equalFrames(got, []Frame{next}) {
			t.Fatalf("bit %d flipped: got %d frames %+v, want only the next one", bit, len(got), got)
		}
	}

	withLength := func(n uint32) []byte {
		b := bytes.Clone(enc)
		binary.LittleEndian.PutUint32(b[12:], n)
		binary.LittleEndian.PutUint32(b[16:], crc32c(b[:16])) // a sane-looking header
		return b
	}
	garbage := []byte{0xA5, 0x5A, 0xC3, 0x3C, 1, 1, 0, 0, 0xA5, 0x5A, 0xff, 0xA5, 0x5A, 0xC3}
	tests := []struct {
		name   string
		stream []byte
		want   []Frame
	}{
		{"truncated then good", append(bytes.Clone(enc[:len(enc)-7]), nextEnc...), []Frame{next}},
		{"truncated header then good", append(bytes.Clone(enc[:11]), nextEnc...), []Frame{next}},
		{"length over the limit", append(withLength(MaxPayload+1), nextEnc...), []Frame{next}},
		{"length negative as a 32-bit int", append(withLength(1<<31+8), nextEnc...), []Frame{next}},
		{"length too short", append(withLength(3), nextEnc...), []Frame{next}},
		{"length too long", append(withLength(uint32(len(good.Payload)+10)), append(nextEnc, nextEnc...)...), []Frame{next, next}},
		{"garbage prefix", append(bytes.Clone(garbage), enc...), []Frame{good}},
		{"garbage between", append(append(bytes.Clone(enc), garbage...), nextEnc...), []Frame{good, next}},
		{"frame inside a damaged frame", append(append(bytes.Clone(enc[:30]), nextEnc...), enc[30:]...), []Frame{next}},
		{"zero version", append(func() []byte {
			b := bytes.Clone(enc)
			b[4] = 0
			binary.LittleEndian.PutUint32(b[16:], crc32c(b[:16]))
			return b
		}(), nextEnc...), []Frame{next}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := NewReader(bytes.NewReader(tt.stream), 0)
			got := readAll(t, r)
			if !equalFrames(got, tt.want) {
				t.Fatalf("got %+v, want %+v", got, tt.want)
			}
			if r.Discarded() == 0 {
				t.Errorf("nothing discarded")
			}
		})
	}
}

// TestFrameLongLength checks the case the header check exists for: a
// damaged length would make a receiver wait for bytes that never come.
func TestFrameLongLength(t *testing.T) {
	enc := AppendFrame(nil, Frame{Version: 1, Type: TypeStrip, Seq: 1, Payload: []byte("abc")})
	next := Frame{Version: 1, Type: TypeAck, Seq: 9, Payload: ackMsg{}.marshal(nil)}
	bad := bytes.Clone(enc)
	bad[14] ^= 0x01 // length 3 + 64 KiB: the header check catches it
	r := NewReader(bytes.NewReader(append(bad, AppendFrame(nil, next)...)), 0)
	if got := readAll(t, r); !equalFrames(got, []Frame{next}) {
		t.Fatalf("got %+v", got)
	}
}

func TestFrameReadError(t *testing.T) {
	boom := errors.New("boom")
	f := Frame{Version: 1, Type: TypeCancel, Seq: 3}
	r := NewReader(io.MultiReader(bytes.NewReader(AppendFrame(nil, f)), iotest.ErrReader(boom)), 0)
	if got, err := r.ReadFrame(); err != nil || got.Seq != 3 {
		t.Fatalf("first frame: %+v, %v", got, err)
	}
	if _, err := r.ReadFrame(); !errors.Is(err, boom) {
		t.Fatalf("want the read error, got %v", err)
	}
}

func TestFrameAllocations(t *testing.T) {
	stream := AppendFrame(nil, Frame{Version: 1, Type: TypeStrip, Seq: 1, Payload: make([]byte, 4096)})
	br := bytes.NewReader(stream)
	r := NewReader(br, 0)
	allocs := testing.AllocsPerRun(100, func() {
		br.Reset(stream)
		if _, err := r.ReadFrame(); err != nil {
			t.Fatal(err)
		}
	})
	if allocs > 1 {
		t.Errorf("%v allocations a frame, want 1 (the payload)", allocs)
	}
}

func crc32c(b []byte) uint32 { return crc32.Checksum(b, castagnoli) }

func FuzzReadFrame(f *testing.F) {
	const limit = 300
	for _, fr := range sampleFrames() {
		if len(fr.Payload) <= limit {
			f.Add(AppendFrame(nil, fr))
		}
	}
	small := AppendFrame(nil, Frame{Version: 1, Type: TypeStrip, Seq: 9, Payload: []byte("0123456789")})
	f.Add(append([]byte{0xA5, 0x5A, 0xC3}, small...))
	f.Add(small[:len(small)-1])
	f.Add(append(bytes.Clone(small[:25]), small...))
	f.Add([]byte{0xA5, 0x5A, 0xC3, 0x3C, 1, 1, 0, 0, 0, 0, 0, 0, 0xff, 0xff, 0xff, 0xff})
	f.Add([]byte{})
	f.Fuzz(func(t *testing.T, data []byte) {
		r := NewReader(iotest.OneByteReader(bytes.NewReader(data)), limit)
		size := len(r.buf)
		var got []Frame
		for {
			fr, err := r.ReadFrame()
			if err != nil {
				break
			}
			if len(fr.Payload) > limit {
				t.Fatalf("payload of %d bytes, limit %d", len(fr.Payload), limit)
			}
			got = append(got, fr)
		}
		if len(r.buf) != size || cap(r.buf) != size {
			t.Fatalf("buffer grew from %d to %d", size, cap(r.buf))
		}
		if r.Discarded() > int64(len(data)) {
			t.Fatalf("discarded %d of %d bytes", r.Discarded(), len(data))
		}
		// What was read encodes back to frames that read the same.
		again := readAll(t, NewReader(bytes.NewReader(encodeAll(got)), limit))
		if !equalFrames(got, again) {
			t.Fatalf("frames do not round-trip")
		}
	})
}

// TestReaderReportsDamaged: a frame whose header check matches and whose
// frame check does not is reported with its header, so a receiver can
// name what it lost; garbage and a damaged header are not.
func TestReaderReportsDamaged(t *testing.T) {
	good := func(seq uint32) Frame {
		return Frame{Version: 1, Type: TypeStrip, Tx: uint8(seq), Seq: seq, Payload: bytes.Repeat([]byte{byte(seq)}, 100)}
	}
	damage := func(at int) func([]byte) []byte {
		return func(b []byte) []byte { b[at] ^= 0x10; return b }
	}
	tests := []struct {
		name    string
		hurt    func([]byte) []byte // on the middle frame's bytes
		damaged []uint32
	}{
		{"payload", damage(HeaderSize + 50), []uint32{2}},
		{"frame check", damage(HeaderSize + 100 + 1), []uint32{2}},
		{"header", damage(9), nil},
		{"sync word", damage(1), nil},
		{"cut short", func(b []byte) []byte { return b[:HeaderSize+60] }, []uint32{2}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			stream := AppendFrame(nil, good(1))
			stream = append(stream, tt.hurt(AppendFrame(nil, good(2)))...)
			stream = AppendFrame(stream, good(3))
			r := NewReader(bytes.NewReader(stream), 0)
			var damaged []uint32
			r.OnDamaged = func(hdr Frame) {
				if hdr.Type != TypeStrip || hdr.Tx != uint8(hdr.Seq) || hdr.Payload != nil {
					t.Errorf("damaged header %+v", hdr)
				}
				damaged = append(damaged, hdr.Seq)
			}
			got := readAll(t, r)
			if !equalFrames(got, []Frame{good(1), good(3)}) {
				t.Errorf("got %d frames, want frames 1 and 3", len(got))
			}
			if !slices.Equal(damaged, tt.damaged) {
				t.Errorf("reported damaged %v, want %v", damaged, tt.damaged)
			}
		})
	}
}
