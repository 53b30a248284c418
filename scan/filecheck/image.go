package filecheck

import (
	"bytes"
	"image"
	"image/jpeg"
	"image/png"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// TIFF fails tb unless libtiff reads file without complaint as pages pages
// and decodes every one of them.
func TIFF(tb testing.TB, file string, pages int) {
	tb.Helper()
	tiffinfo, err := Tool("tiffinfo")
	if err != nil {
		tb.Fatal(err)
	}
	tiffcp, err := Tool("tiffcp")
	if err != nil {
		tb.Fatal(err)
	}
	var stderr bytes.Buffer
	cmd := exec.Command(tiffinfo, "-D", file)
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil || stderr.Len() > 0 {
		tb.Fatalf("tiffinfo -D %s: %v\n%s", file, err, stderr.Bytes())
	}
	if n := strings.Count(string(out), "TIFF Directory"); n != pages {
		tb.Fatalf("tiffinfo sees %d pages in %s, want %d", n, file, pages)
	}
	// tiffcp decodes every page to write it uncompressed.
	plain := filepath.Join(tb.TempDir(), "plain.tif")
	if msg, err := exec.Command(tiffcp, "-c", "none", file, plain).CombinedOutput(); err != nil || len(msg) > 0 {
		tb.Fatalf("tiffcp %s: %v\n%s", file, err, msg)
	}
}

// JPEG fails tb unless Go's decoder and djpeg both decode file as an image
// of width by height pixels.
func JPEG(tb testing.TB, file string, width, height int) {
	tb.Helper()
	djpeg, err := Tool("djpeg")
	if err != nil {
		tb.Fatal(err)
	}
	b, err := os.ReadFile(file)
	if err != nil {
		tb.Fatal(err)
	}
	img, err := jpeg.Decode(bytes.NewReader(b))
	if err != nil {
		tb.Fatalf("%s: %v", file, err)
	}
	if s := img.Bounds().Size(); s.X != width || s.Y != height {
		tb.Fatalf("%s is %dx%d, want %dx%d", file, s.X, s.Y, width, height)
	}
	if msg, err := exec.Command(djpeg, "-pnm", "-outfile", os.DevNull, file).CombinedOutput(); err != nil || len(msg) > 0 {
		tb.Fatalf("djpeg %s: %v\n%s", file, err, msg)
	}
}

// Ink fails tb unless the PNG image looks like a printed document: mostly
// light, with some dark. A blank, inverted or garbled page fails.
func Ink(tb testing.TB, pngData []byte) {
	tb.Helper()
	img, err := png.Decode(bytes.NewReader(pngData))
	if err != nil {
		tb.Fatal(err)
	}
	if share := darkShare(img); share < 0.02 || share > 0.4 {
		tb.Errorf("%.1f%% of the rendered page is dark, want a document", 100*share)
	}
}

func darkShare(img image.Image) float64 {
	dark, all := 0, 0
	b := img.Bounds()
	for y := b.Min.Y; y < b.Max.Y; y++ {
		for x := b.Min.X; x < b.Max.X; x++ {
			r, g, bl, _ := img.At(x, y).RGBA()
			if (r+g+bl)/3 < 0x8000 {
				dark++
			}
			all++
		}
	}
	return float64(dark) / float64(all)
}
