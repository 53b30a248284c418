package scan_test

import (
	"testing"
	"time"

	"scanmail/scan"
	"scanmail/scan/filecheck"
)

// TestPDFA checks every PDF/A-2b rule the writer keeps (see
// filecheck.PDFA), on the written file as pdfcpu and as qpdf's JSON see
// it, for every kind of image.
func TestPDFA(t *testing.T) {
	created := time.Date(2026, 12, 3, 20, 1, 2, 0, time.FixedZone("", -(4*3600+30*60)))
	for _, tc := range []struct {
		mode    scan.Mode
		compact bool
	}{
		{scan.ModeBW1, false}, {scan.ModeGray8, false}, {scan.ModeRGB24, false}, {scan.ModeJPEG, false},
		// The compact PDF's layers: a background, a text colour
		// through a stencil /Mask, never a soft mask.
		{scan.ModeGray8, true}, {scan.ModeRGB24, true},
	} {
		name := tc.mode.String()
		if tc.compact {
			name += "-compact"
		}
		t.Run(name, func(t *testing.T) {
			b := scanPDF(t, scan.Options{Mode: tc.mode, DPI: 100, Pages: 2}, scan.PDFOptions{
				PDFA:    true,
				Compact: tc.compact,
				Title:   "Vertrag <Müller> & Söhne, {pages} pages",
				Author:  "mfp-3@example.com",
				Created: created,
			})
			filecheck.PDF(t, b, 2)
			want := map[string]string{
				"Title":        "Vertrag <Müller> & Söhne, 2 pages",
				"Author":       "mfp-3@example.com",
				"Producer":     "scanmail",
				"CreationDate": "D:20261203200102-04'30'",
			}
			filecheck.PDFA(t, b, want)
		})
	}
}
