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

// TestCompactParts: a compact PDF cut into parts by whole pages gives
// valid PDFs (PDF/A when asked) whose pages render as the whole
// document's do, the layers copied as they are; an index from before the
// layers were recorded, or a TIFF part, is refused as before.
func TestCompactParts(t *testing.T) {
	for _, tc := range []struct {
		mode scan.Mode
		pdfa bool
	}{{scan.ModeRGB24, false}, {scan.ModeGray8, false}, {scan.ModeRGB24, true}} {
		name := tc.mode.String()
		if tc.pdfa {
			name += "-pdfa"
		}
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			dir := t.TempDir()
			doc := writeDocument(t, dir, scansim.Scanner{}, scan.Options{Mode: tc.mode, DPI: 100, Pages: 3}, scan.FormatPDFCompact)
			refs, err := scan.ReadIndex(dir)
			if err != nil || len(refs) != doc.Pages() {
				t.Fatalf("index %v, %v", refs, err)
			}
			whole, err := os.ReadFile(filepath.Join(dir, refs[0].File))
			if err != nil {
				t.Fatal(err)
			}
			want := renderPages(t, whole, len(refs))
			if bytes.Equal(want[0], want[1]) {
				t.Fatal("the simulator's pages look alike: comparing renderings would prove nothing")
			}
			for _, ref := range refs {
				if ref.Layers == nil || ref.Layers.Color != (tc.mode == scan.ModeRGB24) {
					t.Fatalf("index entry %+v: no layers, or the wrong colour", ref)
				}
			}
			// A job found in the spool after a restart used to know its
			// file as a PDF; either cuts the same.
			for _, format := range []scan.Format{scan.FormatPDFCompact, scan.FormatPDF} {
				page := 0
				for _, part := range [][]scan.PageRef{refs[:1], refs[1:]} {
					data := writeCompactPart(t, dir, format, part, scan.PDFOptions{Title: "part", PDFA: tc.pdfa})
					filecheck.PDF(t, data, len(part))
					if tc.pdfa {
						filecheck.PDFA(t, data, map[string]string{"Title": "part", "Producer": "scanmail"})
					}
					for _, ref := range part {
						for _, l := range []scan.Layer{ref.Layers.Background, ref.Layers.Mask, ref.Layers.Foreground} {
							img := whole[l.Offset : l.Offset+l.Length]
							if l.Length == 0 || !bytes.Contains(data, img) {
								t.Errorf("layer %+v of page %+v is not in the part as it is", l, ref)
							}
						}
					}
					for i, got := range renderPages(t, data, len(part)) {
						if !bytes.Equal(got, want[page+i]) {
							t.Errorf("%v part: page %d renders unlike the whole document's page %d", format, i+1, page+i+1)
						}
					}
					page += len(part)
				}
			}

			old := slices.Clone(refs)
			for i := range old {
				old[i].Layers = nil
			}
			for _, tc := range []struct {
				name   string
				format scan.Format
				refs   []scan.PageRef
			}{{"index without layers", scan.FormatPDFCompact, old}, {"tiff", scan.FormatTIFF, refs}} {
				f, err := os.Create(filepath.Join(t.TempDir(), "part"))
				if err != nil {
					t.Fatal(err)
				}
				err = scan.WritePart(t.Context(), f, dir, tc.format, tc.refs[:1], "part")
				f.Close()
				if !errors.Is(err, scan.ErrUnsupported) || !strings.Contains(err.Error(), "compact PDF") {
					t.Errorf("%s: %v, want ErrUnsupported naming the compact PDF", tc.name, err)
				}
			}
		})
	}
}

// writeCompactPart writes refs of the document in dir as a part and
// returns its bytes.
func writeCompactPart(t *testing.T, dir string, format scan.Format, refs []scan.PageRef, opts scan.PDFOptions) []byte {
	t.Helper()
	out := filepath.Join(t.TempDir(), "part.pdf")
	f, err := os.Create(out)
	if err != nil {
		t.Fatal(err)
	}
	err = scan.WritePartPDF(t.Context(), f, dir, format, refs, opts)
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		t.Fatal(err)
	}
	data, err := os.ReadFile(out)
	if err != nil {
		t.Fatal(err)
	}
	return data
}

// renderPages renders every page of pdf at 50 dpi with poppler and
// returns the PNG files' bytes.
func renderPages(t *testing.T, pdf []byte, pages int) [][]byte {
	t.Helper()
	pdftoppm, err := filecheck.Tool("pdftoppm")
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	file := filepath.Join(dir, "doc.pdf")
	if err := os.WriteFile(file, pdf, 0o600); err != nil {
		t.Fatal(err)
	}
	var out [][]byte
	for i := 1; i <= pages; i++ {
		n := strconv.Itoa(i)
		prefix := filepath.Join(dir, "p"+n)
		if msg, err := exec.Command(pdftoppm, "-r", "50", "-png", "-f", n, "-l", n, "-singlefile", file, prefix).CombinedOutput(); err != nil || len(msg) > 0 {
			t.Fatalf("pdftoppm: %v\n%s", err, msg)
		}
		b, err := os.ReadFile(prefix + ".png")
		if err != nil {
			t.Fatal(err)
		}
		out = append(out, b)
	}
	return out
}
