package tiff

import (
	"bytes"
	"encoding/binary"
	"errors"
	"fmt"
	"image"
	"image/color"
	"image/draw"
	"image/jpeg"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"golang.org/x/image/ccitt"
	xtiff "golang.org/x/image/tiff"
)

// bits builds a bit string MSB first, for hand-made G4 streams.
type bits struct {
	b []byte
	n int
}

func (w *bits) put(code string) {
	for _, c := range code {
		if w.n%8 == 0 {
			w.b = append(w.b, 0)
		}
		if c == '1' {
			w.b[len(w.b)-1] |= 0x80 >> (w.n % 8)
		}
		w.n++
	}
}

// g4Stripe codes a white page with a black rectangle over columns 8 to 15
// of rows y0 to y1-1 in CCITT T.6, by hand: an all-white row is one V0
// against an all-white reference; the first stripe row is horizontal mode,
// white 8 (10011) and black 8 (000101), then V0 to the end; a row like the
// one above is three V0s; the row after the stripe is a pass, then V0.
func g4Stripe(height, y0, y1 int) []byte {
	var w bits
	for y := range height {
		switch {
		case y < y0 || y > y1:
			w.put("1")
		case y == y0:
			w.put("001" + "10011" + "000101" + "1")
		case y < y1:
			w.put("111")
		default:
			w.put("0001" + "1")
		}
	}
	w.put("000000000001000000000001") // EOFB
	return w.b
}

// stripePixel is the gray value of the g4Stripe page at x, y.
func stripePixel(x, y, y0, y1 int) byte {
	if x >= 8 && x < 16 && y >= y0 && y < y1 {
		return 0
	}
	return 0xff
}

func TestG4StripeHelper(t *testing.T) {
	const w, h = 40, 12
	m := image.NewGray(image.Rect(0, 0, w, h))
	if err := ccitt.DecodeIntoGray(m, bytes.NewReader(g4Stripe(h, 3, 7)), ccitt.MSB, ccitt.Group4, nil); err != nil {
		t.Fatal(err)
	}
	for y := range h {
		for x := range w {
			if got, want := m.GrayAt(x, y).Y, stripePixel(x, y, 3, 7); got != want {
				t.Fatalf("pixel %d,%d = %#x, want %#x", x, y, got, want)
			}
		}
	}
}

