package g4_test

import (
	"bytes"
	"encoding/binary"
	"fmt"
	"image"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"testing"

	"golang.org/x/image/tiff"
)

const (
	tiffNone = 1
	tiffG4   = 4
)

// tiffFile builds a little-endian TIFF with the whole image in one strip,
// WhiteIsZero, as a bilevel scan is stored.
func tiffFile(width, height, compression int, strip []byte) []byte {
	type entry struct{ tag, typ, val uint32 }
	const short, long = 3, 4
	entries := []entry{
		{256, long, uint32(width)},
		{257, long, uint32(height)},
		{258, short, 1}, // BitsPerSample
		{259, short, uint32(compression)},
		{262, short, 0},             // PhotometricInterpretation WhiteIsZero
		{273, long, 8},              // StripOffsets: right after the header
		{277, short, 1},             // SamplesPerPixel
		{278, long, uint32(height)}, // RowsPerStrip
		{279, long, uint32(len(strip))},
	}
	if compression == tiffG4 {
		entries = append(entries, entry{293, long, 0}) // T6Options
	}
	var b bytes.Buffer
	le := binary.LittleEndian
	ifd := 8 + len(strip) + len(strip)%2
	b.WriteString("II")
	binary.Write(&b, le, uint16(42))
	binary.Write(&b, le, uint32(ifd))
	b.Write(strip)
	if len(strip)%2 == 1 {
		b.WriteByte(0)
	}
	binary.Write(&b, le, uint16(len(entries)))
	for _, e := range entries {
		binary.Write(&b, le, uint16(e.tag))
		binary.Write(&b, le, uint16(e.typ))
		binary.Write(&b, le, uint32(1))
		if e.typ == short {
			binary.Write(&b, le, uint16(e.val))
			binary.Write(&b, le, uint16(0))
		} else {
			binary.Write(&b, le, e.val)
		}
	}
	binary.Write(&b, le, uint32(0))
	return b.Bytes()
}

// tiffStrips returns the first IFD's compression and its strips joined,
// for the little-endian files that libtiff writes here.
func tiffStrips(t *testing.T, f []byte) (compression int, data []byte) {
	t.Helper()
	le := binary.LittleEndian
	if len(f) < 8 || string(f[:2]) != "II" {
		t.Fatalf("not a little-endian TIFF")
	}
	ifd := int(le.Uint32(f[4:]))
	n := int(le.Uint16(f[ifd:]))
	values := func(e []byte) []int {
		typ, count, off := le.Uint16(e[2:]), int(le.Uint32(e[4:])), e[8:12]
		size := 2
		if typ == 4 {
			size = 4
		}
		if count*size > 4 {
			off = f[le.Uint32(off):]
		}
		v := make([]int, count)
		for i := range v {
			if size == 2 {
				v[i] = int(le.Uint16(off[2*i:]))
			} else {
				v[i] = int(le.Uint32(off[4*i:]))
			}
		}
		return v
	}
	var offsets, counts []int
	for i := range n {
		e := f[ifd+2+12*i:]
		switch le.Uint16(e) {
		case 259:
			compression = values(e)[0]
		case 273:
			offsets = values(e)
		case 279:
			counts = values(e)
		}
	}
	for i := range offsets {
		data = append(data, f[offsets[i]:offsets[i]+counts[i]]...)
	}
	return compression, data
}

// TestTIFF decodes our stream as a TIFF Compression=4 WhiteIsZero strip
// with golang.org/x/image/tiff, which must show black where we wrote 1.
func TestTIFF(t *testing.T) {
	p := documentPage(1275, 800, 11)
	img, err := tiff.Decode(bytes.NewReader(tiffFile(p.width, p.height, tiffG4, encode(t, p))))
	if err != nil {
		t.Fatal(err)
	}
	compareImage(t, p, img, 1, false)
}

