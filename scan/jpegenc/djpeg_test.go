package jpegenc

import "testing"

// TestDjpeg decodes every test image with libjpeg-turbo, an independent
// decoder: no warnings, the exact size, and the fidelity image/jpeg saw.
func TestDjpeg(t *testing.T) {
	for _, ti := range testImages {
		t.Run(ti.name, func(t *testing.T) {
			if ti.big && testing.Short() {
				t.Skip("large image")
			}
			t.Parallel()
			raster := ti.raster(ti.w, ti.h, ti.bpp)
			qualities := []int{1, 75, 90, 100}
			if ti.big {
				qualities = []int{90}
			}
			for _, q := range qualities {
				out := encode(t, raster, Options{Width: ti.w, Height: ti.h, Components: ti.bpp, Quality: q, DPI: 300})
				got, w, h, bpp := decodeDjpeg(t, out)
				if w != ti.w || h != ti.h || bpp != ti.bpp {
					t.Fatalf("quality %d: djpeg decoded %dx%d with %d components, want %dx%d with %d",
						q, w, h, bpp, ti.w, ti.h, ti.bpp)
				}
				if q != 90 {
					continue
				}
				// djpeg's smoothing chroma upsampling costs colour edges
				// a little.
				floor := ti.minPSNR
				if ti.bpp == 3 {
					floor -= 1
				}
				if p := psnr(raster, got); p < floor {
					t.Errorf("PSNR %.2f dB, want at least %.0f", p, floor)
				}
			}
		})
	}
}
