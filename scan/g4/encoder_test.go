package g4_test

import (
	"bytes"
	"errors"
	"fmt"
	"math/bits"
	"math/rand/v2"
	"testing"

	"golang.org/x/image/ccitt"

	"scanmail/scan/g4"
)

// runsPage has a white run of n followed by a black run of n for each n
// in lengths, packed into rows that each follow a white row, so that they
// are all coded in horizontal mode against a blank reference.
func runsPage(width int, lengths ...int) *page {
	var rows [][]int // start of each pair, by row
	x := width
	for _, n := range lengths {
		if x+2*n > width-4 { // too near b1 at the row end makes vertical mode
			rows = append(rows, nil)
			x = 0
		}
		rows[len(rows)-1] = append(rows[len(rows)-1], x)
		x += 2 * n
	}
	p := newPage(width, 2*len(rows))
	i := 0
	for y, starts := range rows {
		for _, x := range starts {
			p.fill(2*y+1, x+lengths[i], x+2*lengths[i])
			i++
		}
	}
	return p
}

// blackRunPage has rows that are one black run of each length, starting at
// pixel 0, so that the row begins with a white run of 0.
func blackRunPage(width int, lengths ...int) *page {
	p := newPage(width, 2*len(lengths))
	for i, n := range lengths {
		p.fill(2*i+1, 0, n)
	}
	return p
}

func seq(from, to int) []int {
	var s []int
	for n := from; n <= to; n++ {
		s = append(s, n)
	}
	return s
}

// linesPage has one-pixel lines: verticals, horizontals and both
// diagonals, which exercise every vertical mode and pass mode.
func linesPage(w, h int) *page {
	p := newPage(w, h)
	for y := range h {
		for x := 5; x < w; x += 11 {
			p.set(x, y)
		}
		if y%9 == 0 {
			p.fill(y, 0, w)
		}
		for _, x := range []int{y, y + 3, 2 * y, w - 1 - y, w - 1 - 3*y, y / 2} {
			if x >= 0 && x < w {
				p.set(x, y)
			}
		}
	}
	return p
}

func roundTripCases() []struct {
	name string
	page *page
} {
	return []struct {
		name string
		page *page
	}{
		{"white A4", whitePage(2480, 3508)},
		{"black A4", blackPage(2480, 3508)},
		{"checkerboard", checkerboard(1728, 200)},
		{"checkerboard odd", checkerboard(2481, 50)},
		{"noise", noisePage(2480, 300, 1)},
		{"noise odd", noisePage(1731, 100, 2)},
		{"document A4", documentPage(2480, 3508, 1)},
		{"document letter", documentPage(2550, 3300, 2)},
		{"scanned A4", scannedPage(2480, 3508, 3)},
		{"lines", linesPage(1728, 300)},
		{"width 1 noise", noisePage(1, 100, 3)},
		{"width 1 black", blackPage(1, 10)},
		{"width 7 noise", noisePage(7, 100, 4)},
		{"width 8 noise", noisePage(8, 100, 5)},
		{"width 9 noise", noisePage(9, 100, 6)},
		{"width 1728 document", documentPage(1728, 500, 3)},
		{"width 2480 lines", linesPage(2480, 100)},
		{"width 2481 document", documentPage(2481, 500, 4)},
		{"width 4961 black", blackPage(4961, 4)},
		{"width 4961 noise", noisePage(4961, 20, 7)},
		{"width 4961 document", documentPage(4961, 300, 5)},
		{"runs 1..2700", runsPage(10500, seq(1, 2700)...)},
		{"black runs from 0", blackRunPage(2800, append(seq(1, 70), 1727, 1728, 1729, 1791, 1792, 2559, 2560, 2561, 2700)...)},
		{"make-up edges", runsPage(10500, 63, 64, 65, 127, 128, 1727, 1728, 1729, 1791, 1792, 1793,
			2559, 2560, 2561, 2623, 2624, 2625, 5119, 5120, 5121, 5183, 5184, 5200)},
		{"black make-up edges", blackRunPage(10500, 64, 1728, 1792, 2560, 2561, 2624, 5120, 5184, 7680, 7745, 10500)},
		{"single row", noisePage(100, 1, 8)},
	}
}

