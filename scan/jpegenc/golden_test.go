package jpegenc

import (
	"bufio"
	"crypto/sha256"
	"encoding/hex"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

var update = flag.Bool("update", false, "rewrite testdata/golden.txt")

// goldenCases are rasters whose encodings are pinned by testdata/golden.txt:
// the sizes cover partial blocks and MCUs at both edges, the contents flat
// paper, print, paper noise in every block and pure noise (the largest
// coefficients), at low, default and high quality.
func goldenCases() []struct {
	name string
	o    Options
	r    []byte
} {
	type c = struct {
		name string
		o    Options
		r    []byte
	}
	random := func(w, h, bpp int) []byte {
		rnd := &splitmix{s: 7}
		p := make([]byte, w*h*bpp)
		for i := range p {
			p[i] = byte(rnd.next())
		}
		return p
	}
	var cs []c
	for _, bpp := range []int{1, 3} {
		for _, r := range []struct {
			name string
			f    func(w, h, bpp int) []byte
			w, h int
		}{
			{"gradient", gradient, 333, 222},
			{"doc", doc, 601, 799},
			{"scanned", noisy, 640, 480},
			{"random", random, 67, 45},
			{"scanned-edge", noisy, 9, 17},
		} {
			for _, q := range []int{10, 75, 100} {
				cs = append(cs, c{
					name: fmt.Sprintf("%s %dx%dx%d q%d", r.name, r.w, r.h, bpp, q),
					o:    Options{Width: r.w, Height: r.h, Components: bpp, Quality: q},
					r:    r.f(r.w, r.h, bpp),
				})
			}
		}
	}
	return cs
}

// TestGolden expects the bytes pinned in testdata/golden.txt, for 1 to 8
// workers. make test runs it on amd64 and, under qemu, on ARMv7 and arm64:
// every architecture and code path (assembly or not, -tags purego) must
// give the same bytes. -update rewrites the file after a deliberate change.
func TestGolden(t *testing.T) {
	path := filepath.Join("testdata", "golden.txt")
	want := map[string]string{}
	if !*update {
		f, err := os.Open(path)
		if err != nil {
			t.Fatal(err)
		}
		defer f.Close()
		s := bufio.NewScanner(f)
		for s.Scan() {
			name, sum, ok := strings.Cut(s.Text(), ": ")
			if ok {
				want[name] = sum
			}
		}
	}
	var out strings.Builder
	for _, tc := range goldenCases() {
		var first string
		for workers := 1; workers <= 8; workers++ {
			tc.o.Workers = workers
			sum := sha256.Sum256(encode(t, tc.r, tc.o))
			got := hex.EncodeToString(sum[:])
			if workers == 1 {
				first = got
				fmt.Fprintf(&out, "%s: %s\n", tc.name, got)
			} else if got != first {
				t.Errorf("%s: %d workers give other bytes than 1", tc.name, workers)
			}
		}
		if !*update && want[tc.name] != first {
			t.Errorf("%s: sha256 %s, want %s (testdata/golden.txt)", tc.name, first, want[tc.name])
		}
	}
	if *update {
		if err := os.MkdirAll("testdata", 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(path, []byte(out.String()), 0o644); err != nil {
			t.Fatal(err)
		}
	}
}
