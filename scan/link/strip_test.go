package link_test

import (
	"bytes"
	"context"
	"encoding/binary"
	"hash/crc32"
	"io"
	"net"
	"slices"
	"sync/atomic"
	"testing"

	"scanmail/scan"
	"scanmail/scan/link"
	"scanmail/scan/scansim"
)

// switchedLine is a line whose faults can be switched off and on between
// jobs: the same cable, before and after someone moved the motor's wires.
type switchedLine struct {
	clean  io.ReadWriter
	faulty *scansim.FaultyConn
	on     atomic.Bool
}

func (l *switchedLine) conn() io.ReadWriter {
	if l.on.Load() {
		return l.faulty
	}
	return l.clean
}

func (l *switchedLine) Read(p []byte) (int, error)  { return l.conn().Read(p) }
func (l *switchedLine) Write(p []byte) (int, error) { return l.conn().Write(p) }

// stripSizes are the data lengths of the STRIP frames among fs, first
// sends only.
func stripSizes(fs []link.Frame) []int {
	var n []int
	for _, f := range fs {
		if f.Type == link.TypeStrip && f.Flags&link.FlagRetransmit == 0 {
			n = append(n, len(f.Payload)-8)
		}
	}
	return n
}

// TestStripSizeFollowsTheLine: on a line at a bit error rate of 1e-4 the
// host asks for small strips, and when the same link is clean again it
// asks for the engine's largest; the pages are bit-identical throughout.
func TestStripSizeFollowsTheLine(t *testing.T) {
	t.Parallel()
	faults := scansim.Faults{BitErrorRate: 1e-4, Seed: 15}
	toHost, toEngine := &switchedLine{}, &switchedLine{}
	engineTap, hostTap := &tap{}, &tap{}
	r := newRig(t, &scansim.Simulator{}, rigOptions{
		engineConn: func(c net.Conn) io.ReadWriter {
			toHost.clean, toHost.faulty = c, faults.Wrap(c)
			engineTap.ReadWriter = toHost
			return engineTap
		},
		hostConn: func(c net.Conn) io.ReadWriter {
			f := faults
			f.Seed++
			toEngine.clean, toEngine.faulty = c, f.Wrap(c)
			hostTap.ReadWriter = toEngine
			return hostTap
		},
	})
	if st := r.host.Stats(); st.StripSize != 1024 {
		t.Errorf("a new link asks for %d-byte strips, want 1024", st.StripSize)
	}
	jobs := []struct {
		name     string
		faults   bool
		opts     scan.Options
		min, max int // the host's strip size after the job
	}{
		{"BER 1e-4", true, scan.Options{Mode: scan.ModeBW1, DPI: 75, Pages: 2}, 256, 512},
		{"clean", false, scan.Options{Mode: scan.ModeGray8, DPI: 75, Pages: 2}, 8192, 8192},
	}
	sent := 0
	for _, job := range jobs {
		toHost.on.Store(job.faults)
		toEngine.on.Store(job.faults)
		before := r.host.Stats()
		got, err := scanAll(t, r.host, job.opts)
		if err != nil {
			t.Fatalf("%s: %v", job.name, err)
		}
		hashes := r.engine.pages()[sent:]
		sent += len(hashes)
		checkIdentical(t, got, &recorder{hashes: hashes}, job.opts.Pages)
		st := r.host.Stats()
		sizes := stripSizes(engineTap.frames(true))
		t.Logf("%s: host stats %+v; first strips %v, last %v", job.name, st, sizes[:8], sizes[len(sizes)-8:])
		if st.StripSize < job.min || st.StripSize > job.max {
			t.Errorf("%s: the host asks for %d-byte strips, want %d…%d", job.name, st.StripSize, job.min, job.max)
		}
		if st.StripChanges == before.StripChanges {
			t.Errorf("%s: the strip size never changed", job.name)
		}
		// The engine did as asked (the last strip of a page is shorter):
		// its last strips follow the newest size asked, or the one
		// before it when the newest came as the page ended.
		asked := askedSizes(hostTap.frames(true))
		recent := asked[max(0, len(asked)-2):]
		for _, n := range sizes[len(sizes)-8 : len(sizes)-1] {
			if !slices.ContainsFunc(recent, func(a int) bool { return n <= a && n > a/2 }) {
				t.Errorf("%s: the engine sends strips of %d bytes, the host asked for %v", job.name, n, asked)
				break
			}
		}
	}
	if toHost.faulty.Counts().BitFlips == 0 {
		t.Errorf("the faults did not hit")
	}
}