// compareImage checks that black pixels of p are dark in img and white
// ones light, or the other way round if inverted. Each pixel of p is a
// scale x scale block of img, judged by its centre: renderers smooth and
// shift edges by a device pixel.
func compareImage(t *testing.T, p *page, img image.Image, scale int, inverted bool) {
	t.Helper()
	if b := img.Bounds(); b.Dx() != scale*p.width || b.Dy() != scale*p.height {
		t.Fatalf("image is %v, want %dx%d", b, scale*p.width, scale*p.height)
	}
	bad := 0
	for y := range p.height {
		for x := range p.width {
			black := p.pix[y*p.stride()+x/8]&(0x80>>(x%8)) != 0
			r, _, _, _ := img.At(scale*x+scale/2, scale*y+scale/2).RGBA()
			dark := r < 0x8000
			if dark != (black != inverted) {
				if bad == 0 {
					t.Errorf("pixel (%d,%d): black %v, rendered dark %v", x, y, black, dark)
				}
				bad++
			}
		}
	}
	if bad > 0 {
		t.Fatalf("%d pixels differ", bad)
	}
}

// TestLibtiff has libtiff decode our stream, and checks that libtiff's own
// Group 4 encoder, which follows the same mode choices, gives the same
// bytes.
func TestLibtiff(t *testing.T) {
	tiffcp, err := exec.LookPath("tiffcp")
	if err != nil {
		t.Skip("tiffcp (libtiff-tools) not installed")
	}
	dir := t.TempDir()
	for _, tc := range []struct {
		name string
		page *page
	}{
		{"document", documentPage(2480, 1000, 12)},
		{"noise", noisePage(1001, 200, 13)},
		{"lines", linesPage(1728, 200)},
		{"long runs", runsPage(10500, 64, 1728, 1792, 2560, 2561, 2624, 5120, 5184)},
	} {
		t.Run(tc.name, func(t *testing.T) {
			p := tc.page
			stream := encode(t, p)

			ours := filepath.Join(dir, tc.name+"-g4.tif")
			plain := filepath.Join(dir, tc.name+"-plain.tif")
			if err := os.WriteFile(ours, tiffFile(p.width, p.height, tiffG4, stream), 0o644); err != nil {
				t.Fatal(err)
			}
			run(t, tiffcp, "-c", "none", "-r", strconv.Itoa(p.height), ours, plain)
			c, data := readFile(t, plain)
			if c != tiffNone || !bytes.Equal(data, p.clean()) {
				t.Fatalf("libtiff decodes our stream differently (compression %d, %d bytes)", c, len(data))
			}

			theirs := filepath.Join(dir, tc.name+"-libtiff.tif")
			run(t, tiffcp, "-c", "g4", "-r", strconv.Itoa(p.height), plain, theirs)
			c, data = readFile(t, theirs)
			if c != tiffG4 {
				t.Fatalf("tiffcp wrote compression %d", c)
			}
			if i := firstDiff(stream, data); i >= 0 || len(data) != len(stream) {
				t.Fatalf("libtiff's stream (%d bytes) differs from ours (%d bytes) at byte %d", len(data), len(stream), i)
			}
		})
	}
}

func readFile(t *testing.T, name string) (int, []byte) {
	t.Helper()
	f, err := os.ReadFile(name)
	if err != nil {
		t.Fatal(err)
	}
	return tiffStrips(t, f)
}

func run(t *testing.T, name string, args ...string) {
	t.Helper()
	out, err := exec.Command(name, args...).CombinedOutput()
	if err != nil || len(out) > 0 {
		t.Fatalf("%s %q: %v\n%s", name, args, err, out)
	}
}

