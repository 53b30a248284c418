package link_test

import (
	"bytes"
	"io"
	"math/rand/v2"
	"net"
	"sync"
	"testing"

	"scanmail/scan"
	"scanmail/scan/link"
	"scanmail/scan/scansim"
)

// noisePage is a 300 KB gray page of pseudo-random pixels.
func noisePage() *memEngine {
	hdr := scan.PageHeader{Width: 640, Height: 480, DPI: 75, Mode: scan.ModeGray8}
	data := make([]byte, hdr.Width*hdr.Height)
	rng := rand.New(rand.NewPCG(15, 15))
	for i := range data {
		data[i] = byte(rng.Uint32())
	}
	return &memEngine{hdr: hdr, data: data}
}

// tap keeps a copy of every byte an end writes, before the line's faults.
type tap struct {
	io.ReadWriter
	mu  sync.Mutex
	out bytes.Buffer
}

func (t *tap) Write(p []byte) (int, error) {
	t.mu.Lock()
	t.out.Write(p)
	t.mu.Unlock()
	return t.ReadWriter.Write(p)
}

// frames are the frames the end wrote so far, forgotten with reset.
func (t *tap) frames(reset bool) []link.Frame {
	t.mu.Lock()
	b := bytes.Clone(t.out.Bytes())
	if reset {
		t.out.Reset()
	}
	t.mu.Unlock()
	r := link.NewReader(bytes.NewReader(b), 0)
	var fs []link.Frame
	for {
		f, err := r.ReadFrame()
		if err != nil {
			return fs
		}
		fs = append(fs, f)
	}
}

// speaks11 reports what in an end's frames is not protocol 1.1: a
// transmission number in the header, or an ACK or NAK longer than 8 bytes.
func speaks11(fs []link.Frame) (bad int) {
	for _, f := range fs {
		if f.Tx != 0 || (f.Type == link.TypeAck || f.Type == link.TypeNak) && len(f.Payload) != 8 {
			bad++
		}
	}
	return bad
}

// noisyRig joins a host and an engine through a line with faults on what
// each end writes (seeded apart), tapping both ends' clean output.
func noisyRig(t *testing.T, faults scansim.Faults, o rigOptions) (r *rig, toHost, toEngine *scansim.FaultyConn, hostTap, engineTap *tap) {
	o.engineConn = func(c net.Conn) io.ReadWriter {
		toHost = faults.Wrap(c)
		engineTap = &tap{ReadWriter: toHost}
		return engineTap
	}
	o.hostConn = func(c net.Conn) io.ReadWriter {
		f := faults
		f.Seed += 1000
		f.Incoming = false // once is enough
		toEngine = f.Wrap(c)
		hostTap = &tap{ReadWriter: toEngine}
		return hostTap
	}
	r = newRig(t, noisePage(), o)
	return r, toHost, toEngine, hostTap, engineTap
}

// TestNoisyLine12: pages arrive bit-identical under each fault mix of
// issue 15's table with both ends at 1.2, and the host counts the damage.
func TestNoisyLine12(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name   string
		faults scansim.Faults
		strip  int
	}{
		{"ber 1e-6", scansim.Faults{BitErrorRate: 1e-6}, 8 << 10},
		{"ber 1e-5", scansim.Faults{BitErrorRate: 1e-5}, 4 << 10},
		{"ber 1e-4", scansim.Faults{BitErrorRate: 1e-4}, 1 << 10},
		{"1% frames dropped", scansim.Faults{DropRate: 0.01}, 8 << 10},
		{"ber 1e-5, 1% drops and dups, both directions", scansim.Faults{BitErrorRate: 1e-5, DropRate: 0.01, DupRate: 0.01, Incoming: true}, 2 << 10},
		{"single bytes lost at 1e-4", scansim.Faults{ByteDropRate: 1e-4}, 1 << 10},
	}
	for i, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			tt.faults.Seed = int64(i + 1)
			r, toHost, _, hostTap, engineTap := noisyRig(t, tt.faults, rigOptions{engine: link.EngineOptions{MaxStrip: tt.strip}})
			got, err := scanAll(t, r.host, scan.Options{Mode: scan.ModeGray8, DPI: 75, Pages: 2})
			if err != nil {
				t.Fatal(err)
			}
			checkIdentical(t, got, r.engine, 2)
			if !bytes.Equal(got[0].data, noisePage().data) {
				t.Error("page 1 is not the engine's page")
			}
			st, fc := r.host.Stats(), toHost.Counts()
			t.Logf("faults to host %+v; host stats %+v", fc, st)
			if fc == (scansim.FaultCounts{}) {
				t.Fatalf("the faults did not hit")
			}
			if st.FramesDamaged == 0 {
				t.Errorf("no damage counted: %+v", st)
			}
			if info := r.host.Engine(); info.Version != (link.Version{Major: link.ProtocolMajor, Minor: link.ProtocolMinor}) {
				t.Errorf("engine speaks %v", info.Version)
			}
			if speaks11(hostTap.frames(false)) == 0 || speaks11(engineTap.frames(false)) == 0 {
				t.Error("the ends spoke 1.1 to each other")
			}
		})
	}
}

// TestMixedVersionsNoisy: a 1.2 end with a 1.1 peer speaks exactly 1.1,
// and the pages still arrive bit-identical on a noisy line.
func TestMixedVersionsNoisy(t *testing.T) {
	t.Parallel()
	v11 := link.Version{Major: link.ProtocolMajor, Minor: 1}
	tests := []struct {
		name string
		o    rigOptions
	}{
		{"1.1 engine, 1.2 host", rigOptions{engine: link.SpeakingMinor(link.EngineOptions{MaxStrip: 2 << 10}, 1)}},
		{"1.2 engine, 1.1 host", rigOptions{engine: link.EngineOptions{MaxStrip: 2 << 10}, host: link.HostOptions{Protocol: v11}}},
	}
	for i, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			faults := scansim.Faults{BitErrorRate: 1e-5, DropRate: 0.01, Seed: int64(20 + i)}
			r, toHost, _, hostTap, engineTap := noisyRig(t, faults, tt.o)
			got, err := scanAll(t, r.host, scan.Options{Mode: scan.ModeGray8, DPI: 75, Pages: 1})
			if err != nil {
				t.Fatal(err)
			}
			checkIdentical(t, got, r.engine, 1)
			if fc := toHost.Counts(); fc.BitFlips == 0 {
				t.Errorf("the faults did not hit: %+v", fc)
			}
			if info := r.host.Engine(); info.Version.Minor > 1 && tt.o.host.Protocol == (link.Version{}) {
				t.Errorf("engine speaks %v", info.Version)
			}
			if n := speaks11(hostTap.frames(false)); n > 0 {
				t.Errorf("the host sent %d frames that are not 1.1", n)
			}
			if n := speaks11(engineTap.frames(false)); n > 0 {
				t.Errorf("the engine sent %d frames that are not 1.1", n)
			}
		})
	}
}
