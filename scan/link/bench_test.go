package link_test

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"testing"

	"scanmail/scan"
	"scanmail/scan/link"
	"scanmail/scan/scansim"
)

// memEngine serves the same page, already scanned, for every page asked:
// the link's cost alone.
type memEngine struct {
	hdr  scan.PageHeader
	data []byte
}

func (e *memEngine) Scan(ctx context.Context, opts scan.Options) (scan.Source, error) {
	return &memSource{e: e, left: max(1, opts.Pages)}, nil
}

type memSource struct {
	e    *memEngine
	left int
}

func (s *memSource) NextPage(ctx context.Context) (scan.Page, error) {
	if s.left == 0 {
		return scan.Page{}, io.EOF
	}
	s.left--
	return scan.Page{PageHeader: s.e.hdr, Data: bytes.NewReader(s.e.data)}, nil
}

func (s *memSource) Close() error { return nil }

type duplex struct {
	io.Reader
	io.Writer
}

// pipePair joins two ends with io.Pipe, one a direction.
func pipePair() (a, b io.ReadWriter, closeAll func()) {
	ar, bw := io.Pipe()
	br, aw := io.Pipe()
	return duplex{ar, aw}, duplex{br, bw}, func() {
		ar.Close()
		br.Close()
		aw.Close()
		bw.Close()
	}
}

// BenchmarkLink300dpiGray moves one A4 page of 300 dpi gray (8.7 MB) over
// io.Pipe, host and engine with their defaults but the strip size.
func BenchmarkLink300dpiGray(b *testing.B) {
	hdr := scan.PageHeader{Width: 2480, Height: 3508, DPI: 300, Mode: scan.ModeGray8}
	data := make([]byte, hdr.Width*hdr.Height)
	for i := range data {
		data[i] = byte(i*31 + i/hdr.Width)
	}
	for _, strip := range []int{8 << 10, 32 << 10, link.MaxStrip} {
		b.Run(fmt.Sprintf("strip=%d", strip), func(b *testing.B) {
			hc, ec, closeAll := pipePair()
			defer closeAll()
			ctx, cancel := context.WithCancel(context.Background())
			served := make(chan error, 1)
			go func() {
				served <- link.Serve(ctx, ec, &memEngine{hdr: hdr, data: data}, link.EngineOptions{MaxStrip: strip})
			}()
			defer func() { cancel(); <-served }()
			h, err := link.Dial(ctx, hc, link.HostOptions{})
			if err != nil {
				b.Fatal(err)
			}
			defer h.Close()
			buf := make([]byte, 64<<10)
			b.SetBytes(int64(len(data)))
			b.ReportAllocs()
			b.ResetTimer()
			for range b.N {
				src, err := h.Scan(ctx, scan.Options{Mode: scan.ModeGray8, DPI: 300, Pages: 1})
				if err != nil {
					b.Fatal(err)
				}
				p, err := src.NextPage(ctx)
				if err != nil {
					b.Fatal(err)
				}
				n, err := io.CopyBuffer(io.Discard, p.Data, buf)
				if err != nil || n != int64(len(data)) {
					b.Fatalf("%d bytes, %v", n, err)
				}
				if _, err := src.NextPage(ctx); err != io.EOF {
					b.Fatal(err)
				}
				src.Close()
			}
		})
	}
}

// BenchmarkNoisyLine compares the protocol versions on a noisy line:
// both ends at 1.1 (go-back-N), then both at 1.2 (selective repeat),
// over an unpaced pipe with bit errors both ways and the default
// timeouts, with 8 KiB strips (1 KiB at 1e-4, where an 8 KiB frame almost
// never arrives whole). It reports pages/s and what the host's end
// counted; an end that gives up reports 0 pages/s. Run it with
// -benchtime=1x or a few x: a 1.1 link takes seconds a page.
func BenchmarkNoisyLine(b *testing.B) {
	// A4 at 150 dpi gray: 2.2 MB, a quarter of the 300 dpi page.
	hdr := scan.PageHeader{Width: 1240, Height: 1754, DPI: 150, Mode: scan.ModeGray8}
	data := make([]byte, hdr.Width*hdr.Height)
	for i := range data {
		data[i] = byte(i*31 + i/hdr.Width)
	}
	for _, line := range []struct {
		ber   float64
		strip int
	}{{0, 8 << 10}, {1e-5, 8 << 10}, {0, 1 << 10}, {1e-4, 1 << 10}} {
		for _, minor := range []uint8{1, 2} {
			v := link.Version{Major: link.ProtocolMajor, Minor: minor}
			b.Run(fmt.Sprintf("ber=%g/strip=%d/v=%v", line.ber, line.strip, v), func(b *testing.B) {
				hc, ec, closeAll := pipePair()
				defer closeAll()
				faults := scansim.Faults{BitErrorRate: line.ber, Seed: 15}
				toHost := faults.Wrap(ec)
				faults.Seed++
				toEngine := faults.Wrap(hc)
				ctx, cancel := context.WithCancel(context.Background())
				served := make(chan error, 1)
				go func() {
					served <- link.Serve(ctx, toHost, &memEngine{hdr: hdr, data: data},
						link.EngineOptions{MaxStrip: line.strip, Protocol: v})
				}()
				defer func() { cancel(); <-served }()
				h, err := link.Dial(ctx, toEngine, link.HostOptions{Protocol: v})
				if err != nil {
					b.Fatal(err)
				}
				defer h.Close()
				buf := make([]byte, 64<<10)
				b.SetBytes(int64(len(data)))
				b.ResetTimer()
				pages := 0
				for range b.N {
					if err := scanOne(ctx, h, buf, len(data)); err != nil {
						b.Logf("page %d: %v", pages+1, err)
						break
					}
					pages++
				}
				b.ReportMetric(float64(pages)/b.Elapsed().Seconds(), "pages/s")
				st := h.Stats()
				b.ReportMetric(float64(st.Timeouts), "timeouts")
				b.ReportMetric(float64(st.Pokes), "pokes")
				b.ReportMetric(float64(st.PeerRetransmits)/float64(max(1, st.FramesReceived)), "resent/frame")
				b.ReportMetric(float64(st.FramesDamaged)/float64(max(1, st.FramesReceived)), "damaged/frame")
			})
		}
	}
}

// scanOne scans one page of want bytes.
func scanOne(ctx context.Context, h *link.Host, buf []byte, want int) error {
	src, err := h.Scan(ctx, scan.Options{Mode: scan.ModeGray8, DPI: 150, Pages: 1})
	if err != nil {
		return err
	}
	defer src.Close()
	p, err := src.NextPage(ctx)
	if err != nil {
		return err
	}
	n, err := io.CopyBuffer(io.Discard, p.Data, buf)
	if err != nil {
		return err
	}
	if n != int64(want) {
		return fmt.Errorf("%d bytes, want %d", n, want)
	}
	if _, err := src.NextPage(ctx); err != io.EOF {
		return fmt.Errorf("after the page: %v", err)
	}
	return nil
}
