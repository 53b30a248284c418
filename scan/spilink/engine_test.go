package spilink_test

import (
	"context"
	"crypto/sha256"
	"encoding/binary"
	"errors"
	"io"
	"os"
	"runtime"
	"sync"
	"testing"
	"time"

	"periph.io/x/conn/v3/physic"
	"periph.io/x/conn/v3/spi/spitest"

	"scanmail/scan"
	"scanmail/scan/filecheck"
	"scanmail/scan/link"
	"scanmail/scan/scansim"
	"scanmail/scan/spilink"
	"scanmail/scan/spilink/spilinktest"
)

// These tests run whole scan jobs: link.Serve with scansim on the
// spilinktest engine, and on the host's side a Link over periph's
// spitest.Record, link.Dial and Host.Scan.

const jobPages = 3

// page is what a job delivered: a page's header and its data's hash.
type page struct {
	scan.PageHeader
	sum [sha256.Size]byte
}

// job is one scan job over the SPI link.
type job struct {
	mode   scan.Mode
	format scan.Format // 0: no document, only the pages' hashes
	engine spilinktest.Options
	host   spilink.Options // PacketSize and ActiveLow come from engine
}

// jobResult is what happened along the way.
type jobResult struct {
	engine spilinktest.Stats
	host   link.Stats
}

// wantPages scans with a scansim engine in-process: what the link must
// deliver, bit for bit.
func wantPages(t *testing.T, mode scan.Mode) []page {
	t.Helper()
	ctx := context.Background()
	src, err := (&scansim.Simulator{Pages: jobPages}).Scan(ctx, scan.Options{Mode: mode, DPI: 75, Pages: jobPages})
	if err != nil {
		t.Fatal(err)
	}
	defer src.Close()
	var pages []page
	for {
		pg, err := src.NextPage(ctx)
		if errors.Is(err, io.EOF) {
			return pages
		}
		if err != nil {
			t.Fatal(err)
		}
		h := sha256.New()
		if _, err := io.Copy(h, pg.Data); err != nil {
			t.Fatal(err)
		}
		pages = append(pages, page{pg.PageHeader, [sha256.Size]byte(h.Sum(nil))})
	}
}

// runJob scans j over the SPI link, writes the pages into j.format's
// document and has independent tools check it, and compares every page with
// scansim's own.
func runJob(t *testing.T, j job) jobResult {
	t.Helper()
	want := wantPages(t, j.mode)
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()

	eng := spilinktest.New(j.engine)
	serveCtx, stopServe := context.WithCancel(ctx)
	served := make(chan error, 1)
	go func() {
		served <- link.Serve(serveCtx, eng.Stream(), &scansim.Simulator{Pages: jobPages}, link.EngineOptions{})
	}()
	rec := &spitest.Record{Port: eng}
	var (
		l    *spilink.Link
		host *link.Host
	)
	shutdown := sync.OnceFunc(func() {
		if host != nil {
			host.Close()
		}
		if l != nil {
			l.Close()
		}
		stopServe()
		eng.Close()
		if err := <-served; err != nil {
			t.Errorf("Serve: %v", err)
		}
		if err := eng.Err(); err != nil {
			t.Errorf("the host broke the packet rules: %v", err)
		}
	})
	t.Cleanup(shutdown)

	hopts := j.host
	hopts.PacketSize, hopts.ActiveLow = j.engine.PacketSize, j.engine.ActiveLow
	if hopts.ReadTimeout == 0 {
		hopts.ReadTimeout = 100 * time.Millisecond
	}
	l, err := spilink.Open(rec, eng.Ready(), 8*physic.MegaHertz, hopts)
	if err != nil {
		t.Fatal(err)
	}
	host, err = link.Dial(ctx, l, link.HostOptions{})
	if err != nil {
		t.Fatal(err)
	}
	got := scanJob(t, ctx, host, j)

	var res jobResult
	res.host = host.Stats()
	shutdown()
	res.engine = eng.Stats()
	checkRecord(t, rec, eng, j.engine.PacketSize)

	if len(got) != len(want) {
		t.Fatalf("%d pages arrived, want %d", len(got), len(want))
	}
	for i := range want {
		if got[i] != want[i] {
			t.Errorf("page %d arrived as %+v, scansim makes %+v", i+1, got[i].PageHeader, want[i].PageHeader)
		}
	}
	// Void transfers, however many, must not lose or double a byte.
	if j.engine.Damage == nil && res.host.DiscardedBytes != 0 {
		t.Errorf("%d bytes of garbage reached the host on a clean line", res.host.DiscardedBytes)
	}
	if t.Failed() {
		t.Logf("engine %+v; host link %+v", res.engine, res.host)
	}
	return res
}

