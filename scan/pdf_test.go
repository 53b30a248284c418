package scan_test

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"image/png"
	"io"
	"maps"
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

// requireTool fails, rather than skips, when a checker is missing: a PDF
// test that silently checks less is worse than a red build.
func requireTool(t *testing.T, name string) string {
	t.Helper()
	path, err := filecheck.Tool(name)
	if err != nil {
		t.Fatal(err)
	}
	return path
}

// scanPDF runs a simulated job into a PDF in memory.
func scanPDF(t *testing.T, opts scan.Options, popts scan.PDFOptions) []byte {
	t.Helper()
	var sim scansim.Scanner
	src, err := sim.Scan(t.Context(), opts)
	if err != nil {
		t.Fatal(err)
	}
	defer src.Close()
	var buf bytes.Buffer
	n, err := scan.WritePDF(t.Context(), src, &buf, popts)
	if err != nil {
		t.Fatal(err)
	}
	if n != opts.Pages {
		t.Fatalf("WritePDF wrote %d pages, want %d", n, opts.Pages)
	}
	return buf.Bytes()
}

// checkPDF runs every validator on b and returns each one's complaint, by
// validator name; none means valid.
func checkPDF(t *testing.T, b []byte, wantPages int) map[string]error {
	t.Helper()
	errs, err := filecheck.CheckPDF(t.Context(), b, wantPages)
	if err != nil {
		t.Fatal(err)
	}
	return errs
}

func TestPDFValid(t *testing.T) {
	tests := []struct {
		name  string
		opts  scan.Options
		popts scan.PDFOptions
		info  string // expected in pdfinfo's output
	}{
		{"1 page 300 dpi", scan.Options{Pages: 1}, scan.PDFOptions{Title: `Scan (1) \ a)`}, "Title:           Scan (1) \\ a)\nProducer:        scanmail"},
		{"3 pages 150 dpi", scan.Options{DPI: 150, Pages: 3}, scan.PDFOptions{JPEGQuality: 40, Title: "Scan é", Producer: "scanmail test"},
			"Title:           Scan é\nProducer:        scanmail test"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			b := scanPDF(t, tt.opts, tt.popts)
			for name, err := range checkPDF(t, b, tt.opts.Pages) {
				t.Errorf("%s: %v", name, err)
			}
			file := filepath.Join(t.TempDir(), "scan.pdf")
			if err := os.WriteFile(file, b, 0o600); err != nil {
				t.Fatal(err)
			}
			out, err := exec.CommandContext(t.Context(), requireTool(t, "pdfinfo"), file).Output()
			if err != nil || !strings.Contains(string(out), tt.info) {
				t.Errorf("pdfinfo (%v) lacks %q:\n%s", err, tt.info, out)
			}
		})
	}
}

// TestPDFCorrupt shows that the validators reject damaged output, so that
// their silence in TestPDFValid means something.
func TestPDFCorrupt(t *testing.T) {
	good := scanPDF(t, scan.Options{DPI: 75, Pages: 3}, scan.PDFOptions{})
	if errs := checkPDF(t, good, 3); len(errs) > 0 {
		t.Fatalf("the undamaged PDF fails: %v", errs)
	}
	xref := bytes.LastIndex(good, []byte("\nxref\n")) + 1
	entry := bytes.Index(good[xref:], []byte(" 00000 n")) + xref - 10
	tests := []struct {
		name   string
		damage func([]byte) []byte
		reject []string // validators that must each see the damage
	}{
		{"cut in half", func(b []byte) []byte { return b[:len(b)/2] },
			[]string{"xref", "qpdf", "pdfinfo"}},
		{"no trailer", func(b []byte) []byte { return b[:xref] },
			[]string{"xref", "qpdf", "pdfinfo"}},
		{"startxref off by one", func(b []byte) []byte {
			return bytes.Replace(b, []byte("startxref\n"+strconv.Itoa(xref)), []byte("startxref\n"+strconv.Itoa(xref+1)), 1)
		}, []string{"xref", "qpdf"}},
		{"object offset wrong", func(b []byte) []byte {
			off, _ := strconv.Atoi(string(b[entry : entry+10]))
			copy(b[entry:], fmt.Sprintf("%010d", off+3))
			return b
		}, []string{"xref", "pdfcpu", "qpdf", "pdfinfo"}},
		{"one page missing", func(b []byte) []byte {
			return bytes.Replace(b, []byte("/Count 3"), []byte("/Count 2"), 1)
		}, []string{"pdfcpu"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			bad := tt.damage(bytes.Clone(good))
			if bytes.Equal(bad, good) {
				t.Fatal("damage changed nothing")
			}
			errs := checkPDF(t, bad, 3)
			for _, name := range tt.reject {
				if errs[name] == nil {
					t.Errorf("%s accepted the damaged PDF", name)
				}
			}
			t.Logf("rejected by %v", slices.Sorted(maps.Keys(errs)))
		})
	}
}

