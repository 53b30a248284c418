package scan_test

import (
	"bytes"
	"os"
	"path/filepath"
	"testing"
	"time"

	"scanmail/scan"
)

// BenchmarkCompactPDF writes A4 300 dpi pages as normal and as compact
// PDF: the office test page (logo, heading, text, table, photo, drawn with
// gofont) and the simulator's page, in gray and colour. It reports the
// bytes of a one-page PDF of each, the words of the office page OCR reads
// on each (once, outside the clock), and the pages a minute of the path
// measured.
func BenchmarkCompactPDF(b *testing.B) {
	for _, bc := range []struct {
		name    string
		mode    scan.Mode
		office  bool
		compact bool
	}{
		{"office-gray/normal", scan.ModeGray8, true, false},
		{"office-gray/compact", scan.ModeGray8, true, true},
		{"office-rgb/normal", scan.ModeRGB24, true, false},
		{"office-rgb/compact", scan.ModeRGB24, true, true},
		{"sim-gray/normal", scan.ModeGray8, false, false},
		{"sim-gray/compact", scan.ModeGray8, false, true},
		{"sim-rgb/normal", scan.ModeRGB24, false, false},
		{"sim-rgb/compact", scan.ModeRGB24, false, true},
	} {
		b.Run(bc.name, func(b *testing.B) {
			var hdr scan.PageHeader
			var raw []byte
			if bc.office {
				hdr, raw = officePage(b, bc.mode, 300)
			} else {
				hdr, raw = scanOnePage(b, scan.Options{Mode: bc.mode, DPI: 300, Pages: 1}, false)
			}
			opts := scan.PDFOptions{Compact: bc.compact}
			// Reported after the loop: b.Loop's first call forgets
			// metrics reported before it.
			one := writeOnePDF(b, hdr, raw, opts)
			metrics := map[string]float64{"kB/page": float64(len(one)) / 1000}
			if bc.office {
				want := officeWords()
				metrics["words-read"] = float64(ocrRight(b, renderPDF(b, one, 300, b.TempDir(), "page"), want))
				metrics["words-on-page"] = float64(len(want))
			}
			f, err := os.Create(filepath.Join(b.TempDir(), "bench.pdf"))
			if err != nil {
				b.Fatal(err)
			}
			defer f.Close()
			pw := scan.NewPDFWriter(f, opts)
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
			b.ReportMetric(float64(pw.Pages())/time.Since(start).Minutes(), "pages/min")
			for unit, v := range metrics {
				b.ReportMetric(v, unit)
			}
		})
	}
}
