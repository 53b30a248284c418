package jfif

import (
	"bytes"
	"errors"
	"image"
	"image/color"
	"image/jpeg"
	"io"
	"testing"
	"testing/iotest"
)

// encode returns a baseline JPEG from image/jpeg: gray for *image.Gray,
// 4:2:0 YCbCr for anything else.
func encode(t testing.TB, m image.Image) []byte {
	t.Helper()
	var b bytes.Buffer
	if err := jpeg.Encode(&b, m, nil); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

func grayImage(w, h int) *image.Gray {
	m := image.NewGray(image.Rect(0, 0, w, h))
	for i := range m.Pix {
		m.Pix[i] = byte(i * 7)
	}
	return m
}

func rgbImage(w, h int) *image.RGBA {
	m := image.NewRGBA(image.Rect(0, 0, w, h))
	for y := range h {
		for x := range w {
			m.Set(x, y, color.RGBA{byte(x), byte(y), 200, 255})
		}
	}
	return m
}

// segment builds a marker segment with its length field.
func segment(marker byte, payload ...byte) []byte {
	n := len(payload) + 2
	return append([]byte{0xff, marker, byte(n >> 8), byte(n)}, payload...)
}

// sof builds a frame header payload; each component is id, sampling byte.
func sof(bits byte, h, w int, comps ...byte) []byte {
	p := []byte{bits, byte(h >> 8), byte(h), byte(w >> 8), byte(w), byte(len(comps) / 2)}
	for i := 0; i < len(comps); i += 2 {
		p = append(p, comps[i], comps[i+1], 0)
	}
	return p
}

func jfifAPP0(unit byte, x, y int) []byte {
	return segment(mAPP0, 'J', 'F', 'I', 'F', 0, 1, 2, unit, byte(x>>8), byte(x), byte(y>>8), byte(y), 0, 0)
}

func adobeAPP14(transform byte) []byte {
	return segment(mAPPE, 'A', 'd', 'o', 'b', 'e', 0, 100, 0, 0, 0, 0, transform)
}

func cat(parts ...[]byte) []byte { return bytes.Join(parts, nil) }

var (
	soi = []byte{0xff, mSOI}
	eoi = []byte{0xff, mEOI}
	sos = segment(mSOS, 1, 1, 0, 0, 63, 0)
)

func TestReadHeader(t *testing.T) {
	gray, rgb := encode(t, grayImage(33, 17)), encode(t, rgbImage(40, 24))
	progressive := bytes.Clone(gray)
	progressive[bytes.Index(progressive, []byte{0xff, mSOF0})+1] = mSOF2

	ycc := []byte{1, 0x22, 2, 0x11, 3, 0x11}
	tests := []struct {
		name string
		in   []byte
		want Header
	}{
		{"image/jpeg gray", gray, Header{Width: 33, Height: 17, Components: 1, Sampling: [3][2]int{{1, 1}}}},
		{"image/jpeg colour", rgb, Header{Width: 40, Height: 24, Components: 3, YCbCr: true,
			Sampling: [3][2]int{{2, 2}, {1, 1}, {1, 1}}}},
		{"progressive", progressive, Header{Width: 33, Height: 17, Components: 1, Progressive: true,
			Sampling: [3][2]int{{1, 1}}}},
		{"JFIF 300 dpi", cat(soi, jfifAPP0(1, 300, 300), segment(mSOF0, sof(8, 3508, 2480, 1, 0x11)...), sos),
			Header{Width: 2480, Height: 3508, Components: 1, Sampling: [3][2]int{{1, 1}},
				DensityUnit: DensityPerInch, XDensity: 300, YDensity: 300}},
		{"extended sequential, fill bytes, comment", cat(soi, []byte{0xff, 0xff}, segment(0xfe, 'h', 'i'),
			[]byte{0xff, 0xff, 0xff}, segment(mSOF1, sof(8, 1, 2, 1, 0x11)...)),
			Header{Width: 2, Height: 1, Components: 1, Sampling: [3][2]int{{1, 1}}}},
		{"JFIF colour 4:2:2", cat(soi, jfifAPP0(2, 118, 118), segment(mSOF0, sof(8, 10, 20, 1, 0x21, 2, 0x11, 3, 0x11)...)),
			Header{Width: 20, Height: 10, Components: 3, YCbCr: true, Sampling: [3][2]int{{2, 1}, {1, 1}, {1, 1}},
				DensityUnit: DensityPerCm, XDensity: 118, YDensity: 118}},
		{"Adobe transform 0 is RGB", cat(soi, adobeAPP14(0), segment(mSOF0, sof(8, 8, 8, ycc...)...)),
			Header{Width: 8, Height: 8, Components: 3, Sampling: [3][2]int{{2, 2}, {1, 1}, {1, 1}}}},
		{"Adobe transform 1 is YCbCr", cat(soi, adobeAPP14(1), segment(mSOF0, sof(8, 8, 8, ycc...)...)),
			Header{Width: 8, Height: 8, Components: 3, YCbCr: true, Sampling: [3][2]int{{2, 2}, {1, 1}, {1, 1}}}},
		{"components named R G B", cat(soi, segment(mSOF0, sof(8, 8, 8, 'R', 0x11, 'G', 0x11, 'B', 0x11)...)),
			Header{Width: 8, Height: 8, Components: 3, Sampling: [3][2]int{{1, 1}, {1, 1}, {1, 1}}}},
		{"JFIF wins over RGB names", cat(soi, jfifAPP0(0, 1, 1), segment(mSOF0, sof(8, 8, 8, 'R', 0x11, 'G', 0x11, 'B', 0x11)...)),
			Header{Width: 8, Height: 8, Components: 3, YCbCr: true, Sampling: [3][2]int{{1, 1}, {1, 1}, {1, 1}},
				XDensity: 1, YDensity: 1}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := bytes.NewReader(tt.in)
			h, consumed, err := ReadHeader(r)
			if err != nil {
				t.Fatal(err)
			}
			if h != tt.want {
				t.Errorf("header = %+v\nwant       %+v", h, tt.want)
			}
			// Exactly the bytes up to the end of the frame header, and
			// not one byte more taken from r.
			if !bytes.HasPrefix(tt.in, consumed) {
				t.Fatalf("consumed bytes are not the stream's prefix")
			}
			if int(r.Size())-r.Len() != len(consumed) {
				t.Errorf("read %d bytes from r, returned %d", int(r.Size())-r.Len(), len(consumed))
			}
			end := frameEnd(t, tt.in)
			if len(consumed) != end {
				t.Errorf("consumed %d bytes, the frame header ends at %d", len(consumed), end)
			}
		})
	}
}

