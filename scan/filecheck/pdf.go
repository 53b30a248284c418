package filecheck

import (
	"bytes"
	"context"
	"fmt"
	"maps"
	"math"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"

	"github.com/pdfcpu/pdfcpu/pkg/api"
	"github.com/pdfcpu/pdfcpu/pkg/pdfcpu/model"
)

// Tool finds a checker program. A missing one is an error, not a skip: a
// PDF test that silently checks less is worse than a red build.
func Tool(name string) (string, error) {
	path, err := exec.LookPath(name)
	if err != nil {
		return "", fmt.Errorf("%s not found on PATH: install the Debian packages qpdf and poppler-utils (make deps does)", name)
	}
	return path, nil
}

// CheckPDF runs every validator on pdf, which should have pages A4 pages, and
// returns each one's complaint by name ("xref", "pdfcpu", "qpdf",
// "pdfinfo"); none means valid. err is set when a check could not run.
func CheckPDF(ctx context.Context, pdf []byte, pages int) (complaints map[string]error, err error) {
	qpdf, err := Tool("qpdf")
	if err != nil {
		return nil, err
	}
	pdfinfo, err := Tool("pdfinfo")
	if err != nil {
		return nil, err
	}
	dir, err := os.MkdirTemp("", "filecheck")
	if err != nil {
		return nil, err
	}
	defer os.RemoveAll(dir)
	file := filepath.Join(dir, "scan.pdf")
	if err := os.WriteFile(file, pdf, 0o600); err != nil {
		return nil, err
	}
	errs := map[string]error{
		"xref":    checkXref(pdf),
		"pdfcpu":  checkPdfcpu(pdf, pages),
		"qpdf":    checkQpdf(ctx, qpdf, file),
		"pdfinfo": checkPdfinfo(ctx, pdfinfo, file, pages),
	}
	for name, err := range errs {
		if err == nil {
			delete(errs, name)
		}
	}
	return errs, nil
}

// PDF fails tb unless every validator accepts pdf with pages A4 pages, and
// poppler renders its last page as a document: mostly light, some ink.
func PDF(tb testing.TB, pdf []byte, pages int) {
	tb.Helper()
	errs, err := CheckPDF(context.Background(), pdf, pages)
	if err != nil {
		tb.Fatal(err)
	}
	for _, name := range slices.Sorted(maps.Keys(errs)) {
		tb.Errorf("PDF refused by %s: %v", name, errs[name])
	}
	if len(errs) > 0 {
		return
	}
	// The validators check structure; rendering decodes the images.
	dir := tb.TempDir()
	file := filepath.Join(dir, "scan.pdf")
	if err := os.WriteFile(file, pdf, 0o600); err != nil {
		tb.Fatal(err)
	}
	pdftoppm, err := Tool("pdftoppm")
	if err != nil {
		tb.Fatal(err)
	}
	last := strconv.Itoa(pages)
	out := filepath.Join(dir, "page")
	if msg, err := exec.Command(pdftoppm, "-r", "20", "-gray", "-png", "-f", last, "-l", last, "-singlefile", file, out).CombinedOutput(); err != nil || len(msg) > 0 {
		tb.Fatalf("pdftoppm: %v\n%s", err, msg)
	}
	png, err := os.ReadFile(out + ".png")
	if err != nil {
		tb.Fatal(err)
	}
	Ink(tb, png)
}

// pdfcpuConfigOff turns off pdfcpu's config directory once: the switch is
// a global of pdfcpu's, and parallel tests would race on it.
var pdfcpuConfigOff sync.Once

func checkPdfcpu(b []byte, wantPages int) error {
	pdfcpuConfigOff.Do(api.DisableConfigDir)
	conf := model.NewDefaultConfiguration()
	conf.ValidationMode = model.ValidationStrict
	if err := api.Validate(bytes.NewReader(b), conf); err != nil {
		return err
	}
	if n, err := api.PageCount(bytes.NewReader(b), conf); err != nil || n != wantPages {
		return fmt.Errorf("%d pages (%v), want %d", n, err, wantPages)
	}
	return nil
}

