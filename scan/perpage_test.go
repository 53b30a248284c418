package scan_test

import (
	"bytes"
	"fmt"
	"os"
	"path/filepath"
	"testing"

	"scanmail/scan"
	"scanmail/scan/filecheck"
	"scanmail/scan/scansim"
)

// TestDocumentPerPage: with PerPage, a PDF (compact too) or TIFF document is a file of
// its own for each page, named in page order, each a valid one-page file,
// and the index names the file each page's image lies in.
func TestDocumentPerPage(t *testing.T) {
	for _, mode := range []scan.Mode{scan.ModeBW1, scan.ModeRGB24} {
		for _, f := range []scan.Format{scan.FormatPDF, scan.FormatPDFCompact, scan.FormatTIFF} {
			t.Run(mode.String()+"/"+f.String(), func(t *testing.T) {
				t.Parallel()
				dir := t.TempDir()
				src, err := (&scansim.Scanner{}).Scan(t.Context(), scan.Options{Mode: mode, DPI: 100, Pages: 3})
				if err != nil {
					t.Fatal(err)
				}
				defer src.Close()
				doc, err := scan.CreateDocument(dir, scan.DocumentOptions{Format: f, Name: "scan", PerPage: true})
				if err != nil {
					t.Fatal(err)
				}
				for range 3 {
					pg, err := src.NextPage(t.Context())
					if err != nil {
						t.Fatal(err)
					}
					if err := doc.WritePage(t.Context(), pg); err != nil {
						t.Fatal(err)
					}
				}
				if err := doc.Close(); err != nil {
					t.Fatal(err)
				}
				refs, err := scan.ReadIndex(dir)
				if err != nil {
					t.Fatal(err)
				}
				files := doc.Files()
				if len(files) != 3 || len(refs) != 3 {
					t.Fatalf("files %v, %d pages indexed; want 3 of each", files, len(refs))
				}
				var size int64
				for i, file := range files {
					want := fmt.Sprintf("scan-p%03d.%s", i+1, f.Ext())
					if filepath.Base(file) != want || refs[i].File != want {
						t.Errorf("page %d in %s, indexed in %s; want %s", i+1, filepath.Base(file), refs[i].File, want)
					}
					data, err := os.ReadFile(file)
					if err != nil {
						t.Fatal(err)
					}
					size += int64(len(data))
					if img := imageData(t, dir, refs[i]); len(img) == 0 || !bytes.Contains(data, img) {
						t.Errorf("page %d: index entry %+v does not frame its image", i+1, refs[i])
					}
					if f != scan.FormatTIFF {
						filecheck.PDF(t, data, 1)
					} else {
						filecheck.TIFF(t, file, 1)
					}
				}
				if doc.Size() != size {
					t.Errorf("size %d, the files hold %d", doc.Size(), size)
				}
			})
		}
	}
}
