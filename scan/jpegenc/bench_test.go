package jpegenc

import (
	"fmt"
	"image"
	"image/jpeg"
	"io"
	"runtime"
	"sync"
	"syscall"
	"testing"
	"time"
)

// An A4 page at 300 dpi.
const a4W, a4H = 2480, 3508

// a4Pages caches the benchmark rasters: clean synthetic print, and the same
// with ±2 levels of sensor noise, which defeats the flat-block shortcut.
var a4Pages = sync.OnceValue(func() map[string][]byte {
	return map[string][]byte{
		"gray":         docPage(a4W, a4H, 1, 0, 1),
		"gray-scanned": docPage(a4W, a4H, 1, 2, 1),
		"rgb":          docPage(a4W, a4H, 3, 0, 1),
		"rgb-scanned":  docPage(a4W, a4H, 3, 2, 1),
	}
})

// cpuTime is the user and system CPU time of this process (who =
// RUSAGE_SELF, all goroutines) or of its waited-for children.
func cpuTime(b *testing.B, who int) time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(who, &ru); err != nil {
		b.Fatal(err)
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

// reportPages reports the wall-clock rate, and the CPU time a page cost
// since cpu0, which other load on the machine disturbs much less.
func reportPages(b *testing.B, who int, cpu0 time.Duration) {
	b.ReportMetric(float64(b.N)/b.Elapsed().Minutes(), "pages/min")
	b.ReportMetric(float64(b.Elapsed().Microseconds())/1000/float64(b.N), "ms/page")
	b.ReportMetric(float64((cpuTime(b, who)-cpu0).Microseconds())/1000/float64(b.N), "cpu-ms/page")
}

// benchOurs encodes the page fed in 64-row strips, as a scanner delivers
// it, with 1 worker and with one a core.
func benchOurs(b *testing.B, page string, bpp int) {
	raster := a4Pages()[page]
	for _, workers := range []int{1, runtime.GOMAXPROCS(0)} {
		b.Run(fmt.Sprintf("workers=%d", workers), func(b *testing.B) {
			var out countWriter
			b.SetBytes(int64(len(raster)))
			b.ReportAllocs()
			cpu0 := cpuTime(b, syscall.RUSAGE_SELF)
			for b.Loop() {
				encodePage(b, &out, raster, bpp, workers)
			}
			reportPages(b, syscall.RUSAGE_SELF, cpu0)
			b.ReportMetric(float64(out.n)/1024, "KiB/page")
		})
	}
}

func BenchmarkGrayA4(b *testing.B)        { benchOurs(b, "gray", 1) }
func BenchmarkGrayA4Scanned(b *testing.B) { benchOurs(b, "gray-scanned", 1) }
func BenchmarkRGBA4(b *testing.B)         { benchOurs(b, "rgb", 3) }
func BenchmarkRGBA4Scanned(b *testing.B)  { benchOurs(b, "rgb-scanned", 3) }

// benchStdlib encodes the whole page with image/jpeg at the same quality,
// on one core: it needs the whole image in memory.
func benchStdlib(b *testing.B, page string, bpp int) {
	raster := a4Pages()[page]
	var img image.Image
	if bpp == 1 {
		img = &image.Gray{Pix: raster, Stride: a4W, Rect: image.Rect(0, 0, a4W, a4H)}
	} else {
		m := image.NewRGBA(image.Rect(0, 0, a4W, a4H))
		for i := range a4W * a4H {
			copy(m.Pix[4*i:], raster[3*i:3*i+3])
			m.Pix[4*i+3] = 0xff
		}
		img = m
	}
	var out countWriter
	b.SetBytes(int64(len(raster)))
	b.ReportAllocs()
	cpu0 := cpuTime(b, syscall.RUSAGE_SELF)
	for b.Loop() {
		out.n = 0
		if err := jpeg.Encode(&out, img, &jpeg.Options{Quality: 75}); err != nil {
			b.Fatal(err)
		}
	}
	reportPages(b, syscall.RUSAGE_SELF, cpu0)
	b.ReportMetric(float64(out.n)/1024, "KiB/page")
}

func BenchmarkStdlibGrayA4(b *testing.B)        { benchStdlib(b, "gray", 1) }
func BenchmarkStdlibGrayA4Scanned(b *testing.B) { benchStdlib(b, "gray-scanned", 1) }
func BenchmarkStdlibRGBA4(b *testing.B)         { benchStdlib(b, "rgb", 3) }
func BenchmarkStdlibRGBA4Scanned(b *testing.B)  { benchStdlib(b, "rgb-scanned", 3) }

// BenchmarkCodeRows measures the coding of one strip on one goroutine,
// without the pipeline: the figure to optimise the block coder against.
func BenchmarkCodeRows(b *testing.B) {
	for _, page := range []string{"gray", "gray-scanned", "rgb", "rgb-scanned"} {
		b.Run(page, func(b *testing.B) {
			bpp := 1
			if page[:3] == "rgb" {
				bpp = 3
			}
			raster := a4Pages()[page]
			e, err := NewWriter(io.Discard, Options{Width: a4W, Height: a4H, Components: bpp})
			if err != nil {
				b.Fatal(err)
			}
			c := e.c
			// The middle third of the page, in the coder's padded layout.
			rows := a4H / 3 / c.mcuSize * c.mcuSize
			strip := make([]byte, rows*c.stride)
			for y := range rows {
				src := raster[(a4H/3+y)*a4W*bpp:][:a4W*bpp]
				copy(strip[y*c.stride:], src)
				e.padRow(strip[y*c.stride : (y+1)*c.stride])
			}
			b.SetBytes(int64(rows * a4W * bpp))
			var out []byte
			cpu0 := cpuTime(b, syscall.RUSAGE_SELF)
			for b.Loop() {
				out = c.codeRows(out[:0], strip, 0)
			}
			// Per page, and in CPU time too, which the other load on a
			// shared machine disturbs less than the wall clock.
			perPage := float64(a4H) / float64(rows) / float64(b.N)
			b.ReportMetric(float64(b.Elapsed().Microseconds())/1000*perPage, "ms/page")
			b.ReportMetric(float64((cpuTime(b, syscall.RUSAGE_SELF)-cpu0).Microseconds())/1000*perPage, "cpu-ms/page")
		})
	}
}