// checkQpdf wants exit status 0, which qpdf gives only without errors and
// warnings; a reconstructed cross-reference table is a warning.
func checkQpdf(ctx context.Context, qpdf, file string) error {
	out, err := exec.CommandContext(ctx, qpdf, "--check", file).CombinedOutput()
	if err != nil || !strings.Contains(string(out), "No syntax or stream encoding errors") {
		return fmt.Errorf("%v\n%s", err, out)
	}
	return nil
}

// checkPdfinfo wants a clean run (poppler reports what it repaired on
// stderr), the page count and A4 pages.
func checkPdfinfo(ctx context.Context, pdfinfo, file string, wantPages int) error {
	cmd := exec.CommandContext(ctx, pdfinfo, "-f", "1", "-l", strconv.Itoa(wantPages), file)
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	if err := cmd.Run(); err != nil || stderr.Len() > 0 {
		return fmt.Errorf("%v\n%s", err, stderr.Bytes())
	}
	info := stdout.String()
	if !regexp.MustCompile(`(?m)^Pages:\s+` + strconv.Itoa(wantPages) + `$`).MatchString(info) {
		return fmt.Errorf("want %d pages:\n%s", wantPages, info)
	}
	sizes := regexp.MustCompile(`(?m)^Page\s+\d+ size:\s+([\d.]+) x ([\d.]+) pts`).FindAllStringSubmatch(info, -1)
	if len(sizes) != wantPages {
		return fmt.Errorf("%d page sizes, want %d:\n%s", len(sizes), wantPages, info)
	}
	for i, s := range sizes {
		w, _ := strconv.ParseFloat(s[1], 64)
		h, _ := strconv.ParseFloat(s[2], 64)
		if math.Abs(w-595) > 1.5 || math.Abs(h-842) > 1.5 {
			return fmt.Errorf("page %d is %gx%g pts, want A4 (595x842)", i+1, w, h)
		}
	}
	return nil
}

// checkXref holds the cross-reference table to the letter of PDF 1.4
// (section 3.4.3), which the other validators forgive: 20-byte entries whose
// offsets each point at their object.
func checkXref(b []byte) error {
	tail := b[max(0, len(b)-64):]
	m := regexp.MustCompile(`\nstartxref\n(\d+)\n%%EOF\n?$`).FindSubmatch(tail)
	if m == nil {
		return fmt.Errorf("no startxref and %%%%EOF at the end: %q", tail)
	}
	off, _ := strconv.Atoi(string(m[1]))
	if off >= len(b) || !bytes.HasPrefix(b[off:], []byte("xref\n0 ")) {
		return fmt.Errorf("startxref %d does not point at an xref table", off)
	}
	var size int
	hdr := b[off:]
	if _, err := fmt.Sscanf(string(hdr[:bytes.IndexByte(hdr[5:], '\n')+6]), "xref\n0 %d\n", &size); err != nil {
		return fmt.Errorf("bad subsection header: %v", err)
	}
	entries := hdr[bytes.IndexByte(hdr[5:], '\n')+6:]
	entry := regexp.MustCompile(`^(\d{10}) (\d{5}) ([nf])( \n| \r|\r\n)$`)
	for i := range size {
		if len(entries) < 20*(i+1) {
			return fmt.Errorf("table ends at entry %d of %d", i, size)
		}
		e := entry.FindSubmatch(entries[20*i : 20*(i+1)])
		if e == nil {
			return fmt.Errorf("entry %d is not 20 bytes of nnnnnnnnnn ggggg n: %q", i, entries[20*i:20*(i+1)])
		}
		if i == 0 || string(e[3]) == "f" {
			continue
		}
		at, _ := strconv.Atoi(string(e[1]))
		if !bytes.HasPrefix(b[at:], fmt.Appendf(nil, "%d 0 obj", i)) {
			return fmt.Errorf("entry %d points at %q, not at its object", i, b[at:min(at+12, len(b))])
		}
	}
	if !bytes.HasPrefix(entries[20*size:], []byte("trailer\n")) ||
		!bytes.Contains(entries[20*size:], fmt.Appendf(nil, "/Size %d ", size)) {
		return fmt.Errorf("no trailer with /Size %d after the table", size)
	}
	return nil
}