func TestPDFRender(t *testing.T) {
	pdftoppm := requireTool(t, "pdftoppm")
	b := scanPDF(t, scan.Options{DPI: 100, Pages: 3}, scan.PDFOptions{})
	dir := t.TempDir()
	file := filepath.Join(dir, "scan.pdf")
	if err := os.WriteFile(file, b, 0o600); err != nil {
		t.Fatal(err)
	}
	var dark [2]float64
	for i, page := range []string{"1", "2"} {
		out, err := exec.CommandContext(t.Context(), pdftoppm, "-r", "30", "-gray", "-png", "-f", page, "-l", page, "-singlefile", file, filepath.Join(dir, "p"+page)).CombinedOutput()
		if err != nil {
			t.Fatalf("pdftoppm page %s: %v\n%s", page, err, out)
		}
		f, err := os.Open(filepath.Join(dir, "p"+page+".png"))
		if err != nil {
			t.Fatal(err)
		}
		img, err := png.Decode(f)
		f.Close()
		if err != nil {
			t.Fatal(err)
		}
		r := img.Bounds()
		if r.Dx() < 200 || r.Dy() < 300 {
			t.Fatalf("page %s rendered as %v, want about 248x351", page, r)
		}
		n := 0
		for y := r.Min.Y; y < r.Max.Y; y++ {
			for x := r.Min.X; x < r.Max.X; x++ {
				if g, _, _, _ := img.At(x, y).RGBA(); g < 0x8000 {
					n++
				}
			}
		}
		dark[i] = float64(n) / float64(r.Dx()*r.Dy())
		t.Logf("page %s: %.3f of the pixels are dark", page, dark[i])
		if dark[i] < 0.01 || dark[i] > 0.5 {
			t.Errorf("page %s: %.3f of the pixels are dark; want a page with some print on it", page, dark[i])
		}
	}
}

func TestPDFWriterErrors(t *testing.T) {
	a4 := scan.PageHeader{Width: 620, Height: 877, DPI: 75, Mode: scan.ModeGray8}
	size := a4.Width * a4.Height
	tests := []struct {
		name string
		pg   scan.Page
		opts scan.PDFOptions
		want string
	}{
		{"short raster", scan.Page{a4, bytes.NewReader(make([]byte, size-1))}, scan.PDFOptions{}, "raster ends after 876 of 877 rows"},
		{"long raster", scan.Page{a4, bytes.NewReader(make([]byte, size+1))}, scan.PDFOptions{}, "longer than its header"},
		{"read error", scan.Page{a4, io.MultiReader(bytes.NewReader(make([]byte, 100)), iotestErr{})}, scan.PDFOptions{}, "link lost"},
		{"unknown mode", scan.Page{scan.PageHeader{Width: 620, Height: 877, DPI: 75, Mode: 9}, bytes.NewReader(nil)}, scan.PDFOptions{}, "Mode(9)"},
		{"zero resolution", scan.Page{scan.PageHeader{Width: 620, Height: 877, DPI: 0, Mode: scan.ModeGray8}, bytes.NewReader(nil)}, scan.PDFOptions{}, "0 dpi"},
		{"huge page", scan.Page{scan.PageHeader{Width: 60000, Height: 60000, DPI: 600, Mode: scan.ModeGray8}, bytes.NewReader(nil)}, scan.PDFOptions{}, "too large"},
		{"bad quality", scan.Page{a4, bytes.NewReader(make([]byte, size))}, scan.PDFOptions{JPEGQuality: 101}, "quality 101"},
	}
	for _, tt := range tests {
		for _, compact := range []bool{false, true} {
			name := tt.name
			if compact {
				name += " compact"
			}
			tt.opts.Compact = compact
			if seeker, ok := tt.pg.Data.(io.Seeker); ok {
				seeker.Seek(0, io.SeekStart)
			}
			t.Run(name, func(t *testing.T) {
				var out bytes.Buffer
				pw := scan.NewPDFWriter(&out, tt.opts)
				err := pw.WritePage(t.Context(), tt.pg)
				if err == nil || !strings.Contains(err.Error(), tt.want) {
					t.Fatalf("WritePage err = %v, want one mentioning %q", err, tt.want)
				}
				if pw.Pages() != 0 {
					t.Errorf("Pages() = %d after a failed page", pw.Pages())
				}
				if err := pw.Close(); err == nil {
					t.Error("Close succeeded after a failed page")
				}
				if bytes.Contains(out.Bytes(), []byte("%%EOF")) {
					t.Error("a failed PDF got a trailer")
				}
			})
		}
	}
}

