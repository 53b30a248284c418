package jpegenc

import (
	"bytes"
	"errors"
	"fmt"
	"image"
	"image/jpeg"
	"io"
	"runtime"
	"testing"
	"time"
)

// stdEncode encodes raster with image/jpeg, the reference for quality and
// size.
func stdEncode(t testing.TB, raster []byte, w, h, bpp, quality int) []byte {
	t.Helper()
	var img image.Image
	if bpp == 1 {
		img = &image.Gray{Pix: raster, Stride: w, Rect: image.Rect(0, 0, w, h)}
	} else {
		m := image.NewRGBA(image.Rect(0, 0, w, h))
		for i := range w * h {
			copy(m.Pix[4*i:], raster[3*i:3*i+3])
			m.Pix[4*i+3] = 0xff
		}
		img = m
	}
	var buf bytes.Buffer
	if err := jpeg.Encode(&buf, img, &jpeg.Options{Quality: quality}); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

type testImage struct {
	name      string
	w, h, bpp int
	raster    func(w, h, bpp int) []byte
	minPSNR   float64 // at quality 90
	big       bool    // skipped with -short
}

func doc(w, h, bpp int) []byte   { return docPage(w, h, bpp, 0, 1) }
func noisy(w, h, bpp int) []byte { return docPage(w, h, bpp, 2, 2) }

var testImages = []testImage{
	{name: "gray 1x1", w: 1, h: 1, bpp: 1, raster: gradient, minPSNR: 40},
	{name: "gray 17x9", w: 17, h: 9, bpp: 1, raster: gradient, minPSNR: 40},
	{name: "gray 8x8", w: 8, h: 8, bpp: 1, raster: gradient, minPSNR: 40},
	{name: "gray 9x17 doc", w: 9, h: 17, bpp: 1, raster: doc, minPSNR: 35},
	{name: "gray 333x222 gradient", w: 333, h: 222, bpp: 1, raster: gradient, minPSNR: 50},
	{name: "gray 600x800 doc", w: 600, h: 800, bpp: 1, raster: doc, minPSNR: 38},
	{name: "gray 601x799 scanned doc", w: 601, h: 799, bpp: 1, raster: noisy, minPSNR: 38},
	{name: "gray 2481x3509 doc", w: 2481, h: 3509, bpp: 1, raster: doc, minPSNR: 38, big: true},
	{name: "rgb 1x1", w: 1, h: 1, bpp: 3, raster: gradient, minPSNR: 40},
	{name: "rgb 17x9", w: 17, h: 9, bpp: 3, raster: gradient, minPSNR: 40},
	{name: "rgb 16x16", w: 16, h: 16, bpp: 3, raster: gradient, minPSNR: 40},
	{name: "rgb 15x33 doc", w: 15, h: 33, bpp: 3, raster: doc, minPSNR: 28},
	{name: "rgb 333x222 gradient", w: 333, h: 222, bpp: 3, raster: gradient, minPSNR: 45},
	{name: "rgb 249x351 doc", w: 249, h: 351, bpp: 3, raster: doc, minPSNR: 30},
	{name: "rgb 600x800 doc", w: 600, h: 800, bpp: 3, raster: doc, minPSNR: 32},
	{name: "rgb 2481x3509 doc", w: 2481, h: 3509, bpp: 3, raster: doc, minPSNR: 32, big: true},
}

// TestRoundTrip decodes the output with image/jpeg and checks size and
// fidelity, against absolute floors and against image/jpeg's own encoding
// at the same quality, which uses the same tables and subsampling.
func TestRoundTrip(t *testing.T) {
	for _, ti := range testImages {
		t.Run(ti.name, func(t *testing.T) {
			if ti.big && testing.Short() {
				t.Skip("large image")
			}
			t.Parallel()
			raster := ti.raster(ti.w, ti.h, ti.bpp)
			ours := encode(t, raster, Options{Width: ti.w, Height: ti.h, Components: ti.bpp, Quality: 90})
			got, w, h, bpp := decodeStd(t, ours)
			if w != ti.w || h != ti.h || bpp != ti.bpp {
				t.Fatalf("decoded %dx%d with %d components, want %dx%d with %d", w, h, bpp, ti.w, ti.h, ti.bpp)
			}
			p := psnr(raster, got)
			if p < ti.minPSNR {
				t.Errorf("PSNR %.2f dB, want at least %.0f", p, ti.minPSNR)
			}
			std := stdEncode(t, raster, ti.w, ti.h, ti.bpp, 90)
			stdGot, _, _, _ := decodeStd(t, std)
			ps := psnr(raster, stdGot)
			if p < ps-0.5 {
				t.Errorf("PSNR %.2f dB, image/jpeg gets %.2f dB", p, ps)
			}
			// Restart markers cost 2-3 bytes an MCU row; beyond that the
			// size must match the same tables' output.
			if limit := len(std)*102/100 + 32; len(ours) > limit {
				t.Errorf("%d bytes, image/jpeg needs %d", len(ours), len(std))
			}
			t.Logf("%d bytes, %.2f dB; image/jpeg %d bytes, %.2f dB", len(ours), p, len(std), ps)
		})
	}
}

// TestQualities checks that quality orders fidelity and size the way
// libjpeg's scaling does, from 1 to 100.
func TestQualities(t *testing.T) {
	const w, h = 200, 240
	for _, bpp := range []int{1, 3} {
		raster := doc(w, h, bpp)
		lastPSNR, lastSize := 0.0, 0
		for _, q := range []int{1, 10, 25, 50, 75, 90, 100} {
			out := encode(t, raster, Options{Width: w, Height: h, Components: bpp, Quality: q})
			got, _, _, _ := decodeStd(t, out)
			p := psnr(raster, got)
			if p <= lastPSNR || len(out) <= lastSize {
				t.Errorf("%d components, quality %d: %.2f dB in %d bytes, not above the lower quality's %.2f dB in %d bytes",
					bpp, q, p, len(out), lastPSNR, lastSize)
			}
			lastPSNR, lastSize = p, len(out)
		}
	}
}

// TestExtremes codes the hardest content for the coefficient ranges:
// checkerboards and full-scale steps at quality 100 and 1.
func TestExtremes(t *testing.T) {
	const w, h = 64, 48
	patterns := map[string]func(x, y int) byte{
		"checker": func(x, y int) byte { return byte(255 * ((x + y) & 1)) },
		"stripes": func(x, y int) byte { return byte(255 * (x & 1)) },
		"steps":   func(x, y int) byte { return byte(255 * (x / 4 & 1) * (y / 8 & 1)) },
		"black":   func(x, y int) byte { return 0 },
		"white":   func(x, y int) byte { return 255 },
	}
	for name, f := range patterns {
		for _, bpp := range []int{1, 3} {
			raster := make([]byte, 0, w*h*bpp)
			for y := range h {
				for x := range w {
					for c := range bpp {
						raster = append(raster, f(x+c, y))
					}
				}
			}
			for _, q := range []int{1, 100} {
				out := encode(t, raster, Options{Width: w, Height: h, Components: bpp, Quality: q})
				// Without djpeg's smoothing chroma upsampling both decoders
				// replicate chroma samples.
				got, _, _, _ := decodeDjpeg(t, out, "-nosmooth")
				gotStd, _, _, _ := decodeStd(t, out)
				if q == 100 && bpp == 1 {
					if p := psnr(raster, got); p < 40 {
						t.Errorf("%s quality 100: PSNR %.2f dB", name, p)
					}
				}
				if p := psnr(got, gotStd); p < 40 {
					t.Errorf("%s %d components quality %d: djpeg and image/jpeg disagree, PSNR %.2f dB", name, bpp, q, p)
				}
			}
		}
	}
}

// TestSplits feeds the same raster byte by byte, in random chunks and in
// whole rows, and expects the bytes of a single Write.
func TestSplits(t *testing.T) {
	for _, ti := range []struct{ w, h, bpp int }{{37, 21, 3}, {37, 21, 1}, {300, 410, 1}, {300, 230, 3}} {
		raster := doc(ti.w, ti.h, ti.bpp)
		o := Options{Width: ti.w, Height: ti.h, Components: ti.bpp}
		want := encode(t, raster, o)
		rnd := &splitmix{s: 7}
		chunkings := map[string]func() int{
			"random": func() int { return 1 + rnd.intn(3*ti.w*ti.bpp) },
			"rows":   func() int { return ti.w * ti.bpp },
		}
		if len(raster) < 5000 {
			chunkings["bytes"] = func() int { return 1 }
		}
		for name, next := range chunkings {
			var buf bytes.Buffer
			e, err := NewWriter(&buf, o)
			if err != nil {
				t.Fatal(err)
			}
			for p := raster; len(p) > 0; {
				k := min(next(), len(p))
				if n, err := e.Write(p[:k]); n != k || err != nil {
					t.Fatalf("Write = %d, %v", n, err)
				}
				p = p[k:]
			}
			if err := e.Close(); err != nil {
				t.Fatal(err)
			}
			if !bytes.Equal(buf.Bytes(), want) {
				t.Errorf("%dx%dx%d written in %s chunks: output differs from one Write", ti.w, ti.h, ti.bpp, name)
			}
		}
	}
}

// TestWorkers expects the same bytes whatever the number of workers, on
// images of many batches.
func TestWorkers(t *testing.T) {
	for _, ti := range []struct{ w, h, bpp int }{{1000, 1203, 1}, {700, 601, 3}} {
		raster := noisy(ti.w, ti.h, ti.bpp)
		var want []byte
		for _, n := range []int{1, 2, 3, 4, 8} {
			got := encode(t, raster, Options{Width: ti.w, Height: ti.h, Components: ti.bpp, Workers: n})
			if want == nil {
				want = got
				continue
			}
			if !bytes.Equal(got, want) {
				t.Errorf("%dx%dx%d: %d workers give other bytes than 1", ti.w, ti.h, ti.bpp, n)
			}
		}
	}
}

// TestHeader checks the markers a JFIF reader looks at.
func TestHeader(t *testing.T) {
	out := encode(t, gradient(40, 30, 3), Options{Width: 40, Height: 30, Components: 3, DPI: 300})
	app0 := []byte{0xff, 0xd8, 0xff, 0xe0, 0, 16, 'J', 'F', 'I', 'F', 0, 1, 1, 1, 300 >> 8, 300 & 0xff, 300 >> 8, 300 & 0xff, 0, 0}
	if !bytes.HasPrefix(out, app0) {
		t.Errorf("starts % x, want SOI and JFIF APP0 at 300 dpi % x", out[:len(app0)], app0)
	}
	if !bytes.HasSuffix(out, []byte{0xff, 0xd9}) {
		t.Error("no EOI at the end")
	}
	// Two MCU rows: one restart marker, RST0, and a restart interval of
	// three MCUs.
	if !bytes.Contains(out, []byte{0xff, 0xdd, 0, 4, 0, 3}) {
		t.Error("no DRI of 3 MCUs")
	}
	if n := bytes.Count(out, []byte{0xff, 0xd0}); n != 1 {
		t.Errorf("%d RST0 markers, want 1", n)
	}
	sof := []byte{0xff, 0xc0, 0, 17, 8, 0, 30, 0, 40, 3, 1, 0x22, 0, 2, 0x11, 1, 3, 0x11, 1}
	if !bytes.Contains(out, sof) {
		t.Errorf("no baseline SOF0 % x", sof)
	}

	gray := encode(t, gradient(40, 30, 1), Options{Width: 40, Height: 30, Components: 1})
	if !bytes.HasPrefix(gray, app0[:13]) || gray[13] != 0 || gray[14] != 0 || gray[15] != 1 {
		t.Errorf("without DPI: APP0 % x, want units 0 and aspect 1:1", gray[:20])
	}
	// Four MCU rows: RST0, RST1, RST2.
	for i, m := range []byte{0xd0, 0xd1, 0xd2, 0xd3} {
		if n, want := bytes.Count(gray, []byte{0xff, m}), 1-i/3; n != want {
			t.Errorf("%d markers FF %X, want %d", n, m, want)
		}
	}
}

// TestRestartCycle checks that restart markers count RST0..RST7 and start
// over, across batches, by decoding an image of many MCU rows with both
// decoders (they reject markers out of sequence).
func TestRestartCycle(t *testing.T) {
	const w, h = 8, 8 * 50
	raster := noisy(w, h, 1)
	out := encode(t, raster, Options{Width: w, Height: h, Components: 1, Workers: 3})
	for i := range 49 {
		marker := []byte{0xff, 0xd0 + byte(i%8)}
		if bytes.Count(out, marker) != (49+7-i%8)/8 {
			t.Fatalf("RST%d appears %d times", i%8, bytes.Count(out, marker))
		}
	}
	got, _, _, _ := decodeStd(t, out)
	gotDj, _, _, _ := decodeDjpeg(t, out)
	if p := psnr(raster, got); p < 35 {
		t.Errorf("image/jpeg: PSNR %.2f", p)
	}
	if p := psnr(raster, gotDj); p < 35 {
		t.Errorf("djpeg: PSNR %.2f", p)
	}
}

func TestOptions(t *testing.T) {
	bad := []Options{
		{Width: 0, Height: 1, Components: 1},
		{Width: 1, Height: 0, Components: 1},
		{Width: 65536, Height: 1, Components: 1},
		{Width: 1, Height: 65536, Components: 3},
		{Width: 1, Height: 1, Components: 2},
		{Width: 1, Height: 1, Components: 4},
		{Width: 1, Height: 1, Components: 1, Quality: 101},
		{Width: 1, Height: 1, Components: 1, Quality: -1},
		{Width: 1, Height: 1, Components: 1, DPI: -1},
		{Width: 1, Height: 1, Components: 1, DPI: 65536},
		{Width: 1, Height: 1, Components: 1, Workers: -1},
	}
	for _, o := range bad {
		if _, err := NewWriter(io.Discard, o); !errors.Is(err, ErrOptions) {
			t.Errorf("%+v: error %v, want ErrOptions", o, err)
		}
	}
	o := Options{Width: 65535, Height: 65535, Components: 3, Quality: 100, DPI: 65535, Workers: 1}
	if _, err := NewWriter(io.Discard, o); err != nil {
		t.Errorf("%+v: %v", o, err)
	}
	// Quality 0 means 75.
	r := doc(50, 50, 1)
	if a, b := encode(t, r, Options{Width: 50, Height: 50, Components: 1}), encode(t, r, Options{Width: 50, Height: 50, Components: 1, Quality: 75}); !bytes.Equal(a, b) {
		t.Error("quality 0 is not quality 75")
	}
}

func TestTooManyRows(t *testing.T) {
	const w, h = 20, 10
	raster := gradient(w, h+2, 1)
	var buf bytes.Buffer
	e, err := NewWriter(&buf, Options{Width: w, Height: h, Components: 1})
	if err != nil {
		t.Fatal(err)
	}
	n, err := e.Write(raster[:w*h-3])
	if n != w*h-3 || err != nil {
		t.Fatalf("Write = %d, %v", n, err)
	}
	n, err = e.Write(raster[w*h-3:])
	if n != 3 || !errors.Is(err, ErrTooManyRows) {
		t.Fatalf("Write past the last row = %d, %v; want 3, ErrTooManyRows", n, err)
	}
	if n, err := e.Write([]byte{1}); n != 0 || !errors.Is(err, ErrTooManyRows) {
		t.Fatalf("Write past the last row = %d, %v; want 0, ErrTooManyRows", n, err)
	}
	if err := e.Close(); err != nil {
		t.Fatal(err)
	}
	if want := encode(t, raster[:w*h], Options{Width: w, Height: h, Components: 1}); !bytes.Equal(buf.Bytes(), want) {
		t.Error("the image differs from one written without the extra rows")
	}
	if _, err := e.Write(raster[:1]); !errors.Is(err, ErrClosed) {
		t.Errorf("Write after Close: %v, want ErrClosed", err)
	}
	if err := e.Close(); !errors.Is(err, ErrClosed) {
		t.Errorf("second Close: %v, want ErrClosed", err)
	}
}

// TestIncomplete closes before the last row: Close must fail and the output
// must not end like a complete JPEG.
func TestIncomplete(t *testing.T) {
	for _, ti := range []struct {
		w, h, bpp, rows, extra int
	}{
		{2480, 400, 1, 300, 0},   // several batches out
		{2480, 400, 1, 399, 100}, // last row partly written
		{100, 100, 3, 0, 0},      // nothing written
		{100, 100, 3, 0, 1},      // one byte
	} {
		raster := doc(ti.w, ti.h, ti.bpp)
		var buf bytes.Buffer
		e, err := NewWriter(&buf, Options{Width: ti.w, Height: ti.h, Components: ti.bpp, Workers: 2})
		if err != nil {
			t.Fatal(err)
		}
		if _, err := e.Write(raster[:ti.rows*ti.w*ti.bpp+ti.extra]); err != nil {
			t.Fatal(err)
		}
		err = e.Close()
		if !errors.Is(err, ErrIncomplete) {
			t.Errorf("%+v: Close = %v, want ErrIncomplete", ti, err)
		}
		if bytes.HasSuffix(buf.Bytes(), []byte{0xff, 0xd9}) {
			t.Errorf("%+v: incomplete output ends with EOI", ti)
		}
		if ti.rows == 0 && buf.Len() != 0 {
			t.Errorf("%+v: %d bytes written for no complete strip", ti, buf.Len())
		}
	}
}

// failWriter fails after n bytes.
type failWriter struct{ n int }

var errFull = errors.New("disk full")

func (f *failWriter) Write(p []byte) (int, error) {
	if len(p) > f.n {
		k := f.n
		f.n = 0
		return k, errFull
	}
	f.n -= len(p)
	return len(p), nil
}

func TestOutputError(t *testing.T) {
	const w, h = 1200, 1600
	raster := noisy(w, h, 1)
	whole := encode(t, raster, Options{Width: w, Height: h, Components: 1})
	for _, limit := range []int{0, 100, len(whole) / 2, len(whole) - 1} {
		e, err := NewWriter(&failWriter{n: limit}, Options{Width: w, Height: h, Components: 1, Workers: 2})
		if err != nil {
			t.Fatal(err)
		}
		var werr error
		for p := raster; len(p) > 0 && werr == nil; {
			k := min(len(p), 64*w)
			_, werr = e.Write(p[:k])
			p = p[k:]
		}
		cerr := e.Close()
		if !errors.Is(werr, errFull) && !errors.Is(cerr, errFull) {
			t.Errorf("output limited to %d bytes: Write %v, Close %v; want %v", limit, werr, cerr, errFull)
		}
		if werr != nil && !errors.Is(cerr, errFull) {
			t.Errorf("Close after a failed Write = %v, want the same error", cerr)
		}
	}
}

// TestEncode covers the reader convenience, including a short reader.
func TestEncode(t *testing.T) {
	const w, h = 123, 77
	raster := doc(w, h, 3)
	o := Options{Width: w, Height: h, Components: 3}
	var buf bytes.Buffer
	if err := Encode(&buf, io.MultiReader(bytes.NewReader(raster), bytes.NewReader([]byte("trailer"))), o); err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(buf.Bytes(), encode(t, raster, o)) {
		t.Error("Encode and Write differ")
	}
	err := Encode(io.Discard, bytes.NewReader(raster[:len(raster)-1]), o)
	if !errors.Is(err, io.ErrUnexpectedEOF) {
		t.Errorf("short raster: %v, want io.ErrUnexpectedEOF", err)
	}
	if err := Encode(&failWriter{n: 10}, bytes.NewReader(raster), o); !errors.Is(err, errFull) {
		t.Errorf("failing output: %v, want %v", err, errFull)
	}
}

// TestNoLeak drops writers in every state and expects their goroutines to
// end.
func TestNoLeak(t *testing.T) {
	before := runtime.NumGoroutine()
	raster := noisy(2480, 600, 1)
	for i := range 5 {
		e, err := NewWriter(io.Discard, Options{Width: 2480, Height: 3508, Components: 1, Workers: 2})
		if err != nil {
			t.Fatal(err)
		}
		if _, err := e.Write(raster[:(i+1)*100*2480]); err != nil {
			t.Fatal(err)
		}
		if i%2 == 0 {
			e.Close()
		}
		// Otherwise abandoned with batches in flight.
	}
	deadline := time.Now().Add(10 * time.Second)
	for runtime.NumGoroutine() > before {
		if time.Now().After(deadline) {
			buf := make([]byte, 1<<16)
			t.Fatalf("%d goroutines, %d before:\n%s", runtime.NumGoroutine(), before, buf[:runtime.Stack(buf, true)])
		}
		time.Sleep(10 * time.Millisecond)
	}
}

// TestMemory feeds an A4 300 dpi gray page in 64-row strips and samples
// the live heap: it must not grow with the rows written.
func TestMemory(t *testing.T) {
	const w, h, strip = 2480, 3508, 64
	page := newStripSource(w, h)
	buf := make([]byte, strip*w)
	var out countWriter
	heap := func() uint64 {
		runtime.GC()
		var m runtime.MemStats
		runtime.ReadMemStats(&m)
		return m.HeapAlloc
	}
	base := heap()
	e, err := NewWriter(&out, Options{Width: w, Height: h, Components: 1, Workers: 2})
	if err != nil {
		t.Fatal(err)
	}
	var peak uint64
	for y := 0; y < h; y += strip {
		n := min(strip, h-y)
		page.rows(y, n, buf[:n*w])
		if _, err := e.Write(buf[:n*w]); err != nil {
			t.Fatal(err)
		}
		if y/strip%10 == 5 {
			peak = max(peak, heap())
		}
	}
	if err := e.Close(); err != nil {
		t.Fatal(err)
	}
	growth := int64(peak) - int64(base)
	t.Logf("heap growth while encoding: %d KiB; output %d KiB", growth>>10, out.n>>10)
	if growth > 4<<20 {
		t.Errorf("heap grew by %d KiB while encoding, want under 4 MiB", growth>>10)
	}
	if out.n < 100<<10 {
		t.Errorf("only %d bytes of output", out.n)
	}
}

type countWriter struct{ n int }

func (c *countWriter) Write(p []byte) (int, error) { c.n += len(p); return len(p), nil }

// stripSource yields the rows of a document page made of a repeated band,
// without holding the page.
type stripSource struct {
	w    int
	band []byte
	bh   int
}

func newStripSource(w, h int) *stripSource {
	const bh = 300
	return &stripSource{w: w, band: docPage(w, bh, 1, 1, 3), bh: bh}
}

func (s *stripSource) rows(y, n int, dst []byte) {
	for i := range n {
		r := (y + i) % s.bh
		copy(dst[i*s.w:(i+1)*s.w], s.band[r*s.w:(r+1)*s.w])
	}
}

func ExampleWriter() {
	const w, h = 64, 48
	var out bytes.Buffer
	e, err := NewWriter(&out, Options{Width: w, Height: h, Components: 1, DPI: 300})
	if err != nil {
		panic(err)
	}
	row := make([]byte, w)
	for y := range h {
		for x := range row {
			row[x] = byte(x * 4)
		}
		row[y] = 0
		if _, err := e.Write(row); err != nil {
			panic(err)
		}
	}
	if err := e.Close(); err != nil {
		panic(err) // the output is unusable
	}
	cfg, err := jpeg.DecodeConfig(&out)
	fmt.Println(cfg.Width, cfg.Height, err)
	// Output: 64 48 <nil>
}
