package link_test

import (
	"bytes"
	"context"
	"crypto/sha256"
	"errors"
	"fmt"
	"image/jpeg"
	"io"
	"log/slog"
	"math"
	"net"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"sync"
	"testing"
	"time"

	"scanmail/scan"
	"scanmail/scan/link"
	"scanmail/scan/scansim"
)

// Timing for tests: short enough to be quick, long enough for a loaded
// machine running the race detector.
const (
	testAck     = 30 * time.Millisecond
	testRetries = 16
)

func testLogger(t *testing.T) *slog.Logger {
	if testing.Verbose() && os.Getenv("LINK_DEBUG") != "" {
		return slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: slog.LevelDebug}))
	}
	return nil
}

// recorder is an Engine that notes a SHA-256 of every page's data as the
// link reads it from the engine behind it.
type recorder struct {
	link.Engine
	mu     sync.Mutex
	hashes [][sha256.Size]byte
}

func (r *recorder) Scan(ctx context.Context, opts scan.Options) (scan.Source, error) {
	src, err := r.Engine.Scan(ctx, opts)
	if err != nil {
		return nil, err
	}
	return &recSource{Source: src, r: r}, nil
}

func (r *recorder) pages() [][sha256.Size]byte {
	r.mu.Lock()
	defer r.mu.Unlock()
	return append([][sha256.Size]byte(nil), r.hashes...)
}

type recSource struct {
	scan.Source
	r *recorder
}

func (s *recSource) NextPage(ctx context.Context) (scan.Page, error) {
	p, err := s.Source.NextPage(ctx)
	if err != nil {
		return p, err
	}
	h := sha256.New()
	p.Data = &hashReader{r: p.Data, h: h, done: func() {
		s.r.mu.Lock()
		s.r.hashes = append(s.r.hashes, [sha256.Size]byte(h.Sum(nil)))
		s.r.mu.Unlock()
	}}
	return p, nil
}

type hashReader struct {
	r    io.Reader
	h    interface{ Write([]byte) (int, error) }
	done func()
}

func (hr *hashReader) Read(p []byte) (int, error) {
	n, err := hr.r.Read(p)
	hr.h.Write(p[:n])
	if err == io.EOF && hr.done != nil {
		hr.done()
		hr.done = nil
	}
	return n, err
}

// rig is a host and an engine joined by a pipe.
type rig struct {
	host   *link.Host
	engine *recorder
}

type rigOptions struct {
	host       link.HostOptions
	engine     link.EngineOptions
	hostConn   func(net.Conn) io.ReadWriter // wraps the host's end
	engineConn func(net.Conn) io.ReadWriter // wraps the engine's end
}

func newRig(t *testing.T, e link.Engine, o rigOptions) *rig {
	t.Helper()
	hc, ec := net.Pipe()
	var hrw, erw io.ReadWriter = hc, ec
	if o.hostConn != nil {
		hrw = o.hostConn(hc)
	}
	if o.engineConn != nil {
		erw = o.engineConn(ec)
	}
	setTiming(&o.host.AckTimeout, &o.host.MaxRetries)
	setTiming(&o.engine.AckTimeout, &o.engine.MaxRetries)
	if o.host.Logger == nil {
		o.host.Logger = testLogger(t)
	}
	if o.engine.Logger == nil {
		o.engine.Logger = testLogger(t)
	}
	rec := &recorder{Engine: e}
	ctx, cancel := context.WithCancel(context.Background())
	served := make(chan error, 1)
	go func() { served <- link.Serve(ctx, erw, rec, o.engine) }()
	t.Cleanup(func() {
		cancel()
		if err := <-served; err != nil {
			t.Errorf("Serve: %v", err)
		}
		hc.Close()
		ec.Close()
	})
	h, err := link.Dial(context.Background(), hrw, o.host)
	if err != nil {
		t.Fatalf("Dial: %v", err)
	}
	t.Cleanup(func() { h.Close() })
	return &rig{host: h, engine: rec}
}

