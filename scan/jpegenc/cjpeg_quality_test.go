package jpegenc

import (
	"bytes"
	"fmt"
	"os/exec"
	"runtime"
	"strconv"
	"testing"
)

// cjpegEncode encodes raster with libjpeg-turbo's cjpeg at quality q, its
// defaults otherwise: the accurate integer DCT, the Annex K Huffman tables,
// 4:2:0 for colour, as we code.
func cjpegEncode(t testing.TB, raster []byte, w, h, bpp, q int) []byte {
	t.Helper()
	cjpeg := needTool(t, "cjpeg")
	var stdout, stderr bytes.Buffer
	cmd := exec.Command(cjpeg, "-quality", strconv.Itoa(q), writePNM(t, t.TempDir(), raster, w, h, bpp))
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	if err := cmd.Run(); err != nil {
		t.Fatalf("cjpeg: %v: %s", err, stderr.Bytes())
	}
	return stdout.Bytes()
}

// TestQualityVsCjpeg holds us to libjpeg-turbo's quality at equal quality
// setting (issue 14): on clean and scanned pages, gray and colour, both
// encodings decoded by djpeg, our PSNR against the source is at most
// 0.1 dB below cjpeg's and our file at most 3 % bigger. Being better on
// either count is fine. One quality step less fails almost every case.
//
// The largest gap, 0.08 dB on the clean colour band at quality 90, is not
// the colour conversion (libjpeg's exact rounding of chroma changes
// nothing): about 0.035 dB is our fixed-point DCT against an exact one,
// the rest cjpeg's integer DCT pairing well with djpeg's integer inverse,
// for an exact DCT scores the same as cjpeg -dct float, below it. Our
// restart markers add 0.1 to 0.3 % to the size.
func TestQualityVsCjpeg(t *testing.T) {
	if runtime.GOARCH != "amd64" {
		// TestGolden pins the same bytes on every architecture, so the
		// comparison holds there too; under qemu it would only cost time
		// (20 s on ARMv7).
		t.Skip("the encodings are amd64's (TestGolden); compared there")
	}
	// The project's 600×800 test pages, and a band of an A4 page at
	// 300 dpi (heading, photo patch, 12-point text), clean and scanned.
	a4Band := func(noise int) func(w, h, bpp int) []byte {
		return func(w, h, bpp int) []byte { return docPage(w, h, bpp, noise, 3) }
	}
	pages := []struct {
		name   string
		w, h   int
		raster func(w, h, bpp int) []byte
	}{
		{"doc 600x800", 600, 800, doc},
		{"scanned 600x800", 600, 800, noisy},
		{"A4 band 2480x512", a4W, 512, a4Band(0)},
		{"A4 band scanned 2480x512", a4W, 512, a4Band(2)},
	}
	for _, bpp := range []int{1, 3} {
		for _, p := range pages {
			kind := "gray"
			if bpp == 3 {
				kind = "rgb"
			}
			t.Run(kind+" "+p.name, func(t *testing.T) {
				t.Parallel()
				raster := p.raster(p.w, p.h, bpp)
				for _, q := range []int{50, 75, 90} {
					ours := encode(t, raster, Options{Width: p.w, Height: p.h, Components: bpp, Quality: q})
					theirs := cjpegEncode(t, raster, p.w, p.h, bpp, q)
					od, _, _, _ := decodeDjpeg(t, ours)
					td, _, _, _ := decodeDjpeg(t, theirs)
					op, tp := psnr(raster, od), psnr(raster, td)
					ratio := float64(len(ours)) / float64(len(theirs))
					msg := fmt.Sprintf("%s %s q%d: ours %.3f dB %d bytes, cjpeg %.3f dB %d bytes: %+.3f dB, size %+.2f %%",
						kind, p.name, q, op, len(ours), tp, len(theirs), op-tp, 100*(ratio-1))
					t.Log(msg)
					if op < tp-0.1 {
						t.Errorf("%s: PSNR more than 0.1 dB below cjpeg's", msg)
					}
					if ratio > 1.03 {
						t.Errorf("%s: more than 3 %% bigger than cjpeg's", msg)
					}
				}
			})
		}
	}
}