// pdfFile is a one-page PDF showing the stream as a DeviceGray image at
// one pixel a point, with extra entries for the image dictionary and its
// DecodeParms.
func pdfFile(width, height int, stream []byte, imageExtra, parmsExtra string) []byte {
	var b bytes.Buffer
	var offsets []int
	obj := func(body string, data []byte) {
		offsets = append(offsets, b.Len())
		fmt.Fprintf(&b, "%d 0 obj\n%s", len(offsets), body)
		if data != nil {
			b.WriteString("stream\n")
			b.Write(data)
			b.WriteString("\nendstream")
		}
		b.WriteString("\nendobj\n")
	}
	content := fmt.Sprintf("q %d 0 0 %d 0 0 cm /Im0 Do Q", width, height)
	b.WriteString("%PDF-1.4\n")
	obj("<< /Type /Catalog /Pages 2 0 R >>", nil)
	obj("<< /Type /Pages /Kids [3 0 R] /Count 1 >>", nil)
	obj(fmt.Sprintf("<< /Type /Page /Parent 2 0 R /MediaBox [0 0 %d %d] /Resources << /XObject << /Im0 4 0 R >> >> /Contents 5 0 R >>",
		width, height), nil)
	obj(fmt.Sprintf("<< /Type /XObject /Subtype /Image /Width %d /Height %d /ColorSpace /DeviceGray /BitsPerComponent 1 "+
		"/Filter /CCITTFaxDecode /DecodeParms << /K -1 /Columns %d /Rows %d %s >> %s /Length %d >>\n",
		width, height, width, height, parmsExtra, imageExtra, len(stream)), stream)
	obj(fmt.Sprintf("<< /Length %d >>\n", len(content)), []byte(content))
	xref := b.Len()
	fmt.Fprintf(&b, "xref\n0 %d\n0000000000 65535 f \n", len(offsets)+1)
	for _, o := range offsets {
		fmt.Fprintf(&b, "%010d 00000 n \n", o)
	}
	fmt.Fprintf(&b, "trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n", len(offsets)+1, xref)
	return b.Bytes()
}

// TestPDFPoppler renders the stream in a PDF with poppler's pdftoppm and
// checks which DecodeParms and Decode combinations show black as black. It
// renders at five device pixels a pixel, as poppler smooths image edges.
func TestPDFPoppler(t *testing.T) {
	pdftoppm, err := exec.LookPath("pdftoppm")
	if err != nil {
		t.Skip("pdftoppm (poppler-utils) not installed")
	}
	p := documentPage(600, 400, 14)
	stream := encode(t, p)
	dir := t.TempDir()
	for i, tc := range []struct {
		image, parms string
		inverted     bool
	}{
		{"", "", false}, // BlackIs1 false: decoded 0 is black, as DeviceGray wants
		{"/Decode [1 0]", "/BlackIs1 true", false}, // decoded 1 is black, so the image maps 1 to black
		{"", "/BlackIs1 true", true},               // the trap: black decodes to 1, which DeviceGray shows white
		{"", "/BlackIs1 false /EncodedByteAlign false /EndOfBlock true", false},
	} {
		t.Run(tc.image+tc.parms, func(t *testing.T) {
			name := filepath.Join(dir, strconv.Itoa(i))
			if err := os.WriteFile(name+".pdf", pdfFile(p.width, p.height, stream, tc.image, tc.parms), 0o644); err != nil {
				t.Fatal(err)
			}
			run(t, pdftoppm, "-r", "360", "-gray", "-aa", "no", "-aaVector", "no", "-singlefile", name+".pdf", name)
			f, err := os.ReadFile(name + ".pgm")
			if err != nil {
				t.Fatal(err)
			}
			compareImage(t, p, readPGM(t, f), 5, tc.inverted)
		})
	}
}

// readPGM reads the binary PGM that pdftoppm -gray writes.
func readPGM(t *testing.T, f []byte) image.Image {
	t.Helper()
	var magic string
	var w, h, maxv int
	r := bytes.NewReader(f)
	// bytes.Reader lets Fscan stop right after maxval, which one whitespace
	// byte separates from the pixels.
	if _, err := fmt.Fscan(r, &magic, &w, &h, &maxv); err != nil || magic != "P5" || maxv != 255 {
		t.Fatalf("not an 8-bit PGM: %v", err)
	}
	i := len(f) - r.Len() + 1
	img := image.NewGray(image.Rect(0, 0, w, h))
	copy(img.Pix, f[i:])
	return img
}