func setTiming(ack *time.Duration, retries *int) {
	if *ack == 0 {
		*ack = testAck
	}
	if *retries == 0 {
		*retries = testRetries
	}
}

// received is one page as the host read it.
type received struct {
	hdr  scan.PageHeader
	hash [sha256.Size]byte
	data []byte
}

// scanAll runs a job and reads every page to the end.
func scanAll(t *testing.T, h *link.Host, opts scan.Options) ([]received, error) {
	t.Helper()
	ctx := context.Background()
	src, err := h.Scan(ctx, opts)
	if err != nil {
		return nil, err
	}
	defer src.Close()
	var pages []received
	for {
		p, err := src.NextPage(ctx)
		if err == io.EOF {
			return pages, nil
		}
		if err != nil {
			return pages, err
		}
		data, err := io.ReadAll(p.Data)
		if err != nil {
			return pages, fmt.Errorf("page %d: %w", len(pages)+1, err)
		}
		pages = append(pages, received{hdr: p.PageHeader, hash: sha256.Sum256(data), data: data})
	}
}

// checkIdentical checks that the host got exactly what the engine sent.
func checkIdentical(t *testing.T, got []received, r *recorder, wantPages int) {
	t.Helper()
	sent := r.pages()
	if len(got) != wantPages || len(sent) != wantPages {
		t.Fatalf("host got %d pages, engine sent %d, want %d", len(got), len(sent), wantPages)
	}
	for i := range got {
		if got[i].hash != sent[i] {
			t.Errorf("page %d: host's SHA-256 %x, engine's %x", i+1, got[i].hash[:8], sent[i][:8])
		}
	}
}

// checkPage checks that a page's data fits its header.
func checkPage(t *testing.T, p received) {
	t.Helper()
	if p.hdr.Mode == scan.ModeJPEG {
		cfg, err := jpeg.DecodeConfig(bytes.NewReader(p.data))
		if err != nil {
			t.Fatalf("JPEG page does not decode: %v", err)
		}
		if cfg.Width != p.hdr.Width || cfg.Height != p.hdr.Height {
			t.Errorf("JPEG is %dx%d, header says %dx%d", cfg.Width, cfg.Height, p.hdr.Width, p.hdr.Height)
		}
		return
	}
	if want := p.hdr.Mode.RowBytes(p.hdr.Width) * p.hdr.Height; len(p.data) != want {
		t.Errorf("%v page of %d bytes, want %d", p.hdr.Mode, len(p.data), want)
	}
}

var allModes = []scan.Mode{scan.ModeGray8, scan.ModeBW1, scan.ModeRGB24, scan.ModeJPEG}

func testdataDir(t *testing.T) string {
	t.Helper()
	dir, err := filepath.Abs("../../testdata/scansim")
	if err != nil {
		t.Fatal(err)
	}
	return dir
}

func TestJobEveryMode(t *testing.T) {
	t.Parallel()
	sources := []struct {
		name string
		sim  *scansim.Simulator
	}{
		{"synthetic", &scansim.Simulator{}},
		{"images", &scansim.Simulator{Dir: testdataDir(t)}},
	}
	for _, src := range sources {
		t.Run(src.name, func(t *testing.T) {
			t.Parallel()
			r := newRig(t, src.sim, rigOptions{engine: link.EngineOptions{MaxStrip: 4096}})
			for _, mode := range allModes {
				got, err := scanAll(t, r.host, scan.Options{Mode: mode, DPI: 75, Pages: 3})
				if err != nil {
					t.Fatalf("%v: %v", mode, err)
				}
				sent := r.engine.pages()
				checkIdentical(t, got, &recorder{hashes: sent[len(sent)-3:]}, 3)
				for _, p := range got {
					if p.hdr.Mode != mode || p.hdr.DPI != 75 {
						t.Errorf("page header %+v, want mode %v at 75 dpi", p.hdr, mode)
					}
					checkPage(t, p)
				}
			}
			// Retransmissions may happen on a slow machine, damage may not.
			if st := r.host.Stats(); st.DiscardedBytes != 0 {
				t.Errorf("garbage on a clean line: %+v", st)
			}
		})
	}
}

