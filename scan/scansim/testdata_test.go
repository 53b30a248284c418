package scansim

import (
	"bytes"
	"flag"
	"image"
	"image/color"
	"image/jpeg"
	"image/png"
	"os"
	"path/filepath"
	"testing"
)

var update = flag.Bool("update", false, "rewrite the page images in testdata/scansim")

// testdataDir is the repository's testdata/scansim.
const testdataDir = "../../testdata/scansim"

// testImages draws the two page images: a colour page as PNG, with a
// transparent corner, and a photo-like page as JPEG.
func testImages() map[string]func() ([]byte, error) {
	const w, h = 200, 280
	return map[string]func() ([]byte, error){
		"page1.png": func() ([]byte, error) {
			img := image.NewNRGBA(image.Rect(0, 0, w, h))
			for y := range h {
				for x := range w {
					c := color.NRGBA{0xff, 0xff, 0xff, 0xff}
					switch {
					case y < 30:
						c = color.NRGBA{0x20, 0x50, 0xa0, 0xff} // title bar
					case y >= 50 && y < 250 && (y/10)%2 == 0 && x >= 20 && x < 180-(y*7)%60:
						c = color.NRGBA{0x10, 0x10, 0x10, 0xff} // lines of text
					case (x-150)*(x-150)+(y-60)*(y-60) < 15*15:
						c = color.NRGBA{0xd0, 0x20, 0x20, 0xff} // a red stamp
					case x < 20 && y > h-20:
						c = color.NRGBA{0, 0, 0, 0} // transparent: paper
					}
					img.SetNRGBA(x, y, c)
				}
			}
			var buf bytes.Buffer
			err := png.Encode(&buf, img)
			return buf.Bytes(), err
		},
		"page2.jpg": func() ([]byte, error) {
			img := image.NewRGBA(image.Rect(0, 0, w, h))
			for y := range h {
				for x := range w {
					img.SetRGBA(x, y, color.RGBA{byte(x + y/2), byte(255 - y*3/4), byte((x * y) >> 7), 0xff})
				}
			}
			var buf bytes.Buffer
			err := jpeg.Encode(&buf, img, &jpeg.Options{Quality: 80})
			return buf.Bytes(), err
		},
	}
}

// TestTestdataImages checks the committed page images; with -update it
// draws them again.
func TestTestdataImages(t *testing.T) {
	for name, draw := range testImages() {
		path := filepath.Join(testdataDir, name)
		if *update {
			b, err := draw()
			if err != nil {
				t.Fatal(err)
			}
			if err := os.MkdirAll(testdataDir, 0o755); err != nil {
				t.Fatal(err)
			}
			if err := os.WriteFile(path, b, 0o644); err != nil {
				t.Fatal(err)
			}
		}
		f, err := os.Open(path)
		if err != nil {
			t.Fatalf("%v (run go test -run TestTestdataImages -update)", err)
		}
		cfg, _, err := image.DecodeConfig(f)
		f.Close()
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		if cfg.Width != 200 || cfg.Height != 280 {
			t.Errorf("%s is %dx%d", name, cfg.Width, cfg.Height)
		}
	}
}
