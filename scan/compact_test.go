package scan_test

import (
	"bytes"
	"errors"
	"image"
	"image/draw"
	"image/png"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"

	"scanmail/scan"
	"scanmail/scan/filecheck"
	"scanmail/scan/scansim"
)

// writeOnePDF writes one page into a PDF in memory.
func writeOnePDF(tb testing.TB, hdr scan.PageHeader, raw []byte, opts scan.PDFOptions) []byte {
	tb.Helper()
	var buf bytes.Buffer
	pw := scan.NewPDFWriter(&buf, opts)
	if err := pw.WritePage(tb.Context(), scan.Page{PageHeader: hdr, Data: bytes.NewReader(raw)}); err != nil {
		tb.Fatal(err)
	}
	if err := pw.Close(); err != nil {
		tb.Fatal(err)
	}
	return buf.Bytes()
}

// renderPDF renders the first page of pdf at dpi in gray with poppler and
// returns the PNG file's path, in dir.
func renderPDF(tb testing.TB, pdf []byte, dpi int, dir, name string) string {
	tb.Helper()
	pdftoppm, err := filecheck.Tool("pdftoppm")
	if err != nil {
		tb.Fatal(err)
	}
	file := filepath.Join(dir, name+".pdf")
	if err := os.WriteFile(file, pdf, 0o600); err != nil {
		tb.Fatal(err)
	}
	out := filepath.Join(dir, name)
	if msg, err := exec.Command(pdftoppm, "-r", strconv.Itoa(dpi), "-png", "-f", "1", "-l", "1", "-singlefile", file, out).CombinedOutput(); err != nil || len(msg) > 0 {
		tb.Fatalf("pdftoppm: %v\n%s", err, msg)
	}
	return out + ".png"
}

// ocrRight is how many of want's words tesseract reads on the PNG file:
// each word of want counts once for each time OCR found it.
func ocrRight(tb testing.TB, pngFile string, want []string) int {
	tb.Helper()
	tesseract, err := filecheck.Tool("tesseract")
	if err != nil {
		tb.Fatal(err)
	}
	cmd := exec.Command(tesseract, pngFile, "stdout", "-l", "eng")
	cmd.Env = append(os.Environ(), "OMP_THREAD_LIMIT=1")
	text, err := cmd.Output()
	if err != nil {
		tb.Fatalf("tesseract: %v", err)
	}
	seen := map[string]int{}
	for _, w := range ocrWords(string(text)) {
		seen[w]++
	}
	right := 0
	for _, w := range want {
		if seen[w] > 0 {
			seen[w]--
			right++
		}
	}
	return right
}

// TestCompactPDFLegible writes the office page in gray and colour as a
// normal and a compact PDF, has every checker accept both, and requires
// the compact one to be smaller and to lose no more than 1 % of the words
// OCR reads right on the normal one. It leaves both renderings at 150 dpi
// side by side in testdata/compact (not tracked), for people to look at.
func TestCompactPDFLegible(t *testing.T) {
	want := officeWords()
	for _, mode := range []scan.Mode{scan.ModeGray8, scan.ModeRGB24} {
		t.Run(mode.String(), func(t *testing.T) {
			t.Parallel()
			hdr, raw := officePage(t, mode, 300)
			normal := writeOnePDF(t, hdr, raw, scan.PDFOptions{})
			compact := writeOnePDF(t, hdr, raw, scan.PDFOptions{Compact: true})
			filecheck.PDF(t, normal, 1)
			filecheck.PDF(t, compact, 1)
			colour := map[scan.Mode]string{scan.ModeGray8: "gray", scan.ModeRGB24: "rgb"}[mode]
			if got, want := pdfLayers(t, compact), []string{
				"image " + colour + " jpeg 100", // the background
				"image " + colour + " image 25", // the text's colours, Flate
				"mask - ccitt 300",              // the text
			}; !slices.Equal(got, want) {
				t.Errorf("compact page's images %q, want %q", got, want)
			}
			if again := writeOnePDF(t, hdr, raw, scan.PDFOptions{Compact: true}); !bytes.Equal(again, compact) {
				t.Error("the same page made two different compact PDFs")
			}

			dir := t.TempDir()
			rightNormal := ocrRight(t, renderPDF(t, normal, 300, dir, "normal"), want)
			rightCompact := ocrRight(t, renderPDF(t, compact, 300, dir, "compact"), want)
			t.Logf("%v: normal %d bytes, %d of %d words read; compact %d bytes (%.1f %%), %d words read",
				mode, len(normal), rightNormal, len(want), len(compact), 100*float64(len(compact))/float64(len(normal)), rightCompact)
			if len(compact) >= len(normal) {
				t.Errorf("compact PDF %d bytes, normal %d", len(compact), len(normal))
			}
			if rightNormal < len(want)*9/10 {
				t.Errorf("OCR reads only %d of %d words on the normal PDF: the test page is not legible", rightNormal, len(want))
			}
			if lost := rightNormal - rightCompact; lost*100 > rightNormal {
				t.Errorf("the compact PDF loses %d of the %d words read on the normal one (more than 1 %%)", lost, rightNormal)
			}
			sideBySide(t, renderPDF(t, normal, 150, dir, "normal150"), renderPDF(t, compact, 150, dir, "compact150"),
				filepath.Join("testdata", "compact", mode.String()+"-normal-vs-compact.png"))
		})
	}
}