// TestPagesMatchSimulator checks the pages against a second simulator
// run in the test, not only against what the engine's side read.
func TestPagesMatchSimulator(t *testing.T) {
	t.Parallel()
	sim := &scansim.Simulator{}
	r := newRig(t, sim, rigOptions{})
	opts := scan.Options{Mode: scan.ModeBW1, DPI: 75, Pages: 2}
	got, err := scanAll(t, r.host, opts)
	if err != nil {
		t.Fatal(err)
	}
	src, err := sim.Scan(context.Background(), opts)
	if err != nil {
		t.Fatal(err)
	}
	defer src.Close()
	for i := range got {
		p, err := src.NextPage(context.Background())
		if err != nil {
			t.Fatal(err)
		}
		want, _ := io.ReadAll(p.Data)
		if !bytes.Equal(got[i].data, want) {
			t.Errorf("page %d differs from the simulator's", i+1)
		}
	}
}

func TestFaultyLine(t *testing.T) {
	t.Parallel()
	for _, mode := range []scan.Mode{scan.ModeGray8, scan.ModeBW1} {
		t.Run(mode.String(), func(t *testing.T) {
			t.Parallel()
			// A bad line, far worse than a good UART cable: about one bit
			// in 100000 flipped and one frame in 100 lost or doubled, in
			// both directions.
			faults := scansim.Faults{BitErrorRate: 1e-5, DropRate: 0.01, DupRate: 0.01, Seed: int64(mode)}
			var toHost, toEngine *scansim.FaultyConn
			r := newRig(t, &scansim.Simulator{}, rigOptions{
				engine: link.EngineOptions{MaxStrip: 2048},
				engineConn: func(c net.Conn) io.ReadWriter {
					toHost = faults.Wrap(c)
					return toHost
				},
				hostConn: func(c net.Conn) io.ReadWriter {
					f := faults
					f.Seed += 100
					toEngine = f.Wrap(c)
					return toEngine
				},
			})
			start := time.Now()
			got, err := scanAll(t, r.host, scan.Options{Mode: mode, DPI: 75, Pages: 5})
			if err != nil {
				t.Fatal(err)
			}
			checkIdentical(t, got, r.engine, 5)
			st := r.host.Stats()
			fc, fe := toHost.Counts(), toEngine.Counts()
			t.Logf("%v: 5 pages in %v; faults to host %+v, to engine %+v; host stats %+v",
				mode, time.Since(start).Round(time.Millisecond), fc, fe, st)
			if fc.BitFlips == 0 || fc.Drops == 0 || fc.Dups == 0 {
				t.Errorf("the faults did not hit: %+v", fc)
			}
			// Duplicates is not among them: a doubled frame that lands while
			// the host waits for a resend after a loss is out of order, not a
			// duplicate, and whether it does depends on timing. The pages
			// being identical shows the doubled frames were dropped.
			if st.PeerRetransmits == 0 || st.DiscardedBytes == 0 {
				t.Errorf("no repairs counted: %+v", st)
			}
		})
	}
}

// TestSlippedBytes: single bytes lost or doubled shift everything after
// them; the reader resynchronises and the pages still arrive intact.
func TestSlippedBytes(t *testing.T) {
	t.Parallel()
	faults := scansim.Faults{ByteDropRate: 2e-5, ByteDupRate: 2e-5, BitErrorRate: 1e-5, Seed: 9}
	var toHost *scansim.FaultyConn
	r := newRig(t, &scansim.Simulator{}, rigOptions{
		engine: link.EngineOptions{MaxStrip: 2048},
		engineConn: func(c net.Conn) io.ReadWriter {
			toHost = faults.Wrap(c)
			return toHost
		},
	})
	got, err := scanAll(t, r.host, scan.Options{Mode: scan.ModeGray8, DPI: 75, Pages: 4})
	if err != nil {
		t.Fatal(err)
	}
	checkIdentical(t, got, r.engine, 4)
	if fc := toHost.Counts(); fc.ByteDrops == 0 || fc.ByteDups == 0 {
		t.Errorf("the faults did not hit: %+v", fc)
	}
	if st := r.host.Stats(); st.DiscardedBytes == 0 {
		t.Errorf("no resynchronisation counted: %+v", st)
	}
}

