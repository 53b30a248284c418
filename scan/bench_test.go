package scan_test

import (
	"bytes"
	"io"
	"os"
	"path/filepath"
	"testing"
	"time"

	"scanmail/scan"
	"scanmail/scan/scansim"
)

// BenchmarkPDFPage runs one A4 300 dpi page of each kind through the PDF
// writer, the way a job does: rows in bands into the encoder, the encoder
// on all cores, the result into a file. The page is scanned once, before the
// clock starts, so the figures are the encoders' alone.
func BenchmarkPDFPage(b *testing.B) {
	for _, bc := range []struct {
		name  string
		opts  scan.Options
		color bool
	}{
		{"jpeg-passthrough", scan.Options{Mode: scan.ModeJPEG}, false},
		{"gray-to-jpeg", scan.Options{Mode: scan.ModeGray8}, false},
		{"rgb-to-jpeg", scan.Options{Mode: scan.ModeRGB24}, true},
		{"bw1-to-g4", scan.Options{Mode: scan.ModeBW1}, false},
	} {
		b.Run(bc.name, func(b *testing.B) {
			bc.opts.Pages, bc.opts.DPI = 1, 300
			hdr, raw := scanOnePage(b, bc.opts, bc.color)
			f, err := os.Create(filepath.Join(b.TempDir(), "bench.pdf"))
			if err != nil {
				b.Fatal(err)
			}
			defer f.Close()
			pw := scan.NewPDFWriter(f, scan.PDFOptions{})
			r := bytes.NewReader(raw)
			b.SetBytes(int64(len(raw)))
			b.ReportAllocs()
			start := time.Now()
			for b.Loop() {
				r.Reset(raw)
				if err := pw.WritePage(b.Context(), scan.Page{PageHeader: hdr, Data: r}); err != nil {
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
func scanOnePage(b *testing.B, opts scan.Options, color bool) (scan.PageHeader, []byte) {
	b.Helper()
	sim := scansim.Scanner{ColorJPEG: color}
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

// BenchmarkWritePart cuts a spooled 20-page A4 300 dpi document into a
// part of all its pages, as a job too large for one message is sent: the
// pages' images are copied, never coded again.
func BenchmarkWritePart(b *testing.B) {
	for _, f := range []scan.Format{scan.FormatPDF, scan.FormatTIFF} {
		b.Run(f.String(), func(b *testing.B) {
			dir := b.TempDir()
			src, err := (&scansim.Scanner{}).Scan(b.Context(), scan.Options{Mode: scan.ModeGray8, DPI: 300, Pages: 20})
			if err != nil {
				b.Fatal(err)
			}
			doc, err := scan.CreateDocument(dir, scan.DocumentOptions{Format: f})
			if err != nil {
				b.Fatal(err)
			}
			for {
				pg, err := src.NextPage(b.Context())
				if err == io.EOF {
					break
				}
				if err != nil {
					b.Fatal(err)
				}
				if err := doc.WritePage(b.Context(), pg); err != nil {
					b.Fatal(err)
				}
			}
			src.Close()
			if err := doc.Close(); err != nil {
				b.Fatal(err)
			}
			refs, err := scan.ReadIndex(dir)
			if err != nil {
				b.Fatal(err)
			}
			out := filepath.Join(b.TempDir(), "part")
			b.SetBytes(doc.Size())
			pages := 0
			start := time.Now()
			for b.Loop() {
				w, err := os.Create(out)
				if err != nil {
					b.Fatal(err)
				}
				if err := scan.WritePart(b.Context(), w, dir, f, refs, "part"); err != nil {
					b.Fatal(err)
				}
				w.Close()
				pages += len(refs)
			}
			b.ReportMetric(float64(pages)/time.Since(start).Minutes(), "pages/min")
		})
	}
}