type iotestErr struct{}

func (iotestErr) Read([]byte) (int, error) { return 0, errors.New("link lost") }

func TestPDFWriterNoPages(t *testing.T) {
	var out bytes.Buffer
	pw := scan.NewPDFWriter(&out, scan.PDFOptions{})
	if err := pw.Close(); err == nil {
		t.Fatal("Close of an empty PDF succeeded")
	}
	if out.Len() != 0 {
		t.Errorf("an empty PDF wrote %d bytes", out.Len())
	}
}

// cancelWriter stands in for the spool file and cancels the job once the
// first page has reached it.
type cancelWriter struct {
	bytes.Buffer
	cancel context.CancelFunc
}

func (w *cancelWriter) Write(b []byte) (int, error) {
	if bytes.Contains(b, []byte("/Type /Page ")) {
		w.cancel()
	}
	return w.Buffer.Write(b)
}

// failWriter fails like a full disk after limit bytes.
type failWriter struct{ limit int }

func (w *failWriter) Write(b []byte) (int, error) {
	if len(b) > w.limit {
		n := w.limit
		w.limit = 0
		return n, errors.New("no space left on device")
	}
	w.limit -= len(b)
	return len(b), nil
}

func TestWritePDFFails(t *testing.T) {
	t.Run("cancelled after page 1", func(t *testing.T) {
		ctx, cancel := context.WithCancel(t.Context())
		defer cancel()
		var sim scansim.Scanner
		src, err := sim.Scan(ctx, scan.Options{DPI: 75, Pages: 3})
		if err != nil {
			t.Fatal(err)
		}
		defer src.Close()
		w := &cancelWriter{cancel: cancel}
		n, err := scan.WritePDF(ctx, src, w, scan.PDFOptions{})
		if !errors.Is(err, context.Canceled) || n != 0 {
			t.Fatalf("WritePDF = %d, %v; want 0, context.Canceled", n, err)
		}
		if !bytes.Contains(w.Bytes(), []byte("/Type /Page ")) || bytes.Contains(w.Bytes(), []byte("%%EOF")) {
			t.Error("want the first page streamed out and no trailer")
		}
	})
	t.Run("disk full", func(t *testing.T) {
		var sim scansim.Scanner
		src, err := sim.Scan(t.Context(), scan.Options{DPI: 75, Pages: 3})
		if err != nil {
			t.Fatal(err)
		}
		defer src.Close()
		n, err := scan.WritePDF(t.Context(), src, &failWriter{limit: 10 << 10}, scan.PDFOptions{})
		if err == nil || !strings.Contains(err.Error(), "no space left") || n != 0 {
			t.Fatalf("WritePDF = %d, %v; want 0 and the write error", n, err)
		}
		src2, err := sim.Scan(t.Context(), scan.Options{DPI: 75, Pages: 3})
		if err != nil {
			t.Fatal(err)
		}
		defer src2.Close()
		n, err = scan.WritePDF(t.Context(), src2, &failWriter{limit: 10 << 10}, scan.PDFOptions{Compact: true})
		if err == nil || !strings.Contains(err.Error(), "no space left") || n != 0 {
			t.Fatalf("compact: WritePDF = %d, %v; want 0 and the write error", n, err)
		}
	})
}

// BenchmarkPDFGrayPage measures the writer alone: one A4 300 dpi gray page,
// already in memory, encoded into a PDF that goes to io.Discard.