func TestTruncationsAndStalls(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name   string
		faults scansim.Faults
		check  func(scansim.FaultCounts) bool
	}{
		{"truncated frames", scansim.Faults{TruncateRate: 0.03, Seed: 1},
			func(c scansim.FaultCounts) bool { return c.Truncations > 0 }},
		{"long stalls", scansim.Faults{StallRate: 0.01, Stall: 5 * testAck, Seed: 2},
			func(c scansim.FaultCounts) bool { return c.Stalls > 0 }},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			var fc *scansim.FaultyConn
			r := newRig(t, &scansim.Simulator{}, rigOptions{
				engine: link.EngineOptions{MaxStrip: 2048},
				engineConn: func(c net.Conn) io.ReadWriter {
					fc = tt.faults.Wrap(c)
					return fc
				},
			})
			got, err := scanAll(t, r.host, scan.Options{Mode: scan.ModeGray8, DPI: 75, Pages: 2})
			if err != nil {
				t.Fatal(err)
			}
			checkIdentical(t, got, r.engine, 2)
			st := r.host.Stats()
			t.Logf("faults %+v; host stats %+v", fc.Counts(), st)
			if !tt.check(fc.Counts()) {
				t.Errorf("the faults did not hit: %+v", fc.Counts())
			}
			if st.PeerRetransmits == 0 {
				t.Errorf("nothing was resent: %+v", st)
			}
		})
	}
}

func TestJam(t *testing.T) {
	t.Parallel()
	for _, mid := range []bool{false, true} {
		t.Run(fmt.Sprintf("mid-page=%v", mid), func(t *testing.T) {
			t.Parallel()
			r := newRig(t, &scansim.Simulator{JamAtPage: 3, JamMidPage: mid}, rigOptions{})
			ctx := context.Background()
			src, err := r.host.Scan(ctx, scan.Options{Mode: scan.ModeGray8, DPI: 75, Pages: 5})
			if err != nil {
				t.Fatal(err)
			}
			defer src.Close()
			var jam error
			for n := 1; jam == nil && n <= 5; n++ {
				p, err := src.NextPage(ctx)
				if err != nil {
					if n != 3 || mid {
						t.Fatalf("NextPage for page %d: %v", n, err)
					}
					jam = err
					break
				}
				_, err = io.Copy(io.Discard, p.Data)
				if err != nil {
					if n != 3 || !mid {
						t.Fatalf("page %d: %v", n, err)
					}
					jam = err
				}
			}
			if !errors.Is(jam, link.ErrPaperJam) || !strings.Contains(jam.Error(), "Paper jam") {
				t.Fatalf("got %v, want a paper jam", jam)
			}
			var ee *link.EngineError
			if !errors.As(jam, &ee) || !strings.Contains(ee.Text, "page 3") {
				t.Errorf("engine text lost: %v", jam)
			}
			if _, err := src.NextPage(ctx); !errors.Is(err, link.ErrPaperJam) {
				t.Errorf("NextPage after the jam: %v", err)
			}
			if err := src.Close(); err != nil {
				t.Errorf("Close: %v", err)
			}
			// The next job works.
			got, err := scanAll(t, r.host, scan.Options{Mode: scan.ModeGray8, DPI: 75, Pages: 1})
			if err != nil || len(got) != 1 {
				t.Fatalf("job after the jam: %d pages, %v", len(got), err)
			}
		})
	}
}