// TestStripSizeOnlyFor12: a host never sends STRIP_SIZE to an engine of
// 1.1 or older, nor a host of 1.1 to anyone, and such links work as they
// did, at the engine's size, even on a line where a 1.2 pair would
// change it.
func TestStripSizeOnlyFor12(t *testing.T) {
	t.Parallel()
	latest := link.Version{Major: link.ProtocolMajor, Minor: link.ProtocolMinor}
	tests := []struct {
		name   string
		host   link.Version
		engine uint8
		sends  bool
	}{
		{"engine 1.0", latest, 0, false},
		{"engine 1.1", latest, 1, false},
		{"host 1.1", link.Version{Major: 1, Minor: 1}, link.ProtocolMinor, false},
		{"both latest", latest, link.ProtocolMinor, true},
	}
	for i, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			faults := scansim.Faults{BitErrorRate: 1e-5, Seed: int64(20 + i)}
			hostTap := &tap{}
			r := newRig(t, &scansim.Simulator{}, rigOptions{
				host:   link.HostOptions{Protocol: tt.host},
				engine: link.SpeakingMinor(link.EngineOptions{MaxStrip: 2048}, tt.engine),
				engineConn: func(c net.Conn) io.ReadWriter {
					return faults.Wrap(c)
				},
				hostConn: func(c net.Conn) io.ReadWriter {
					hostTap.ReadWriter = c
					return hostTap
				},
			})
			got, err := scanAll(t, r.host, scan.Options{Mode: scan.ModeBW1, DPI: 75, Pages: 2})
			if err != nil {
				t.Fatal(err)
			}
			checkIdentical(t, got, r.engine, 2)
			sent := 0
			for _, f := range hostTap.frames(false) {
				if f.Type == link.TypeStripSize {
					sent++
				}
			}
			st := r.host.Stats()
			t.Logf("host stats %+v; %d STRIP_SIZE sent", st, sent)
			if (sent > 0) != tt.sends {
				t.Errorf("%d STRIP_SIZE frames sent", sent)
			}
			if !tt.sends && (st.StripSize != 2048 || st.StripChanges != 0) {
				t.Errorf("strip size %d, %d changes; want the engine's 2048, none", st.StripSize, st.StripChanges)
			}
		})
	}
}

// handHost plays the host by hand, from PROTOCOL.md, on a clean pipe.
type handHost struct {
	t          *testing.T
	w          *wire
	seq        uint32 // the host's next seq
	engineNext uint32
}

func (h *handHost) send(typ link.FrameType, payload []byte) {
	h.w.send(link.Frame{Version: 1, Type: typ, Seq: h.seq, Payload: payload})
	h.seq++
}

// recv returns the engine's next frame and acknowledges it with a credit
// of one more, so that the engine runs at most a frame or two ahead.
func (h *handHost) recv() link.Frame {
	h.t.Helper()
	for {
		f, ok := h.w.next()
		if !ok {
			h.t.Fatalf("the engine sent nothing")
		}
		if int32(f.Seq-h.engineNext) > 0 {
			h.t.Fatalf("%v seq %d, want %d", f.Type, f.Seq, h.engineNext)
		}
		ok = f.Seq == h.engineNext // else resent by a slow machine's timer
		if ok {
			h.engineNext++
		}
		h.w.send(link.Frame{Version: 1, Type: link.TypeAck, Seq: h.engineNext - 1, Payload: ackPayload(1, h.seq)})
		if ok {
			return f
		}
	}
}

