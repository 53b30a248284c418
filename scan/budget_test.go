package scan_test

import (
	"bytes"
	"context"
	"errors"
	"image"
	"image/jpeg"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"scanmail/scan"
	"scanmail/scan/scansim"
)

var allFormats = []scan.Format{scan.FormatPDF, scan.FormatTIFF, scan.FormatJPEG}

// TestDocumentMaxBytes: a document takes at most MaxBytes of disk, page
// index included. One that fits exactly is written; one byte less fails
// with ErrTooLarge, at the write that would pass it, with no more on disk.
func TestDocumentMaxBytes(t *testing.T) {
	for _, m := range []struct {
		name string
		mode scan.Mode
	}{{"gray8", scan.ModeGray8}, {"bw1", scan.ModeBW1}, {"engine jpeg", scan.ModeJPEG}} {
		for _, f := range allFormats {
			t.Run(m.name+"/"+f.String(), func(t *testing.T) {
				t.Parallel()
				opts := scan.Options{Mode: m.mode, DPI: 75, Pages: 3}
				free := t.TempDir()
				if err := scanInto(t, free, &scansim.Scanner{}, opts, scan.DocumentOptions{Format: f}); err != nil {
					t.Fatal(err)
				}
				total := dirBytes(t, free)

				exact := t.TempDir()
				if err := scanInto(t, exact, &scansim.Scanner{}, opts, scan.DocumentOptions{Format: f, MaxBytes: total}); err != nil {
					t.Fatalf("a document of exactly MaxBytes: %v", err)
				}
				short := t.TempDir()
				err := scanInto(t, short, &scansim.Scanner{}, opts, scan.DocumentOptions{Format: f, MaxBytes: total - 1})
				if !errors.Is(err, scan.ErrTooLarge) {
					t.Fatalf("a document one byte over: %v, want ErrTooLarge", err)
				}
				if n := dirBytes(t, short); n > total-1 {
					t.Errorf("%d bytes on disk, the limit is %d", n, total-1)
				}
			})
		}
	}
}

// TestEndlessPage: an engine that never ends its JPEG page fills neither
// the document's room nor, without a limit, more than such a page can
// take.
func TestEndlessPage(t *testing.T) {
	const w, h = 200, 300
	for _, f := range allFormats {
		t.Run(f.String(), func(t *testing.T) {
			t.Parallel()
			const room = 256 << 10
			dir := t.TempDir()
			err := scanInto(t, dir, endlessSource(t, w, h), scan.Options{}, scan.DocumentOptions{Format: f, MaxBytes: room})
			if !errors.Is(err, scan.ErrTooLarge) {
				t.Fatalf("got %v, want ErrTooLarge", err)
			}
			if n := dirBytes(t, dir); n > room {
				t.Errorf("%d bytes on disk, the limit is %d", n, room)
			}

			dir = t.TempDir()
			err = scanInto(t, dir, endlessSource(t, w, h), scan.Options{}, scan.DocumentOptions{Format: f})
			if err == nil || !strings.Contains(err.Error(), "did not end the page") {
				t.Fatalf("without a limit: %v, want the page refused as endless", err)
			}
			if n, most := dirBytes(t, dir), scan.MaxJPEGBytes(w, h, 1)+4096; n > most {
				t.Errorf("%d bytes on disk, want at most %d", n, most)
			}
		})
	}
}

// scanInto writes a document of src's pages into dir and returns the first
// error.
func scanInto(t *testing.T, dir string, s interface {
	Scan(context.Context, scan.Options) (scan.Source, error)
}, opts scan.Options, dopts scan.DocumentOptions) error {
	t.Helper()
	src, err := s.Scan(t.Context(), opts)
	if err != nil {
		t.Fatal(err)
	}
	defer src.Close()
	doc, err := scan.CreateDocument(dir, dopts)
	if err != nil {
		t.Fatal(err)
	}
	for {
		pg, err := src.NextPage(t.Context())
		if err == io.EOF {
			break
		}
		if err == nil {
			err = doc.WritePage(t.Context(), pg)
		}
		if err != nil {
			doc.Close()
			return err
		}
	}
	return doc.Close()
}

// dirBytes is what the files in dir take.
func dirBytes(t *testing.T, dir string) int64 {
	t.Helper()
	entries, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	var n int64
	for _, e := range entries {
		fi, err := os.Stat(filepath.Join(dir, e.Name()))
		if err != nil {
			t.Fatal(err)
		}
		n += fi.Size()
	}
	return n
}

// endless is an engine whose one page is a gray JPEG's header followed by
// entropy-coded data that never ends.
type endless struct {
	hdr  scan.PageHeader
	head []byte
}

func endlessSource(t *testing.T, w, h int) *endless {
	var b bytes.Buffer
	if err := jpeg.Encode(&b, image.NewGray(image.Rect(0, 0, w, h)), nil); err != nil {
		t.Fatal(err)
	}
	return &endless{hdr: scan.PageHeader{Width: w, Height: h, DPI: 75, Mode: scan.ModeJPEG}, head: b.Bytes()[:b.Len()-2]} // without its EOI
}

func (e *endless) Scan(context.Context, scan.Options) (scan.Source, error) {
	return &endlessJob{e: e}, nil
}

type endlessJob struct {
	e    *endless
	sent bool
}

func (j *endlessJob) NextPage(context.Context) (scan.Page, error) {
	if j.sent {
		return scan.Page{}, io.EOF
	}
	j.sent = true
	return scan.Page{PageHeader: j.e.hdr, Data: io.MultiReader(bytes.NewReader(j.e.head), filler{})}, nil
}

func (j *endlessJob) Close() error { return nil }

type filler struct{}

func (filler) Read(p []byte) (int, error) {
	for i := range p {
		p[i] = 0x55
	}
	return len(p), nil
}