// frameEnd finds where the SOF segment ends, the slow and obvious way.
func frameEnd(t *testing.T, b []byte) int {
	for i := 2; i+3 < len(b); {
		for b[i+1] == 0xff {
			i++
		}
		m, n := b[i+1], int(b[i+2])<<8|int(b[i+3])
		if m == mSOF0 || m == mSOF1 || m == mSOF2 {
			return i + 2 + n
		}
		i += 2 + n
	}
	t.Fatal("no SOF in test input")
	return 0
}

// A caller writes the consumed bytes, then copies the rest: the result must
// be the very same stream, and it still decodes.
func TestPassThrough(t *testing.T) {
	for _, m := range []image.Image{grayImage(64, 48), rgbImage(50, 30)} {
		in := encode(t, m)
		r := bytes.NewReader(in)
		h, consumed, err := ReadHeader(r)
		if err != nil {
			t.Fatal(err)
		}
		var out bytes.Buffer
		out.Write(consumed)
		if _, err := io.Copy(&out, r); err != nil {
			t.Fatal(err)
		}
		if !bytes.Equal(out.Bytes(), in) {
			t.Fatal("stream changed on the way through")
		}
		dec, err := jpeg.Decode(&out)
		if err != nil {
			t.Fatal(err)
		}
		if b := dec.Bounds(); b.Dx() != h.Width || b.Dy() != h.Height {
			t.Errorf("decoded %v, header says %dx%d", b, h.Width, h.Height)
		}
	}
}