// scanJob runs the job and writes its document; it returns the pages as
// they arrived.
func scanJob(t *testing.T, ctx context.Context, host *link.Host, j job) []page {
	t.Helper()
	src, err := host.Scan(ctx, scan.Options{Mode: j.mode, DPI: 75, Pages: jobPages})
	if err != nil {
		t.Fatal(err)
	}
	defer src.Close()
	var doc *scan.Document
	if j.format != 0 {
		doc, err = scan.CreateDocument(t.TempDir(), scan.DocumentOptions{Format: j.format})
		if err != nil {
			t.Fatal(err)
		}
	}
	var got []page
	for {
		pg, err := src.NextPage(ctx)
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			t.Fatalf("page %d: %v", len(got)+1, err)
		}
		h := sha256.New()
		pg.Data = io.TeeReader(pg.Data, h)
		if doc != nil {
			if err := doc.WritePage(ctx, pg); err != nil {
				t.Fatalf("page %d: %v", len(got)+1, err)
			}
		}
		// Whatever the writer left unread.
		if _, err := io.Copy(io.Discard, pg.Data); err != nil {
			t.Fatalf("page %d: %v", len(got)+1, err)
		}
		got = append(got, page{pg.PageHeader, [sha256.Size]byte(h.Sum(nil))})
	}
	if err := src.Close(); err != nil {
		t.Errorf("closing the job: %v", err)
	}
	if doc == nil {
		return got
	}
	if err := doc.Close(); err != nil {
		t.Fatal(err)
	}
	file := doc.Files()[0]
	switch j.format {
	case scan.FormatPDF:
		b, err := os.ReadFile(file)
		if err != nil {
			t.Fatal(err)
		}
		filecheck.PDF(t, b, jobPages)
	case scan.FormatTIFF:
		filecheck.TIFF(t, file, jobPages)
	}
	return got
}

// checkRecord checks the transfers periph's recorder saw: as many as the
// engine answered, each exactly one packet both ways.
func checkRecord(t *testing.T, rec *spitest.Record, eng *spilinktest.Engine, n int) {
	t.Helper()
	if n == 0 {
		n = spilink.DefaultPacketSize
	}
	rec.Lock()
	defer rec.Unlock()
	if len(rec.Ops) != eng.Stats().Transfers {
		t.Errorf("%d transfers recorded, the engine answered %d", len(rec.Ops), eng.Stats().Transfers)
	}
	for i, op := range rec.Ops {
		if len(op.W) != n || len(op.R) != n {
			t.Fatalf("transfer %d: %d bytes out, %d in; want %d each way", i, len(op.W), len(op.R), n)
		}
	}
}

