package link_test

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"testing"

	"scanmail/scan"
	"scanmail/scan/link"
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