// deadAfter is a line that goes dead after some bytes, until revived.
type deadAfter struct {
	io.ReadWriter
	mu   sync.Mutex
	left int
}

func (d *deadAfter) revive() {
	d.mu.Lock()
	d.left = math.MaxInt
	d.mu.Unlock()
}

func (d *deadAfter) Write(p []byte) (int, error) {
	d.mu.Lock()
	dead := d.left <= 0
	d.left -= len(p)
	d.mu.Unlock()
	if dead {
		return len(p), nil
	}
	return d.ReadWriter.Write(p)
}

func TestDeadLine(t *testing.T) {
	t.Parallel()
	var line *deadAfter
	r := newRig(t, &scansim.Simulator{}, rigOptions{
		engineConn: func(c net.Conn) io.ReadWriter {
			line = &deadAfter{ReadWriter: c, left: 200 << 10}
			return line
		},
	})
	ctx := context.Background()
	start := time.Now()
	_, err := scanAll(t, r.host, scan.Options{Mode: scan.ModeGray8, DPI: 75, Pages: 2})
	elapsed := time.Since(start)
	var le *link.LinkError
	if !errors.As(err, &le) || !strings.Contains(err.Error(), "check the cable") {
		t.Fatalf("got %v, want a LinkError", err)
	}
	if bound := 3*testRetries*testAck + time.Second; elapsed > bound {
		t.Errorf("failed after %v, want within %v", elapsed, bound)
	}
	t.Logf("dead line noticed after %v: %v", elapsed.Round(time.Millisecond), err)
	// The next job on the dead line fails too, within the same bound.
	start = time.Now()
	if _, err := r.host.Scan(ctx, scan.Options{Mode: scan.ModeGray8, DPI: 75}); !errors.As(err, &le) {
		t.Errorf("Scan on a dead line: %v", err)
	}
	if elapsed := time.Since(start); elapsed > 3*testRetries*testAck+time.Second {
		t.Errorf("Scan on a dead line took %v", elapsed)
	}
	// Both ends start over once the line is back.
	line.revive()
	got, err := scanAll(t, r.host, scan.Options{Mode: scan.ModeGray8, DPI: 75, Pages: 2})
	if err != nil {
		t.Fatalf("after the line came back: %v", err)
	}
	if sent := r.engine.pages(); len(got) != 2 || got[1].hash != sent[len(sent)-1] {
		t.Errorf("after the line came back: %d pages, or they differ", len(got))
	}
}

func TestDialNobody(t *testing.T) {
	t.Parallel()
	for _, name := range []string{"silent", "write blocks"} {
		hc, ec := net.Pipe()
		if name == "silent" {
			go io.Copy(io.Discard, ec)
		}
		start := time.Now()
		_, err := link.Dial(context.Background(), hc, link.HostOptions{AckTimeout: 10 * time.Millisecond})
		var le *link.LinkError
		if !errors.As(err, &le) || le.Failures != 16 {
			t.Errorf("%s: got %v, want a LinkError after 16 tries", name, err)
		}
		if elapsed := time.Since(start); elapsed > 2*time.Second {
			t.Errorf("%s: took %v", name, elapsed)
		}
		hc.Close()
		ec.Close()
	}
}