func TestRoundTrip(t *testing.T) {
	for _, tc := range roundTripCases() {
		t.Run(tc.name, func(t *testing.T) {
			p := tc.page
			want := p.clean()
			p.dirtyPad()
			stream := encode(t, p)
			checkEOFB(t, stream)
			got, err := decode(stream, p.width, p.height)
			if err != nil {
				t.Fatalf("decode: %v", err)
			}
			comparePix(t, p, got, want)

			// Without the height the decoder must stop at EOFB.
			r := ccitt.NewReader(bytes.NewReader(stream), ccitt.MSB, ccitt.Group4, p.width, ccitt.AutoDetectHeight,
				&ccitt.Options{Invert: true})
			got, err = readAll(r)
			if err != nil {
				t.Fatalf("decode to EOFB: %v", err)
			}
			comparePix(t, p, got, want)

			if again := encode(t, p); !bytes.Equal(again, stream) {
				t.Fatal("a second encoding differs")
			}
		})
	}
}

// checkEOFB checks that the stream ends with two EOL codes and fewer than
// eight zero bits.
func checkEOFB(t *testing.T, stream []byte) {
	t.Helper()
	if len(stream) < 3 {
		t.Fatalf("stream of %d bytes has no room for EOFB", len(stream))
	}
	last := stream[len(stream)-1]
	if last == 0 {
		t.Fatalf("stream ends with a zero byte: % x", stream[len(stream)-3:])
	}
	pad := bits.TrailingZeros8(last)
	var tail uint32
	for _, b := range stream[max(len(stream)-4, 0):] {
		tail = tail<<8 | uint32(b)
	}
	if got := tail >> pad & 0xFFFFFF; got != 0x001001 {
		t.Fatalf("stream ends with %06x (pad %d), want EOFB 001001", got, pad)
	}
}

func comparePix(t *testing.T, p *page, got, want []byte) {
	t.Helper()
	if len(got) != len(want) {
		t.Fatalf("decoded %d bytes, want %d", len(got), len(want))
	}
	if i := firstDiff(got, want); i >= 0 {
		t.Fatalf("first difference at row %d byte %d: got %08b, want %08b",
			i/p.stride(), i%p.stride(), got[i], want[i])
	}
}

func firstDiff(a, b []byte) int {
	for i := range a {
		if a[i] != b[i] {
			return i
		}
	}
	return -1
}

// readAll is io.ReadAll in small reads, so that the decoder's row
// boundaries fall inside reads.
func readAll(r interface{ Read([]byte) (int, error) }) ([]byte, error) {
	var out []byte
	buf := make([]byte, 333)
	for {
		n, err := r.Read(buf)
		out = append(out, buf[:n]...)
		if err != nil {
			if err.Error() == "EOF" {
				return out, nil
			}
			return out, err
		}
	}
}

func TestWriteSplits(t *testing.T) {
	p := documentPage(1001, 400, 9)
	p.dirtyPad()
	want := encode(t, p)
	r := rand.New(rand.NewPCG(3, 4))
	for _, maxChunk := range []int{1, 2, 7, 126, 127, 128, 1000, 50000} {
		t.Run(fmt.Sprint(maxChunk), func(t *testing.T) {
			var buf bytes.Buffer
			e, err := g4.NewEncoder(&buf, p.width)
			if err != nil {
				t.Fatal(err)
			}
			for rest := p.pix; len(rest) > 0; {
				n := min(1+r.IntN(maxChunk), len(rest))
				m, err := e.Write(rest[:n])
				if err != nil || m != n {
					t.Fatalf("Write(%d bytes) = %d, %v", n, m, err)
				}
				rest = rest[n:]
			}
			if err := e.Close(); err != nil {
				t.Fatal(err)
			}
			if !bytes.Equal(buf.Bytes(), want) {
				t.Fatalf("output of %d bytes differs from the one-Write output of %d bytes", buf.Len(), len(want))
			}
		})
	}
}