func jpegGray(t *testing.T, w, h int) []byte {
	t.Helper()
	m := image.NewGray(image.Rect(0, 0, w, h))
	for y := range h {
		for x := range w {
			m.SetGray(x, y, color.Gray{byte(255 - 2*x - y)})
		}
	}
	var b bytes.Buffer
	if err := jpeg.Encode(&b, m, &jpeg.Options{Quality: 90}); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

func jpegRGB(t *testing.T, w, h int) []byte {
	t.Helper()
	m := image.NewRGBA(image.Rect(0, 0, w, h))
	for y := range h {
		for x := range w {
			m.Set(x, y, color.RGBA{byte(4 * x), byte(3 * y), 160, 255})
		}
	}
	var b bytes.Buffer
	if err := jpeg.Encode(&b, m, &jpeg.Options{Quality: 90}); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

type testPage struct {
	info PageInfo
	data []byte
}

// writePages writes the pages through a Writer into a file, in small
// chunks as a compressor would.
func writePages(t *testing.T, path string, prefix []byte, pages []testPage) {
	t.Helper()
	f, err := os.Create(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	f.Write(prefix)
	tw := NewWriter(f)
	for i, p := range pages {
		pw, err := tw.BeginPage(p.info)
		if err != nil {
			t.Fatalf("page %d: %v", i+1, err)
		}
		for b := p.data; len(b) > 0; {
			n, err := pw.Write(b[:min(len(b), 1000)])
			if err != nil {
				t.Fatal(err)
			}
			b = b[n:]
		}
		if err := tw.EndPage(); err != nil {
			t.Fatalf("page %d: %v", i+1, err)
		}
	}
	if err := tw.Close(); err != nil {
		t.Fatal(err)
	}
	if tw.Pages() != len(pages) {
		t.Errorf("Pages() = %d, want %d", tw.Pages(), len(pages))
	}
}

// dir is one parsed IFD: each tag's values (RATIONALs as pairs, ASCII as
// bytes without the NUL).
type dir map[uint16][]uint32

// parseTIFF walks the IFD chain of a little-endian TIFF, checking the
// layout rules a strict reader relies on, and returns the directories and
// each page's strip.
func parseTIFF(t *testing.T, b []byte) ([]dir, [][]byte) {
	t.Helper()
	le := binary.LittleEndian
	if len(b) < 8 || string(b[:4]) != "II*\x00" {
		t.Fatalf("bad header % x", b[:min(len(b), 8)])
	}
	var dirs []dir
	var strips [][]byte
	seen := map[uint32]bool{}
	for off := le.Uint32(b[4:]); off != 0; {
		if off%2 != 0 || int(off)+2 > len(b) || seen[off] {
			t.Fatalf("IFD %d at bad offset %d (file %d bytes)", len(dirs)+1, off, len(b))
		}
		seen[off] = true
		n := int(le.Uint16(b[off:]))
		end := int(off) + 2 + 12*n + 4
		if end > len(b) {
			t.Fatalf("IFD at %d runs past the end", off)
		}
		d := dir{}
		prev := -1
		for i := range n {
			e := b[int(off)+2+12*i:]
			tag, typ, count := le.Uint16(e), le.Uint16(e[2:]), int(le.Uint32(e[4:]))
			if int(tag) <= prev {
				t.Fatalf("IFD at %d: tag %d after %d, not sorted", off, tag, prev)
			}
			prev = int(tag)
			size := map[uint16]int{typeASCII: 1, typeShort: 2, typeLong: 4, typeRational: 8}[typ]
			if size == 0 {
				t.Fatalf("tag %d has type %d", tag, typ)
			}
			val := e[8:12]
			if count*size > 4 {
				at := int(le.Uint32(e[8:]))
				if at%2 != 0 || at+count*size > len(b) {
					t.Fatalf("tag %d: values at bad offset %d", tag, at)
				}
				val = b[at : at+count*size]
			}
			for j := range count {
				switch typ {
				case typeASCII:
					if j < count-1 {
						d[tag] = append(d[tag], uint32(val[j]))
					} else if val[j] != 0 {
						t.Fatalf("tag %d: ASCII without NUL", tag)
					}
				case typeShort:
					d[tag] = append(d[tag], uint32(le.Uint16(val[2*j:])))
				case typeLong:
					d[tag] = append(d[tag], le.Uint32(val[4*j:]))
				case typeRational:
					d[tag] = append(d[tag], le.Uint32(val[8*j:]), le.Uint32(val[8*j+4:]))
				}
			}
		}
		so, sc := d[tagStripOffsets], d[tagStripByteCounts]
		if len(so) != 1 || len(sc) != 1 || int(so[0]+sc[0]) > len(b) {
			t.Fatalf("IFD at %d: strip offsets %v, counts %v", off, so, sc)
		}
		dirs = append(dirs, d)
		strips = append(strips, b[so[0]:so[0]+sc[0]])
		off = le.Uint32(b[end-4:])
	}
	return dirs, strips
}

func ascii(v []uint32) string {
	s := make([]byte, len(v))
	for i, c := range v {
		s[i] = byte(c)
	}
	return string(s)
}

// The pages of one document, of every kind and in different sizes.
func testDocument(t *testing.T) []testPage {
	return []testPage{
		{PageInfo{Width: 200, Height: 100, DPI: 300, Kind: G4}, g4Stripe(100, 10, 40)},
		{PageInfo{Width: 121, Height: 77, DPI: 200, Kind: JPEGGray}, jpegGray(t, 121, 77)},
		{PageInfo{Width: 101, Height: 67, DPI: 150, Kind: JPEGRGB}, jpegRGB(t, 101, 67)},
		{PageInfo{Width: 2480, Height: 3508, DPI: 300, Kind: G4}, g4Stripe(3508, 3000, 3500)},
	}
}

func TestWriterLayout(t *testing.T) {
	pages := testDocument(t)
	for _, prefix := range []string{"", "spool header\n"} {
		t.Run(fmt.Sprintf("at offset %d", len(prefix)), func(t *testing.T) {
			path := filepath.Join(t.TempDir(), "doc.tif")
			writePages(t, path, []byte(prefix), pages)
			b, err := os.ReadFile(path)
			if err != nil {
				t.Fatal(err)
			}
			if !strings.HasPrefix(string(b), prefix) {
				t.Fatal("prefix overwritten")
			}
			dirs, strips := parseTIFF(t, b[len(prefix):])
			if len(dirs) != len(pages) {
				t.Fatalf("%d directories, want %d", len(dirs), len(pages))
			}
			for i, d := range dirs {
				p := pages[i].info
				if !bytes.Equal(strips[i], pages[i].data) {
					t.Errorf("page %d: strip differs from the data written", i+1)
				}
				want := map[uint16][]uint32{
					tagNewSubfileType:  {2},
					tagImageWidth:      {uint32(p.Width)},
					tagImageLength:     {uint32(p.Height)},
					tagRowsPerStrip:    {uint32(p.Height)},
					tagXResolution:     {uint32(p.DPI), 1},
					tagYResolution:     {uint32(p.DPI), 1},
					tagResolutionUnit:  {2},
					tagPageNumber:      {uint32(i), uint32(len(pages))},
					tagCompression:     {map[Kind]uint32{G4: 4, JPEGGray: 7, JPEGRGB: 7}[p.Kind]},
					tagPhotometric:     {map[Kind]uint32{G4: 0, JPEGGray: 1, JPEGRGB: 6}[p.Kind]},
					tagSamplesPerPixel: {map[Kind]uint32{G4: 1, JPEGGray: 1, JPEGRGB: 3}[p.Kind]},
					tagBitsPerSample:   map[Kind][]uint32{G4: {1}, JPEGGray: {8}, JPEGRGB: {8, 8, 8}}[p.Kind],
				}
				if p.Kind == JPEGRGB {
					want[tagYCbCrSubSampling] = []uint32{2, 2}
				}
				for tag, v := range want {
					if fmt.Sprint(d[tag]) != fmt.Sprint(v) {
						t.Errorf("page %d: tag %d = %v, want %v", i+1, tag, d[tag], v)
					}
				}
				if s := ascii(d[tagSoftware]); s != "scanmail" {
					t.Errorf("page %d: Software %q", i+1, s)
				}
			}
		})
	}
}

// x/image/tiff reads the first directory only; the later G4 pages are
// decoded from their strips with x/image/ccitt.
func TestWriterDecodesInGo(t *testing.T) {
	pages := testDocument(t)
	path := filepath.Join(t.TempDir(), "doc.tif")
	writePages(t, path, nil, pages)
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	m, err := xtiff.Decode(f)
	if err != nil {
		t.Fatal(err)
	}
	checkStripe(t, "page 1 via x/image/tiff", m, 10, 40)

	b, _ := os.ReadFile(path)
	_, strips := parseTIFF(t, b)
	g := image.NewGray(image.Rect(0, 0, 2480, 3508))
	if err := ccitt.DecodeIntoGray(g, bytes.NewReader(strips[3]), ccitt.MSB, ccitt.Group4, nil); err != nil {
		t.Fatal(err)
	}
	checkStripe(t, "page 4", g, 3000, 3500)
	for i, want := range []image.Point{{121, 77}, {101, 67}} {
		m, err := jpeg.Decode(bytes.NewReader(strips[1+i]))
		if err != nil {
			t.Fatalf("page %d: %v", 2+i, err)
		}
		if m.Bounds().Size() != want {
			t.Errorf("page %d is %v, want %v", 2+i, m.Bounds().Size(), want)
		}
	}
}

func checkStripe(t *testing.T, what string, m image.Image, y0, y1 int) {
	t.Helper()
	g, ok := m.(*image.Gray)
	if !ok {
		g = image.NewGray(m.Bounds())
		draw.Draw(g, g.Rect, m, m.Bounds().Min, draw.Src)
	}
	b := g.Rect
	for y := b.Min.Y; y < b.Max.Y; y++ {
		for x := b.Min.X; x < b.Max.X; x++ {
			got := g.Pix[g.PixOffset(x, y)]
			if want := stripePixel(x, y, y0, y1); got != want {
				t.Fatalf("%s: pixel %d,%d = %#x, want %#x", what, x, y, got, want)
			}
		}
	}
}

// libtiff checks the file independently: tiffinfo -D decodes every strip
// and complains on stderr, and tiffcp decompresses each page for a pixel
// comparison. They come with Debian's libtiff-tools (make deps).
func TestWriterLibtiff(t *testing.T) {
	tiffinfo, tiffcp := tool(t, "tiffinfo"), tool(t, "tiffcp")
	pages := testDocument(t)
	dir := t.TempDir()
	path := filepath.Join(dir, "doc.tif")
	writePages(t, path, nil, pages)

	var stderr bytes.Buffer
	cmd := exec.CommandContext(t.Context(), tiffinfo, "-D", path)
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil || stderr.Len() > 0 {
		t.Fatalf("tiffinfo -D: %v\n%s", err, stderr.Bytes())
	}
	if n := strings.Count(string(out), "TIFF Directory at offset"); n != len(pages) {
		t.Errorf("tiffinfo lists %d directories, want %d:\n%s", n, len(pages), out)
	}
	for _, want := range []string{"Image Width: 2480 Image Length: 3508", "CCITT Group 4", "JPEG", "YCbCr",
		"Page Number: 3-4", "Software: scanmail", "Resolution: 150, 150 pixels/inch"} {
		if !strings.Contains(string(out), want) {
			t.Errorf("tiffinfo output lacks %q:\n%s", want, out)
		}
	}

	raw, _ := os.ReadFile(path)
	_, strips := parseTIFF(t, raw)
	for i, pg := range pages {
		p := pg.info
		plain := filepath.Join(dir, fmt.Sprintf("page%d.tif", i+1))
		var stderr bytes.Buffer
		cmd := exec.CommandContext(t.Context(), tiffcp, "-c", "none", fmt.Sprintf("%s,%d", path, i), plain)
		cmd.Stderr = &stderr
		if err := cmd.Run(); err != nil || stderr.Len() > 0 {
			t.Fatalf("tiffcp page %d: %v\n%s", i+1, err, stderr.Bytes())
		}
		f, err := os.Open(plain)
		if err != nil {
			t.Fatal(err)
		}
		m, err := xtiff.Decode(f)
		f.Close()
		if err != nil {
			t.Fatalf("page %d as decompressed by libtiff: %v", i+1, err)
		}
		if m.Bounds().Size() != image.Pt(p.Width, p.Height) {
			t.Fatalf("page %d: libtiff made %v, want %dx%d", i+1, m.Bounds(), p.Width, p.Height)
		}
		if p.Kind == G4 {
			y0, y1 := 10, 40
			if i == 3 {
				y0, y1 = 3000, 3500
			}
			checkStripe(t, fmt.Sprintf("page %d via libtiff", i+1), m, y0, y1)
			continue
		}
		// libjpeg and image/jpeg differ in rounding and chroma upsampling
		// only: the same picture within a few levels.
		ref, err := jpeg.Decode(bytes.NewReader(strips[i]))
		if err != nil {
			t.Fatal(err)
		}
		if d := meanDiff(m, ref); d > 3 {
			t.Errorf("page %d: libtiff's pixels differ from image/jpeg's by %.1f on average", i+1, d)
		}
	}
}

// meanDiff is the mean absolute difference of the RGB channels.
func meanDiff(a, b image.Image) float64 {
	var sum, n float64
	r := a.Bounds()
	for y := r.Min.Y; y < r.Max.Y; y++ {
		for x := r.Min.X; x < r.Max.X; x++ {
			ar, ag, ab, _ := a.At(x, y).RGBA()
			br, bg, bb, _ := b.At(x, y).RGBA()
			for _, d := range [...]int{int(ar>>8) - int(br>>8), int(ag>>8) - int(bg>>8), int(ab>>8) - int(bb>>8)} {
				sum += float64(max(d, -d))
				n++
			}
		}
	}
	return sum / n
}

func tool(t *testing.T, name string) string {
	t.Helper()
	path, err := exec.LookPath(name)
	if err != nil {
		t.Fatalf("%s not found on PATH: install the Debian package libtiff-tools (make deps does)", name)
	}
	return path
}

// After every EndPage the file on disk is a complete TIFF of the pages so
// far, their total still unknown (0) until Close.
func TestWriterValidAfterEachPage(t *testing.T) {
	pages := testDocument(t)[:3]
	f, err := os.Create(filepath.Join(t.TempDir(), "doc.tif"))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	tw := NewWriter(f)
	for i, p := range pages {
		pw, err := tw.BeginPage(p.info)
		if err != nil {
			t.Fatal(err)
		}
		pw.Write(p.data)
		if err := tw.EndPage(); err != nil {
			t.Fatal(err)
		}
		b, err := os.ReadFile(f.Name())
		if err != nil {
			t.Fatal(err)
		}
		dirs, strips := parseTIFF(t, b)
		if len(dirs) != i+1 || !bytes.Equal(strips[i], p.data) {
			t.Fatalf("after page %d: %d directories", i+1, len(dirs))
		}
		if got := dirs[i][tagPageNumber]; fmt.Sprint(got) != fmt.Sprint([]uint32{uint32(i), 0}) {
			t.Errorf("page %d: PageNumber %v before Close", i+1, got)
		}
	}
	if err := tw.Close(); err != nil {
		t.Fatal(err)
	}
}

func TestWriterMisuse(t *testing.T) {
	g4 := testPage{PageInfo{Width: 64, Height: 8, DPI: 200, Kind: G4}, g4Stripe(8, 2, 4)}
	begin := func(tw *Writer) error {
		pw, err := tw.BeginPage(g4.info)
		if err == nil {
			_, err = pw.Write(g4.data)
		}
		return err
	}
	page := func(tw *Writer) error {
		if err := begin(tw); err != nil {
			return err
		}
		return tw.EndPage()
	}
	tests := []struct {
		name    string
		steps   []func(*Writer) error // all but the last succeed
		wantErr string
	}{
		{"close without pages", []func(*Writer) error{(*Writer).Close}, "no pages"},
		{"end without begin", []func(*Writer) error{page, (*Writer).EndPage}, "without BeginPage"},
		{"begin twice", []func(*Writer) error{begin, begin}, "before EndPage"},
		{"close with a page open", []func(*Writer) error{page, begin, (*Writer).Close}, "not ended"},
		{"empty page", []func(*Writer) error{func(tw *Writer) error {
			_, err := tw.BeginPage(g4.info)
			return err
		}, (*Writer).EndPage}, "no data"},
		{"page after close", []func(*Writer) error{page, (*Writer).Close, page}, "closed"},
		{"close twice", []func(*Writer) error{page, (*Writer).Close, (*Writer).Close}, "closed"},
		{"write after end", []func(*Writer) error{func(tw *Writer) error {
			pw, _ := tw.BeginPage(g4.info)
			pw.Write(g4.data)
			if err := tw.EndPage(); err != nil {
				return err
			}
			_, err := pw.Write([]byte{1})
			return err
		}}, "after EndPage"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f, err := os.Create(filepath.Join(t.TempDir(), "x.tif"))
			if err != nil {
				t.Fatal(err)
			}
			defer f.Close()
			tw := NewWriter(f)
			for i, step := range tt.steps {
				err := step(tw)
				if i < len(tt.steps)-1 {
					if err != nil {
						t.Fatalf("step %d: %v", i+1, err)
					}
					continue
				}
				if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
					t.Fatalf("last step: err = %v, want one saying %q", err, tt.wantErr)
				}
			}
		})
	}
}

func TestWriterBadPage(t *testing.T) {
	tests := []struct {
		name string
		info PageInfo
	}{
		{"no kind", PageInfo{Width: 10, Height: 10, DPI: 300}},
		{"unknown kind", PageInfo{Width: 10, Height: 10, DPI: 300, Kind: 9}},
		{"zero width", PageInfo{Height: 10, DPI: 300, Kind: G4}},
		{"negative height", PageInfo{Width: 10, Height: -1, DPI: 300, Kind: G4}},
		{"no resolution", PageInfo{Width: 10, Height: 10, Kind: JPEGGray}},
		{"JPEG too wide", PageInfo{Width: 70000, Height: 10, DPI: 300, Kind: JPEGGray}},
		{"subsampling 3", PageInfo{Width: 10, Height: 10, DPI: 300, Kind: JPEGRGB, Subsampling: [2]int{3, 1}}},
		{"subsampling 1, 2", PageInfo{Width: 10, Height: 10, DPI: 300, Kind: JPEGRGB, Subsampling: [2]int{1, 2}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var f seekBuffer
			tw := NewWriter(&f)
			if _, err := tw.BeginPage(tt.info); err == nil {
				t.Fatal("BeginPage accepted it")
			}
			// The writer is still usable, and wrote nothing.
			if len(f.b) != 0 {
				t.Errorf("wrote %d bytes", len(f.b))
			}
			pw, err := tw.BeginPage(PageInfo{Width: 16, Height: 4, DPI: 100, Kind: G4})
			if err != nil {
				t.Fatal(err)
			}
			pw.Write(g4Stripe(4, 1, 2))
			if err := tw.EndPage(); err != nil {
				t.Fatal(err)
			}
			if err := tw.Close(); err != nil {
				t.Fatal(err)
			}
			if dirs, _ := parseTIFF(t, f.b); len(dirs) != 1 {
				t.Errorf("%d pages", len(dirs))
			}
		})
	}
}

// seekBuffer is an in-memory io.WriteSeeker that can fail: writes fail
// once the file would grow past limit (if set), and seeks fail when
// failSeek is set. Without b it only counts, standing for a huge file.
type seekBuffer struct {
	b        []byte
	discard  bool
	size     int64
	pos      int64
	limit    int64
	failSeek bool
}

var errDiskFull = errors.New("disk full")

func (s *seekBuffer) Write(p []byte) (int, error) {
	if s.limit > 0 && s.pos+int64(len(p)) > s.limit {
		return 0, errDiskFull
	}
	if !s.discard {
		if need := int(s.pos) + len(p); need > len(s.b) {
			s.b = append(s.b, make([]byte, need-len(s.b))...)
		}
		copy(s.b[s.pos:], p)
	}
	s.pos += int64(len(p))
	s.size = max(s.size, s.pos)
	return len(p), nil
}

func (s *seekBuffer) Seek(off int64, whence int) (int64, error) {
	if s.failSeek {
		return 0, errors.New("not seekable")
	}
	switch whence {
	case io.SeekCurrent:
		off += s.pos
	case io.SeekEnd:
		off += s.size
	}
	s.pos = off
	return off, nil
}

func TestWriterIOErrors(t *testing.T) {
	data := jpegGray(t, 300, 200)
	info := PageInfo{Width: 300, Height: 200, DPI: 300, Kind: JPEGGray}
	tests := []struct {
		name string
		f    *seekBuffer
		want error
	}{
		{"disk full in the strip", &seekBuffer{limit: 1000}, errDiskFull},
		{"disk full in the directory", &seekBuffer{limit: int64(8 + len(data) + 20)}, errDiskFull},
		{"not seekable", &seekBuffer{failSeek: true}, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			tw := NewWriter(tt.f)
			err := func() error {
				pw, err := tw.BeginPage(info)
				if err != nil {
					return err
				}
				if _, err := io.Copy(pw, bytes.NewReader(data)); err != nil {
					return err
				}
				return tw.EndPage()
			}()
			if err == nil {
				err = tw.Close()
			}
			if err == nil || (tt.want != nil && !errors.Is(err, tt.want)) {
				t.Fatalf("err = %v, want %v", err, tt.want)
			}
			// Sticky: the file is unusable from now on.
			if _, err2 := tw.BeginPage(info); err2 == nil {
				t.Error("BeginPage works after a failure")
			}
			if err2 := tw.Close(); err2 == nil {
				t.Error("Close works after a failure")
			}
		})
	}
}

func TestWriterTooLarge(t *testing.T) {
	f := &seekBuffer{discard: true}
	tw := NewWriter(f)
	pw, err := tw.BeginPage(PageInfo{Width: 2480, Height: 3508, DPI: 300, Kind: G4})
	if err != nil {
		t.Fatal(err)
	}
	chunk := make([]byte, 1<<20)
	for range 4095 {
		if _, err := pw.Write(chunk); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := pw.Write(chunk); !errors.Is(err, ErrTooLarge) {
		t.Fatalf("err = %v, want ErrTooLarge", err)
	}
	if err := tw.EndPage(); !errors.Is(err, ErrTooLarge) {
		t.Fatalf("EndPage err = %v, want ErrTooLarge", err)
	}
}
