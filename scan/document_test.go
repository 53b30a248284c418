package scan_test

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"scanmail/scan"
	"scanmail/scan/filecheck"
	"scanmail/scan/scansim"
)

// testModes are the simulator's pixel codings, the engine's own JPEG in
// gray and colour among them.
var testModes = []struct {
	name      string
	mode      scan.Mode
	colorJPEG bool
}{
	{"bw1", scan.ModeBW1, false},
	{"gray8", scan.ModeGray8, false},
	{"rgb24", scan.ModeRGB24, false},
	{"engine jpeg gray", scan.ModeJPEG, false},
	{"engine jpeg colour", scan.ModeJPEG, true},
}

// TestDocumentEveryModeAndFormat writes a two-page job of every pixel
// coding into every file format and has independent tools read the result.
func TestDocumentEveryModeAndFormat(t *testing.T) {
	for _, m := range testModes {
		for _, f := range []scan.Format{scan.FormatPDF, scan.FormatPDFCompact, scan.FormatTIFF, scan.FormatJPEG} {
			t.Run(m.name+"/"+f.String(), func(t *testing.T) {
				t.Parallel()
				doc := writeDocument(t, t.TempDir(), scansim.Scanner{ColorJPEG: m.colorJPEG}, scan.Options{Mode: m.mode, DPI: 100, Pages: 2}, f)
				if doc.Pages() != 2 || doc.Size() == 0 {
					t.Fatalf("%d pages, %d bytes", doc.Pages(), doc.Size())
				}
				switch f {
				case scan.FormatPDF, scan.FormatPDFCompact:
					checkPDFFile(t, doc.Files(), 2)
				case scan.FormatTIFF:
					checkTIFFFile(t, doc.Files(), 2)
				case scan.FormatJPEG:
					checkJPEGFiles(t, doc.Files(), 2, 827, 1169)
				}
			})
		}
	}
}

func checkPDFFile(t *testing.T, files []string, pages int) {
	t.Helper()
	if len(files) != 1 || !strings.HasSuffix(files[0], ".pdf") {
		t.Fatalf("files %v, want one .pdf", files)
	}
	b, err := os.ReadFile(files[0])
	if err != nil {
		t.Fatal(err)
	}
	filecheck.PDF(t, b, pages)
}

func checkTIFFFile(t *testing.T, files []string, pages int) {
	t.Helper()
	if len(files) != 1 || !strings.HasSuffix(files[0], ".tif") {
		t.Fatalf("files %v, want one .tif", files)
	}
	filecheck.TIFF(t, files[0], pages)
}

func checkJPEGFiles(t *testing.T, files []string, pages, width, height int) {
	t.Helper()
	if len(files) != pages {
		t.Fatalf("files %v, want %d", files, pages)
	}
	for i, name := range files {
		if want := fmt.Sprintf("scan-p%03d.jpg", i+1); filepath.Base(name) != want {
			t.Errorf("file %s, want %s", filepath.Base(name), want)
		}
		filecheck.JPEG(t, name, width, height)
	}
}