func TestCompression(t *testing.T) {
	blank := encode(t, whitePage(2480, 3508))
	if len(blank) > 1000 {
		t.Errorf("blank A4 page: %d bytes, want well under 1 KB", len(blank))
	}
	doc := documentPage(2480, 3508, 1)
	raw := len(doc.pix)
	enc := encode(t, doc)
	if len(enc)*10 > raw {
		t.Errorf("document page: %d bytes from %d raw, want less than a tenth", len(enc), raw)
	}
	t.Logf("blank A4 %d bytes; document %d bytes from %d raw (%.1fx)", len(blank), len(enc), raw, float64(raw)/float64(len(enc)))
}

func TestNewEncoderWidth(t *testing.T) {
	for _, w := range []int{-1, 0, g4.MaxWidth + 1} {
		if _, err := g4.NewEncoder(&bytes.Buffer{}, w); err == nil {
			t.Errorf("NewEncoder(width %d) succeeded", w)
		}
	}
	if _, err := g4.NewEncoder(&bytes.Buffer{}, g4.MaxWidth); err != nil {
		t.Errorf("NewEncoder(MaxWidth): %v", err)
	}
}

func TestEmptyImage(t *testing.T) {
	var buf bytes.Buffer
	e, err := g4.NewEncoder(&buf, 100)
	if err != nil {
		t.Fatal(err)
	}
	if err := e.Close(); err != nil {
		t.Fatal(err)
	}
	if got, want := buf.Bytes(), []byte{0x00, 0x10, 0x01}; !bytes.Equal(got, want) {
		t.Fatalf("empty image = % x, want EOFB % x", got, want)
	}
}

func TestPartialRow(t *testing.T) {
	var buf bytes.Buffer
	e, err := g4.NewEncoder(&buf, 20) // 3 bytes a row
	if err != nil {
		t.Fatal(err)
	}
	if _, err := e.Write(make([]byte, 7)); err != nil {
		t.Fatal(err)
	}
	if e.Rows() != 2 {
		t.Errorf("Rows() = %d after 7 bytes, want 2", e.Rows())
	}
	if err := e.Close(); !errors.Is(err, g4.ErrPartialRow) {
		t.Fatalf("Close = %v, want ErrPartialRow", err)
	}
}

func TestClosed(t *testing.T) {
	var buf bytes.Buffer
	e, err := g4.NewEncoder(&buf, 8)
	if err != nil {
		t.Fatal(err)
	}
	if err := e.Close(); err != nil {
		t.Fatal(err)
	}
	if err := e.Close(); err != nil {
		t.Errorf("second Close = %v", err)
	}
	if _, err := e.Write([]byte{1}); !errors.Is(err, g4.ErrClosed) {
		t.Errorf("Write after Close = %v, want ErrClosed", err)
	}
}

type failWriter struct{ after int }

var errDisk = errors.New("disk full")

func (f *failWriter) Write(p []byte) (int, error) {
	if f.after < len(p) {
		return 0, errDisk
	}
	f.after -= len(p)
	return len(p), nil
}

func TestWriterError(t *testing.T) {
	p := noisePage(2480, 200, 10)
	for _, after := range []int{0, 40 << 10} {
		e, err := g4.NewEncoder(&failWriter{after: after}, p.width)
		if err != nil {
			t.Fatal(err)
		}
		_, werr := e.Write(p.pix)
		cerr := e.Close()
		if !errors.Is(werr, errDisk) || !errors.Is(cerr, errDisk) {
			t.Errorf("after %d bytes: Write = %v, Close = %v, want both %v", after, werr, cerr, errDisk)
		}
	}
}
