package scan_test

import (
	"bytes"
	"os"
	"path/filepath"
	"testing"

	"scanmail/scan"
	"scanmail/scan/filecheck"
	"scanmail/scan/scansim"
)

// TestWritePart cuts three-page documents of every coding into parts by
// whole pages and has independent tools read each part; every page's
// compressed image must be carried over byte for byte.
func TestWritePart(t *testing.T) {
	for _, m := range testModes {
		for _, f := range []scan.Format{scan.FormatPDF, scan.FormatTIFF} {
			t.Run(m.name+"/"+f.String(), func(t *testing.T) {
				t.Parallel()
				dir := t.TempDir()
				writeDocument(t, dir, scansim.Scanner{ColorJPEG: m.colorJPEG}, scan.Options{Mode: m.mode, DPI: 100, Pages: 3}, f)
				refs, err := scan.ReadIndex(dir)
				if err != nil {
					t.Fatal(err)
				}
				if len(refs) != 3 {
					t.Fatalf("index lists %d pages, want 3", len(refs))
				}
				for _, ref := range refs {
					img := imageData(t, dir, ref)
					jpeg := ref.Coding != "g4"
					if len(img) == 0 || jpeg && (!bytes.HasPrefix(img, []byte{0xff, 0xd8}) || !bytes.HasSuffix(img, []byte{0xff, 0xd9})) {
						t.Fatalf("index entry %+v does not frame the page's image", ref)
					}
				}
				for _, part := range [][]scan.PageRef{refs[:1], refs[1:]} {
					out := filepath.Join(t.TempDir(), "part."+f.Ext())
					file, err := os.Create(out)
					if err != nil {
						t.Fatal(err)
					}
					if err := scan.WritePart(t.Context(), file, dir, f, part, "Part"); err != nil {
						t.Fatal(err)
					}
					file.Close()
					data, err := os.ReadFile(out)
					if err != nil {
						t.Fatal(err)
					}
					if f == scan.FormatPDF {
						filecheck.PDF(t, data, len(part))
					} else {
						filecheck.TIFF(t, out, len(part))
					}
					for _, ref := range part {
						if img := imageData(t, dir, ref); !bytes.Contains(data, img) {
							t.Errorf("page image at %d (%d bytes) is not in the part", ref.Offset, ref.Length)
						}
					}
				}
			})
		}
	}
}

// TestIndexJPEGFiles: with one file a page, the index names each file
// whole.
func TestIndexJPEGFiles(t *testing.T) {
	dir := t.TempDir()
	doc := writeDocument(t, dir, scansim.Scanner{}, scan.Options{Mode: scan.ModeBW1, DPI: 100, Pages: 2}, scan.FormatJPEG)
	refs, err := scan.ReadIndex(dir)
	if err != nil {
		t.Fatal(err)
	}
	if len(refs) != 2 {
		t.Fatalf("%d pages indexed", len(refs))
	}
	for i, ref := range refs {
		fi, err := os.Stat(doc.Files()[i])
		if err != nil {
			t.Fatal(err)
		}
		if ref.File != fi.Name() || ref.Offset != 0 || ref.Length != fi.Size() || ref.Coding != "jpeg-gray" {
			t.Errorf("page %d: %+v, file %s of %d bytes", i+1, ref, fi.Name(), fi.Size())
		}
	}
	if err := scan.WritePart(t.Context(), nil, dir, scan.FormatJPEG, refs, ""); err == nil {
		t.Error("WritePart made a part of JPEG files")
	}
}

func TestIndexOutsideDocument(t *testing.T) {
	dir := t.TempDir()
	writeDocument(t, dir, scansim.Scanner{}, scan.Options{Mode: scan.ModeBW1, DPI: 100, Pages: 1}, scan.FormatPDF)
	refs, err := scan.ReadIndex(dir)
	if err != nil {
		t.Fatal(err)
	}
	refs[0].File = "../" + refs[0].File
	f, err := os.Create(filepath.Join(t.TempDir(), "part.pdf"))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	if err := scan.WritePart(t.Context(), f, dir, scan.FormatPDF, refs, ""); err == nil {
		t.Error("WritePart followed a path out of the document")
	}
}

func writeDocument(t *testing.T, dir string, sim scansim.Scanner, opts scan.Options, f scan.Format) *scan.Document {
	t.Helper()
	src, err := sim.Scan(t.Context(), opts)
	if err != nil {
		t.Fatal(err)
	}
	defer src.Close()
	doc, err := scan.CreateDocument(dir, scan.DocumentOptions{Format: f, Name: "scan"})
	if err != nil {
		t.Fatal(err)
	}
	for {
		pg, err := src.NextPage(t.Context())
		if err != nil {
			break
		}
		if err := doc.WritePage(t.Context(), pg); err != nil {
			t.Fatal(err)
		}
	}
	if err := doc.Close(); err != nil {
		t.Fatal(err)
	}
	return doc
}

func imageData(t *testing.T, dir string, ref scan.PageRef) []byte {
	t.Helper()
	b, err := os.ReadFile(filepath.Join(dir, ref.File))
	if err != nil {
		t.Fatal(err)
	}
	return b[ref.Offset : ref.Offset+ref.Length]
}