func TestReadHeaderErrors(t *testing.T) {
	gray := encode(t, grayImage(16, 16))
	sofAt := bytes.Index(gray, []byte{0xff, mSOF0})
	big := [][]byte{soi}
	for range 20 {
		big = append(big, segment(0xe1, make([]byte, 65000)...))
	}
	big = append(big, segment(mSOF0, sof(8, 8, 8, 1, 0x11)...))

	tests := []struct {
		name        string
		in          []byte
		unsupported bool // else ErrFormat
	}{
		{"empty", nil, false},
		{"one byte", []byte{0xff}, false},
		{"PNG", []byte("\x89PNG\r\n\x1a\n\x00\x00\x00\x0dIHDR"), false},
		{"SOI only", soi, false},
		{"cut in the tables", gray[:sofAt-10], false},
		{"cut in the frame header", gray[:sofAt+8], false},
		{"cut in a length", cat(soi, []byte{0xff, 0xe1, 0x00}), false},
		{"garbage between segments", cat(soi, segment(0xfe, 'x'), []byte{0x12, 0x34}), false},
		{"EOI before frame", cat(soi, eoi), false},
		{"scan before frame", cat(soi, sos), false},
		{"second SOI", cat(soi, soi), false},
		{"restart marker", cat(soi, []byte{0xff, 0xd3}), false},
		{"stuffed zero", cat(soi, []byte{0xff, 0x00}), false},
		{"length below 2", cat(soi, []byte{0xff, 0xe1, 0x00, 0x01}), false},
		{"short frame header", cat(soi, segment(mSOF0, 8, 0, 8, 0)), false},
		{"frame shorter than its components", cat(soi, segment(mSOF0, sof(8, 8, 8, 1, 0x11, 2, 0x11, 3, 0x11)[:10]...)), false},
		{"width 0", cat(soi, segment(mSOF0, sof(8, 8, 0, 1, 0x11)...)), false},
		{"no components", cat(soi, segment(mSOF0, sof(8, 8, 8)...)), false},
		{"sampling 0", cat(soi, segment(mSOF0, sof(8, 8, 8, 1, 0x01)...)), false},
		{"sampling 5", cat(soi, segment(mSOF0, sof(8, 8, 8, 1, 0x51)...)), false},
		{"no frame in the first MiB", cat(big...), false},
		{"CMYK", cat(soi, adobeAPP14(2), segment(mSOF0, sof(8, 8, 8, 1, 0x11, 2, 0x11, 3, 0x11, 4, 0x11)...)), true},
		{"two components", cat(soi, segment(mSOF0, sof(8, 8, 8, 1, 0x11, 2, 0x11)...)), true},
		{"12-bit", cat(soi, segment(mSOF1, sof(12, 8, 8, 1, 0x11)...)), true},
		{"lossless", cat(soi, segment(0xc3, sof(8, 8, 8, 1, 0x11)...)), true},
		{"arithmetic", cat(soi, segment(0xc9, sof(8, 8, 8, 1, 0x11)...)), true},
		{"hierarchical", cat(soi, segment(0xc5, sof(8, 8, 8, 1, 0x11)...)), true},
		{"height in DNL", cat(soi, segment(mSOF0, sof(8, 0, 8, 1, 0x11)...)), true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			h, consumed, err := ReadHeader(bytes.NewReader(tt.in))
			if err == nil {
				t.Fatalf("no error; header %+v", h)
			}
			if h != (Header{}) || consumed != nil {
				t.Errorf("got header %+v and %d bytes along with the error", h, len(consumed))
			}
			want, other := ErrFormat, ErrUnsupported
			if tt.unsupported {
				want, other = other, want
			}
			if !errors.Is(err, want) || errors.Is(err, other) {
				t.Errorf("error %q: want it to wrap %q only", err, want)
			}
		})
	}
}

func TestReadHeaderReadError(t *testing.T) {
	boom := errors.New("link down")
	gray := encode(t, grayImage(8, 8))
	r := io.MultiReader(bytes.NewReader(gray[:20]), iotest.ErrReader(boom))
	_, _, err := ReadHeader(r)
	if !errors.Is(err, boom) || errors.Is(err, ErrFormat) {
		t.Fatalf("err = %v, want the reader's error", err)
	}
}