// TestStripSizeMidPage: STRIP_SIZE in the middle of a page changes the
// strips the engine makes after it, clamped to 256 … the HELLO's size,
// and the page stays exact: the offsets run on, rows end strips where
// they fit, and the data is the simulator's. An engine whose host said
// 1.1 ignores it.
func TestStripSizeMidPage(t *testing.T) {
	const width = 620 // gray A4 at 75 dpi: a row
	tests := []struct {
		name      string
		hostMinor uint8
		asks      []uint32 // STRIP_SIZE after every 6 strips
		want      []int    // the strips' size after each (before row ends)
	}{
		{"1.2", 2, []uint32{300, 10, 1 << 20, 4096, 1000}, []int{300, 256, 4096, 4096, 1000}},
		{"host 1.1", 1, []uint32{300, 10}, []int{4096, 4096}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			hc, ec := net.Pipe()
			defer hc.Close()
			defer ec.Close()
			ctx, cancel := context.WithCancel(context.Background())
			served := make(chan error, 1)
			sim := &scansim.Simulator{}
			go func() {
				served <- link.Serve(ctx, ec, sim, link.EngineOptions{AckTimeout: 10 * testAck})
			}()
			defer func() { cancel(); <-served }()

			const hostISN, engineISN = 7000, 90000
			h := &handHost{t: t, w: newWire(t, hc), seq: hostISN, engineNext: engineISN}
			hello := []byte{1, tt.hostMinor, 0, 0}
			hello = binary.LittleEndian.AppendUint32(hello, engineISN)
			hello = binary.LittleEndian.AppendUint32(hello, 4096)
			h.send(link.TypeHello, hello)
			if f := h.recv(); f.Type != link.TypeHelloReply {
				t.Fatalf("want HELLO_REPLY, got %v", f.Type)
			}
			h.send(link.TypeStartJob, []byte{byte(scan.ModeGray8), 0, 75, 0, 1, 0, 0, 0})
			for _, want := range []link.FrameType{link.TypeJobStart, link.TypePageHeader} {
				if f := h.recv(); f.Type != want {
					t.Fatalf("want %v, got %v", want, f.Type)
				}
			}

			// fits says whether a strip of n bytes at off is cut for a
			// size: the size, or up to a row's end within it.
			fits := func(size, off, n int) bool {
				if size < width {
					return n == size
				}
				return n <= size && n > size-width && (off+n)%width == 0
			}
			type strip struct{ off, n, phase int }
			var (
				page   []byte
				strips []strip
				phase  = -1 // the last STRIP_SIZE sent
				fitted int  // strips of its size so far
			)
			for {
				f := h.recv()
				if f.Type == link.TypePageEnd {
					crc := binary.LittleEndian.Uint32(f.Payload[4:])
					n := binary.LittleEndian.Uint64(f.Payload[8:])
					if n != uint64(len(page)) || crc != crc32.Checksum(page, crc32.MakeTable(crc32.Castagnoli)) {
						t.Errorf("PAGE_END says %d bytes with %08x; %d arrived", n, crc, len(page))
					}
					break
				}
				if f.Type != link.TypeStrip {
					t.Fatalf("want STRIP, got %v", f.Type)
				}
				if off := binary.LittleEndian.Uint64(f.Payload); off != uint64(len(page)) {
					t.Fatalf("strip at offset %d after %d bytes", off, len(page))
				}
				s := strip{len(page), len(f.Payload) - 8, phase}
				strips = append(strips, s)
				page = append(page, f.Payload[8:]...)
				if phase < 0 || fits(tt.want[phase], s.off, s.n) {
					fitted++
				}
				// The next size once six strips of this one came.
				if fitted == 6 && phase+1 < len(tt.asks) {
					phase++
					fitted = 0
					h.send(link.TypeStripSize, binary.LittleEndian.AppendUint32(nil, tt.asks[phase]))
				}
			}
			if phase+1 != len(tt.asks) || fitted == 0 {
				t.Fatalf("the page ended in phase %d after %d strips of its size", phase, fitted)
			}
			// After each STRIP_SIZE, strips the engine cut before it had
			// it, then strips of the new size only (the last strip of the
			// page may be short).
			prev, cut := 4096, false
			for i, s := range strips[:len(strips)-1] {
				if i > 0 && s.phase != strips[i-1].phase {
					prev, cut = 4096, false
					if s.phase > 0 {
						prev = tt.want[s.phase-1]
					}
				}
				if s.phase < 0 {
					continue
				}
				switch want := tt.want[s.phase]; {
				case fits(want, s.off, s.n):
					cut = true
				case cut || !fits(prev, s.off, s.n):
					t.Fatalf("after STRIP_SIZE %d: %d bytes at %d, want %d or up to a row's end (strips %v)",
						tt.asks[s.phase], s.n, s.off, want, strips[max(0, i-4):i+1])
				}
			}

			src, err := sim.Scan(context.Background(), scan.Options{Mode: scan.ModeGray8, DPI: 75, Pages: 1})
			if err != nil {
				t.Fatal(err)
			}
			defer src.Close()
			p, err := src.NextPage(context.Background())
			if err != nil {
				t.Fatal(err)
			}
			want, _ := io.ReadAll(p.Data)
			if !bytes.Equal(page, want) {
				t.Errorf("the page differs from the simulator's (%d bytes, want %d)", len(page), len(want))
			}
		})
	}
}

