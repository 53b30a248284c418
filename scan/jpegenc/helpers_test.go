package jpegenc

import (
	"bufio"
	"bytes"
	"fmt"
	"image"
	"image/color"
	"image/jpeg"
	"io"
	"math"
	"os"
	"os/exec"
	"path/filepath"
	"testing"
)

// encode encodes raster in one Write.
func encode(t testing.TB, raster []byte, o Options) []byte {
	t.Helper()
	var buf bytes.Buffer
	e, err := NewWriter(&buf, o)
	if err != nil {
		t.Fatal(err)
	}
	if n, err := e.Write(raster); n != len(raster) || err != nil {
		t.Fatalf("Write = %d, %v; want %d, nil", n, err, len(raster))
	}
	if err := e.Close(); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

// decodeStd decodes with image/jpeg into a raster like the input: one byte
// a pixel for gray, RGB for colour.
func decodeStd(t testing.TB, data []byte) (raster []byte, w, h, bpp int) {
	t.Helper()
	img, err := jpeg.Decode(bytes.NewReader(data))
	if err != nil {
		t.Fatalf("image/jpeg: %v", err)
	}
	b := img.Bounds()
	w, h = b.Dx(), b.Dy()
	switch m := img.(type) {
	case *image.Gray:
		raster = make([]byte, 0, w*h)
		for y := range h {
			raster = append(raster, m.Pix[y*m.Stride:y*m.Stride+w]...)
		}
		return raster, w, h, 1
	case *image.YCbCr:
		if m.SubsampleRatio != image.YCbCrSubsampleRatio420 {
			t.Errorf("subsampling %v, want 4:2:0", m.SubsampleRatio)
		}
		raster = make([]byte, 0, 3*w*h)
		for y := range h {
			for x := range w {
				yi, ci := m.YOffset(x, y), m.COffset(x, y)
				r, g, b := color.YCbCrToRGB(m.Y[yi], m.Cb[ci], m.Cr[ci])
				raster = append(raster, r, g, b)
			}
		}
		return raster, w, h, 3
	}
	t.Fatalf("image/jpeg decoded a %T", img)
	return nil, 0, 0, 0
}

// psnr compares two rasters of the same layout, in dB.
func psnr(a, b []byte) float64 {
	if len(a) != len(b) {
		return math.Inf(-1)
	}
	var se float64
	for i := range a {
		d := float64(a[i]) - float64(b[i])
		se += d * d
	}
	if se == 0 {
		return math.Inf(1)
	}
	return 10 * math.Log10(255*255*float64(len(a))/se)
}

// needTool returns the path of a libjpeg-turbo program or fails the test.
func needTool(t testing.TB, name string) string {
	t.Helper()
	p, err := exec.LookPath(name)
	if err != nil {
		t.Fatalf("%s not found (%v): install Debian's libjpeg-turbo-progs", name, err)
	}
	return p
}

// decodeDjpeg decodes with libjpeg-turbo's djpeg, failing on any warning,
// and returns the raster of its PNM output. args are added to djpeg's.
func decodeDjpeg(t testing.TB, data []byte, args ...string) (raster []byte, w, h, bpp int) {
	t.Helper()
	djpeg := needTool(t, "djpeg")
	var stdout, stderr bytes.Buffer
	cmd := exec.Command(djpeg, append([]string{"-pnm"}, args...)...)
	cmd.Stdin = bytes.NewReader(data)
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	if err := cmd.Run(); err != nil {
		t.Fatalf("djpeg: %v: %s", err, stderr.Bytes())
	}
	if stderr.Len() > 0 {
		t.Fatalf("djpeg warned: %s", stderr.Bytes())
	}
	raster, w, h, bpp, err := readPNM(&stdout)
	if err != nil {
		t.Fatalf("djpeg output: %v", err)
	}
	return raster, w, h, bpp
}

// readPNM reads a binary PGM (P5) or PPM (P6) with maxval 255.
func readPNM(r io.Reader) (raster []byte, w, h, bpp int, err error) {
	br := bufio.NewReader(r)
	var magic string
	var maxval int
	if _, err := fmt.Fscan(br, &magic, &w, &h, &maxval); err != nil {
		return nil, 0, 0, 0, err
	}
	switch {
	case magic == "P5":
		bpp = 1
	case magic == "P6":
		bpp = 3
	default:
		return nil, 0, 0, 0, fmt.Errorf("PNM type %q", magic)
	}
	if maxval != 255 {
		return nil, 0, 0, 0, fmt.Errorf("maxval %d", maxval)
	}
	if _, err := br.ReadByte(); err != nil { // the single white space
		return nil, 0, 0, 0, err
	}
	raster = make([]byte, w*h*bpp)
	if _, err := io.ReadFull(br, raster); err != nil {
		return nil, 0, 0, 0, err
	}
	if n, _ := io.Copy(io.Discard, br); n != 0 {
		return nil, 0, 0, 0, fmt.Errorf("%d bytes after the raster", n)
	}
	return raster, w, h, bpp, nil
}

// writePNM writes raster as a PGM or PPM file in dir for cjpeg.
func writePNM(t testing.TB, dir string, raster []byte, w, h, bpp int) string {
	t.Helper()
	magic := "P5"
	if bpp == 3 {
		magic = "P6"
	}
	name := filepath.Join(dir, "page.pnm")
	data := append([]byte(fmt.Sprintf("%s\n%d %d\n255\n", magic, w, h)), raster...)
	if err := os.WriteFile(name, data, 0o644); err != nil {
		t.Fatal(err)
	}
	return name
}