// checkGoroutines fails t if goroutines started since base are still
// running a few seconds later.
func checkGoroutines(t *testing.T, base int) {
	t.Helper()
	deadline := time.Now().Add(5 * time.Second)
	for runtime.NumGoroutine() > base {
		if time.Now().After(deadline) {
			buf := make([]byte, 1<<20)
			buf = buf[:runtime.Stack(buf, true)]
			t.Fatalf("%d goroutines left running, %d before:\n%s", runtime.NumGoroutine(), base, buf)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

var modes = []scan.Mode{scan.ModeGray8, scan.ModeBW1, scan.ModeRGB24, scan.ModeJPEG}

// TestJobs carries a three-page job in every mode over SPI into a PDF and
// a TIFF that independent tools accept, each page bit for bit as scansim
// makes it.
func TestJobs(t *testing.T) {
	base := runtime.NumGoroutine()
	t.Run("all", func(t *testing.T) {
		for _, mode := range modes {
			for _, format := range []scan.Format{scan.FormatPDF, scan.FormatTIFF} {
				t.Run(mode.String()+"/"+format.String(), func(t *testing.T) {
					t.Parallel()
					runJob(t, job{mode: mode, format: format})
				})
			}
		}
	})
	checkGoroutines(t, base)
}

// damageEngine returns a Damage hook that applies hit to the MISO packet of
// the nth transfer (from 1) in which the engine sends at least 1000 bytes:
// well inside a page's strips.
func damageEngine(nth int, hit func(miso []byte)) func(int, []byte, []byte) {
	seen := 0
	return func(_ int, _, miso []byte) {
		if miso[0] == 0xA5 && miso[1] == 'E' && binary.LittleEndian.Uint16(miso[4:]) >= 1000 {
			seen++
			if seen == nth {
				hit(miso)
			}
		}
	}
}

// damageHost applies hit to the nth host packet (from 1) that carries
// payload, as the engine receives it: in every transfer of it, for the
// engine ignores those that find nothing armed, and the host repeats it
// until one does not.
func damageHost(nth int, hit func(mosi []byte)) func(int, []byte, []byte) {
	seen, last := 0, -1
	return func(_ int, mosi, _ []byte) {
		if binary.LittleEndian.Uint16(mosi[4:]) == 0 {
			return
		}
		if int(mosi[3]) != last {
			last = int(mosi[3])
			seen++
		}
		if seen == nth {
			hit(mosi)
		}
	}
}

// TestFaults runs jobs over a bad line and a slow engine, and over odd
// settings: the pages still arrive bit for bit, and each fault shows in
// the counters where it should.
func TestFaults(t *testing.T) {
	every := func(k int) func(int) bool { return func(i int) bool { return i%k == k-1 } }
	tests := []struct {
		name   string
		mode   scan.Mode
		engine spilinktest.Options
		host   spilink.Options
		check  func(jobResult) error
	}{
		{
			name:   "engine header damaged",
			mode:   scan.ModeBW1,
			engine: spilinktest.Options{Damage: damageEngine(5, func(p []byte) { p[0] = 0x5A })},
			check: func(r jobResult) error {
				// The host voided the packet and sent its own again; the
				// engine had taken it, and its frames were lost with the
				// payload, so the link resent them.
				if r.engine.Repeats != 1 || r.host.PeerRetransmits == 0 {
					return errors.New("want one repeated host packet and the engine's frames resent")
				}
				return nil
			},
		},
		{
			name:   "engine seq damaged into the previous one",
			mode:   scan.ModeJPEG,
			engine: spilinktest.Options{Damage: damageEngine(3, func(p []byte) { p[3]-- })},
			check: func(r jobResult) error {
				if r.engine.Repeats != 1 || r.host.PeerRetransmits == 0 {
					return errors.New("want one repeated host packet and the engine's frames resent")
				}
				return nil
			},
		},
		{
			name:   "engine payload damaged",
			mode:   scan.ModeBW1,
			engine: spilinktest.Options{Damage: damageEngine(4, func(p []byte) { p[500] ^= 0x10 })},
			check: func(r jobResult) error {
				if r.engine.Repeats != 0 || r.host.DiscardedBytes == 0 || r.host.PeerRetransmits == 0 {
					return errors.New("want the damaged frame discarded and resent, and no packet repeated")
				}
				return nil
			},
		},
		{
			name:   "host header damaged",
			mode:   scan.ModeBW1,
			engine: spilinktest.Options{Damage: damageHost(3, func(p []byte) { p[1] = 'X' })},
			check: func(r jobResult) error {
				if r.engine.Invalid != 1 {
					return errors.New("want one host packet refused")
				}
				return nil
			},
		},
		{
			name:   "engine busy, idle line low",
			mode:   scan.ModeBW1,
			engine: spilinktest.Options{Busy: every(5)},
		},
		{
			name:   "engine busy, idle line high",
			mode:   scan.ModeGray8,
			engine: spilinktest.Options{Busy: every(3), Idle: spilinktest.IdleHigh},
		},
		{
			name:   "engine busy, stale packet",
			mode:   scan.ModeBW1,
			engine: spilinktest.Options{Busy: every(4), Idle: spilinktest.IdleStale, FirstSeq: 250},
		},
		{
			name:   "one transfer missed",
			mode:   scan.ModeRGB24,
			engine: spilinktest.Options{Busy: func(i int) bool { return i == 40 }, Idle: spilinktest.IdleStale},
		},
		{
			name:   "level-triggered, active low",
			mode:   scan.ModeBW1,
			engine: spilinktest.Options{ActiveLow: true, Busy: every(7)},
			host:   spilink.Options{Level: true},
		},
		{
			name:   "smallest packets, one packet of input",
			mode:   scan.ModeBW1,
			engine: spilinktest.Options{PacketSize: spilink.MinPacketSize, Busy: every(9)},
			host:   spilink.Options{ReceiveBuffer: 1 << 10},
		},
		{
			name:   "largest packets",
			mode:   scan.ModeGray8,
			engine: spilinktest.Options{PacketSize: spilink.MaxPacketSize, InputBuffer: 1 << 20},
		},
	}
	base := runtime.NumGoroutine()
	t.Run("all", func(t *testing.T) {
		for _, tt := range tests {
			t.Run(tt.name, func(t *testing.T) {
				t.Parallel()
				r := runJob(t, job{mode: tt.mode, engine: tt.engine, host: tt.host})
				if tt.engine.Busy != nil && r.engine.Void == 0 {
					t.Error("the engine was busy, yet no transfer was void")
				}
				if tt.check != nil {
					if err := tt.check(r); err != nil {
						t.Errorf("%v; engine %+v, host link %+v", err, r.engine, r.host)
					}
				}
			})
		}
	})
	checkGoroutines(t, base)
}
