package scan

import (
	"bytes"
	"io"
	"os"
	"path/filepath"
	"testing"
	"time"
)

// BenchmarkPDFPage runs one A4 300 dpi page of each kind through the PDF
// writer, the way a job does: rows in bands into the encoder, the encoder
// on all cores, the result into a file. The page is scanned once, before the
// clock starts, so the figures are the encoders' alone.
func BenchmarkPDFPage(b *testing.B) {
	for _, bc := range []struct {
		name  string
		opts  Options
		color bool
	}{
		{"jpeg-passthrough", Options{Mode: ModeJPEG}, false},
		{"gray-to-jpeg", Options{Mode: ModeGray8}, false},
		{"rgb-to-jpeg", Options{Mode: ModeRGB24}, true},
		{"bw1-to-g4", Options{Mode: ModeBW1}, false},
	} {
		b.Run(bc.name, func(b *testing.B) {
			bc.opts.Pages, bc.opts.DPI = 1, 300
			hdr, raw := scanOnePage(b, bc.opts, bc.color)
			f, err := os.Create(filepath.Join(b.TempDir(), "bench.pdf"))
			if err != nil {
				b.Fatal(err)
			}
			defer f.Close()
			pw := NewPDFWriter(f, PDFOptions{})
			r := bytes.NewReader(raw)
			b.SetBytes(int64(len(raw)))
			b.ReportAllocs()
			start := time.Now()
			for b.Loop() {
				r.Reset(raw)
				if err := pw.WritePage(b.Context(), Page{hdr, r}); err != nil {
					b.Fatal(err)
				}
			}
			if err := pw.Close(); err != nil {
				b.Fatal(err)
			}
			// Pass-through is bounded by the disk: count the sync.
			if err := f.Sync(); err != nil {
				b.Fatal(err)
			}
			b.ReportMetric(float64(pw.Pages())/time.Since(start).Minutes(), "pages/min")
		})
	}
}

// scanOnePage returns a simulated page's header and data.
func scanOnePage(b *testing.B, opts Options, color bool) (PageHeader, []byte) {
	b.Helper()
	sim := Simulator{ColorJPEG: color}
	src, err := sim.Scan(b.Context(), opts)
	if err != nil {
		b.Fatal(err)
	}
	defer src.Close()
	pg, err := src.NextPage(b.Context())
	if err != nil {
		b.Fatal(err)
	}
	raw, err := io.ReadAll(pg.Data)
	if err != nil {
		b.Fatal(err)
	}
	return pg.PageHeader, raw
}