func TestHeaderHelpers(t *testing.T) {
	dpi := []struct {
		unit   DensityUnit
		x, y   int
		wx, wy int
		wantOK bool
	}{
		{DensityPerInch, 300, 600, 300, 600, true},
		{DensityPerCm, 118, 236, 300, 599, true},
		{DensityAspect, 1, 1, 0, 0, false},
		{DensityPerInch, 0, 300, 0, 0, false},
		{7, 300, 300, 0, 0, false},
	}
	for _, tt := range dpi {
		x, y, ok := Header{DensityUnit: tt.unit, XDensity: tt.x, YDensity: tt.y}.DPI()
		if x != tt.wx || y != tt.wy || ok != tt.wantOK {
			t.Errorf("DPI of %d %dx%d = %d, %d, %v; want %d, %d, %v", tt.unit, tt.x, tt.y, x, y, ok, tt.wx, tt.wy, tt.wantOK)
		}
	}
	sub := []struct {
		h      Header
		x, y   int
		wantOK bool
	}{
		{Header{Components: 3, YCbCr: true, Sampling: [3][2]int{{2, 2}, {1, 1}, {1, 1}}}, 2, 2, true},
		{Header{Components: 3, YCbCr: true, Sampling: [3][2]int{{2, 1}, {1, 1}, {1, 1}}}, 2, 1, true},
		{Header{Components: 3, YCbCr: true, Sampling: [3][2]int{{1, 1}, {1, 1}, {1, 1}}}, 1, 1, true},
		{Header{Components: 3, YCbCr: true, Sampling: [3][2]int{{1, 2}, {1, 1}, {1, 1}}}, 0, 0, false},
		{Header{Components: 3, YCbCr: true, Sampling: [3][2]int{{3, 1}, {1, 1}, {1, 1}}}, 0, 0, false},
		{Header{Components: 3, YCbCr: true, Sampling: [3][2]int{{2, 2}, {2, 2}, {2, 2}}}, 0, 0, false},
		{Header{Components: 3, Sampling: [3][2]int{{2, 2}, {1, 1}, {1, 1}}}, 0, 0, false},
		{Header{Components: 1, Sampling: [3][2]int{{1, 1}}}, 0, 0, false},
	}
	for _, tt := range sub {
		x, y, ok := tt.h.Subsampling()
		if x != tt.x || y != tt.y || ok != tt.wantOK {
			t.Errorf("Subsampling of %+v = %d, %d, %v; want %d, %d, %v", tt.h, x, y, ok, tt.x, tt.y, tt.wantOK)
		}
	}
}

func FuzzReadHeader(f *testing.F) {
	f.Add(encode(f, grayImage(9, 9)))
	f.Add(encode(f, rgbImage(17, 5)))
	f.Add(cat(soi, jfifAPP0(1, 300, 300), adobeAPP14(0), segment(mSOF2, sof(8, 3, 4, 'R', 0x11, 'G', 0x11, 'B', 0x11)...)))
	f.Add(cat(soi, []byte{0xff, 0xff, 0xff}, segment(mSOF0, sof(8, 1, 1, 1, 0x44)...)))
	f.Fuzz(func(t *testing.T, in []byte) {
		r := bytes.NewReader(in)
		h, consumed, err := ReadHeader(r)
		if err != nil {
			if !errors.Is(err, ErrFormat) && !errors.Is(err, ErrUnsupported) {
				t.Fatalf("error %v wraps neither ErrFormat nor ErrUnsupported", err)
			}
			return
		}
		if !bytes.HasPrefix(in, consumed) || len(in)-r.Len() != len(consumed) {
			t.Fatalf("consumed %d bytes, read %d, prefix %v", len(consumed), len(in)-r.Len(), bytes.HasPrefix(in, consumed))
		}
		if h.Width < 1 || h.Height < 1 || (h.Components != 1 && h.Components != 3) {
			t.Fatalf("accepted header %+v", h)
		}
		for i := range h.Components {
			if s := h.Sampling[i]; s[0] < 1 || s[0] > 4 || s[1] < 1 || s[1] > 4 {
				t.Fatalf("accepted sampling %v", s)
			}
		}
	})
}