func TestCancel(t *testing.T) {
	t.Parallel()
	r := newRig(t, &scansim.Simulator{}, rigOptions{engine: link.EngineOptions{MaxStrip: 2048}})
	ctx := context.Background()
	src, err := r.host.Scan(ctx, scan.Options{Mode: scan.ModeGray8, DPI: 150, Pages: 10})
	if err != nil {
		t.Fatal(err)
	}
	p, err := src.NextPage(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := io.ReadFull(p.Data, make([]byte, 10000)); err != nil {
		t.Fatal(err)
	}
	start := time.Now()
	if err := src.Close(); err != nil {
		t.Fatalf("Close: %v", err)
	}
	t.Logf("cancelled in %v", time.Since(start))
	if _, err := src.NextPage(ctx); err == nil {
		t.Error("NextPage after Close succeeded")
	}
	if _, err := io.ReadAll(p.Data); err == nil {
		t.Error("page read after Close succeeded")
	}
	got, err := scanAll(t, r.host, scan.Options{Mode: scan.ModeGray8, DPI: 75, Pages: 1})
	if err != nil || len(got) != 1 {
		t.Fatalf("job after cancel: %d pages, %v", len(got), err)
	}
}

// TestCloseWhileWaiting closes a source from another goroutine while
// NextPage waits for a slow engine.
func TestCloseWhileWaiting(t *testing.T) {
	t.Parallel()
	r := newRig(t, slowEngine{delay: time.Hour}, rigOptions{})
	ctx := context.Background()
	src, err := r.host.Scan(ctx, scan.Options{DPI: 75})
	if err != nil {
		t.Fatal(err)
	}
	errc := make(chan error, 1)
	go func() {
		_, err := src.NextPage(ctx)
		errc <- err
	}()
	time.Sleep(20 * testAck) // many polls answered by heartbeats
	select {
	case err := <-errc:
		t.Fatalf("NextPage returned early: %v", err)
	default:
	}
	if err := src.Close(); err != nil {
		t.Errorf("Close: %v", err)
	}
	if err := <-errc; err == nil {
		t.Error("NextPage succeeded after Close")
	}
}

// slowEngine takes its time before each page, like a scanner warming up.
type slowEngine struct{ delay time.Duration }

func (e slowEngine) Scan(ctx context.Context, opts scan.Options) (scan.Source, error) {
	src, err := (&scansim.Simulator{}).Scan(ctx, opts)
	return slowSource{Source: src, delay: e.delay}, err
}

type slowSource struct {
	scan.Source
	delay time.Duration
}

func (s slowSource) NextPage(ctx context.Context) (scan.Page, error) {
	select {
	case <-time.After(s.delay):
	case <-ctx.Done():
		return scan.Page{}, ctx.Err()
	}
	return s.Source.NextPage(ctx)
}

// TestSlowEngine checks that an engine busy for many ACK timeouts is not
// taken for a dead one: the host's polls are answered by heartbeats.
func TestSlowEngine(t *testing.T) {
	t.Parallel()
	r := newRig(t, slowEngine{delay: 2 * testRetries * testAck}, rigOptions{})
	got, err := scanAll(t, r.host, scan.Options{Mode: scan.ModeGray8, DPI: 75, Pages: 2})
	if err != nil {
		t.Fatal(err)
	}
	checkIdentical(t, got, r.engine, 2)
	if st := r.host.Stats(); st.Pokes == 0 {
		t.Errorf("the host never polled: %+v", st)
	}
}

// TestSlowReader checks that a consumer slower than the engine is not
// taken for a dead line either: the engine runs out of credit and waits.
func TestSlowReader(t *testing.T) {
	t.Parallel()
	r := newRig(t, &scansim.Simulator{}, rigOptions{engine: link.EngineOptions{MaxStrip: 1024}})
	ctx := context.Background()
	src, err := r.host.Scan(ctx, scan.Options{Mode: scan.ModeBW1, DPI: 75, Pages: 1})
	if err != nil {
		t.Fatal(err)
	}
	defer src.Close()
	p, err := src.NextPage(ctx)
	if err != nil {
		t.Fatal(err)
	}
	time.Sleep(2 * testRetries * testAck)
	data, err := io.ReadAll(p.Data)
	if err != nil {
		t.Fatal(err)
	}
	if sum := sha256.Sum256(data); sum != r.engine.pages()[0] {
		t.Error("page differs")
	}
	if _, err := src.NextPage(ctx); err != io.EOF {
		t.Errorf("after the last page: %v", err)
	}
}

func TestUnsupported(t *testing.T) {
	t.Parallel()
	r := newRig(t, &scansim.Simulator{}, rigOptions{engine: link.EngineOptions{Modes: []scan.Mode{scan.ModeGray8}}})
	ctx := context.Background()
	if _, err := r.host.Scan(ctx, scan.Options{Mode: scan.ModeRGB24, DPI: 75}); !errors.Is(err, scan.ErrUnsupported) {
		t.Errorf("rgb24 on a gray engine: %v", err)
	}
	// 123 dpi: the simulator refuses, the engine reports it.
	_, err := r.host.Scan(ctx, scan.Options{Mode: scan.ModeGray8, DPI: 123})
	if !errors.Is(err, link.ErrUnsupported) || !errors.Is(err, scan.ErrUnsupported) || !strings.Contains(err.Error(), "123") {
		t.Errorf("123 dpi: %v", err)
	}
	if got, err := scanAll(t, r.host, scan.Options{DPI: 75, Pages: 1}); err != nil || len(got) != 1 {
		t.Errorf("job after refusals: %d pages, %v", len(got), err)
	}
}

func TestEngineErrorText(t *testing.T) {
	tests := []struct {
		err  *link.EngineError
		is   error
		want string
	}{
		{&link.EngineError{Code: link.CodePaperJam, Text: "sensor 3"}, link.ErrPaperJam, "Paper jam in the feeder: open the cover and remove the paper (scanner: sensor 3)"},
		{&link.EngineError{Code: link.CodeCoverOpen}, link.ErrCoverOpen, "The scanner cover is open: close it and scan again"},
		{&link.EngineError{Code: link.CodeFeederEmpty}, link.ErrFeederEmpty, "The document feeder is empty"},
		{&link.EngineError{Code: link.CodeEngineFault, Text: "lamp"}, link.ErrEngineFault, "switch the device off and on"},
		{&link.EngineError{Code: 99}, nil, "condition 99"},
	}
	for _, tt := range tests {
		wrapped := fmt.Errorf("job: %w", tt.err)
		if tt.is != nil && !errors.Is(wrapped, tt.is) {
			t.Errorf("%v is not %v", tt.err, tt.is)
		}
		if errors.Is(wrapped, link.ErrBusy) {
			t.Errorf("%v is busy", tt.err)
		}
		if !strings.Contains(tt.err.Error(), tt.want) {
			t.Errorf("Error() = %q, want %q in it", tt.err.Error(), tt.want)
		}
	}
}

func TestHostClose(t *testing.T) {
	t.Parallel()
	r := newRig(t, &scansim.Simulator{}, rigOptions{})
	ctx := context.Background()
	src, err := r.host.Scan(ctx, scan.Options{DPI: 75, Pages: 3})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := r.host.Scan(ctx, scan.Options{DPI: 75}); err == nil {
		t.Error("a second job ran at the same time")
	}
	if err := r.host.Close(); err != nil {
		t.Errorf("Close: %v", err)
	}
	if _, err := src.NextPage(ctx); err == nil {
		t.Error("NextPage after Host.Close succeeded")
	}
	if _, err := r.host.Scan(ctx, scan.Options{DPI: 75}); err == nil {
		t.Error("Scan after Close succeeded")
	}
}

func TestNoGoroutineLeak(t *testing.T) {
	before := runtime.NumGoroutine()
	t.Run("job", func(t *testing.T) {
		r := newRig(t, &scansim.Simulator{}, rigOptions{})
		if _, err := scanAll(t, r.host, scan.Options{DPI: 75, Pages: 1}); err != nil {
			t.Fatal(err)
		}
	})
	deadline := time.Now().Add(2 * time.Second)
	for runtime.NumGoroutine() > before && time.Now().Before(deadline) {
		time.Sleep(10 * time.Millisecond)
	}
	if n := runtime.NumGoroutine(); n > before {
		t.Errorf("%d goroutines before, %d after", before, n)
	}
}