// pdfLayers lists a PDF's images as pdfimages does: type, colour,
// coding and resolution.
func pdfLayers(t *testing.T, pdf []byte) []string {
	t.Helper()
	tool, err := filecheck.Tool("pdfimages")
	if err != nil {
		t.Fatal(err)
	}
	file := filepath.Join(t.TempDir(), "layers.pdf")
	if err := os.WriteFile(file, pdf, 0o600); err != nil {
		t.Fatal(err)
	}
	out, err := exec.Command(tool, "-list", file).Output()
	if err != nil {
		t.Fatalf("pdfimages: %v", err)
	}
	var layers []string
	for _, line := range strings.Split(string(out), "\n")[2:] {
		// page num type width height color comp bpc enc interp object ID x-ppi …
		if f := strings.Fields(line); len(f) >= 13 {
			layers = append(layers, strings.Join([]string{f[2], f[5], f[8], f[12]}, " "))
		}
	}
	return layers
}

// sideBySide writes the PNG files left and right next to each other into
// out.
func sideBySide(t *testing.T, left, right, out string) {
	t.Helper()
	var imgs [2]image.Image
	for i, name := range []string{left, right} {
		f, err := os.Open(name)
		if err != nil {
			t.Fatal(err)
		}
		imgs[i], err = png.Decode(f)
		f.Close()
		if err != nil {
			t.Fatal(err)
		}
	}
	b0, b1 := imgs[0].Bounds(), imgs[1].Bounds()
	all := image.NewRGBA(image.Rect(0, 0, b0.Dx()+b1.Dx(), max(b0.Dy(), b1.Dy())))
	draw.Draw(all, b0.Sub(b0.Min), imgs[0], b0.Min, draw.Src)
	draw.Draw(all, b1.Sub(b1.Min).Add(image.Pt(b0.Dx(), 0)), imgs[1], b1.Min, draw.Src)
	if err := os.MkdirAll(filepath.Dir(out), 0o755); err != nil {
		t.Fatal(err)
	}
	var buf bytes.Buffer
	if err := png.Encode(&buf, all); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(out, buf.Bytes(), 0o644); err != nil {
		t.Fatal(err)
	}
}

// TestCompactNotCutIntoParts: a compact PDF's pages are several images,
// which WritePart cannot copy yet; it says so instead of writing a broken
// part.
func TestCompactNotCutIntoParts(t *testing.T) {
	dir := t.TempDir()
	doc := writeDocument(t, dir, scansim.Scanner{}, scan.Options{Mode: scan.ModeRGB24, DPI: 100, Pages: 2}, scan.FormatPDFCompact)
	refs, err := scan.ReadIndex(dir)
	if err != nil || len(refs) != doc.Pages() {
		t.Fatalf("index %v, %v", refs, err)
	}
	// A job found in the spool after a restart knows its file as a PDF.
	for _, format := range []scan.Format{scan.FormatPDFCompact, scan.FormatPDF} {
		f, err := os.Create(filepath.Join(t.TempDir(), "part.pdf"))
		if err != nil {
			t.Fatal(err)
		}
		err = scan.WritePart(t.Context(), f, dir, format, refs[:1], "part")
		f.Close()
		if !errors.Is(err, scan.ErrUnsupported) || !strings.Contains(err.Error(), "compact PDF") {
			t.Errorf("WritePart of a compact PDF as %v: %v, want ErrUnsupported naming the compact PDF", format, err)
		}
	}
}