// TestStripSizeCarriesOver: a daemon dials a Host for each job; with a
// StripMemory the next Host on the line starts where the last one ended,
// since a bad cable stays bad.
func TestStripSizeCarriesOver(t *testing.T) {
	t.Parallel()
	mem := new(link.StripMemory)
	faults := scansim.Faults{BitErrorRate: 1e-4, Seed: 16}
	first := newRig(t, &scansim.Simulator{}, rigOptions{
		host:       link.HostOptions{Strips: mem},
		engineConn: func(c net.Conn) io.ReadWriter { return faults.Wrap(c) },
	})
	got, err := scanAll(t, first.host, scan.Options{Mode: scan.ModeBW1, DPI: 75, Pages: 1})
	if err != nil {
		t.Fatal(err)
	}
	checkIdentical(t, got, first.engine, 1)
	bad := first.host.Stats().StripSize
	if bad > 512 {
		t.Fatalf("strips of %d bytes after a job at BER 1e-4", bad)
	}
	first.host.Close()

	engineTap := &tap{}
	next := newRig(t, &scansim.Simulator{}, rigOptions{
		host: link.HostOptions{Strips: mem},
		engineConn: func(c net.Conn) io.ReadWriter {
			engineTap.ReadWriter = c
			return engineTap
		},
	})
	if st := next.host.Stats(); st.StripSize != bad {
		t.Errorf("the next Host starts at %d-byte strips, want the last one's %d", st.StripSize, bad)
	}
	got, err = scanAll(t, next.host, scan.Options{Mode: scan.ModeGray8, DPI: 75, Pages: 1})
	if err != nil {
		t.Fatal(err)
	}
	checkIdentical(t, got, next.engine, 1)
	if sizes := stripSizes(engineTap.frames(false)); sizes[0] > bad {
		t.Errorf("the next job's first strip has %d bytes, want at most %d", sizes[0], bad)
	}
	if st := next.host.Stats(); st.StripSize != 8192 {
		t.Errorf("strips of %d bytes after a job on a clean line, want 8192", st.StripSize)
	}
}

// askedSizes are the strip sizes in the STRIP_SIZE frames an end wrote, in
// order, a resent one once.
func askedSizes(fs []link.Frame) []int {
	var sizes []int
	for _, f := range fs {
		if f.Type != link.TypeStripSize || len(f.Payload) < 4 {
			continue
		}
		if n := int(binary.LittleEndian.Uint32(f.Payload)); len(sizes) == 0 || sizes[len(sizes)-1] != n {
			sizes = append(sizes, n)
		}
	}
	return sizes
}
