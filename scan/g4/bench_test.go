package g4_test

import (
	"io"
	"testing"

	"scanmail/scan/g4"
)

func benchmarkPage(b *testing.B, p *page) {
	b.SetBytes(int64(len(p.pix)))
	b.ReportAllocs()
	var out countWriter
	for b.Loop() {
		e, err := g4.NewEncoder(&out, p.width)
		if err != nil {
			b.Fatal(err)
		}
		if _, err := e.Write(p.pix); err != nil {
			b.Fatal(err)
		}
		if err := e.Close(); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(b.N)/b.Elapsed().Minutes(), "pages/min")
	b.ReportMetric(float64(out.n)/float64(b.N), "out-bytes/page")
}

type countWriter struct{ n int }

func (c *countWriter) Write(p []byte) (int, error) {
	c.n += len(p)
	return len(p), nil
}

var _ io.Writer = (*countWriter)(nil)

func BenchmarkEncodeA4Document(b *testing.B) { benchmarkPage(b, documentPage(2480, 3508, 1)) }

// BenchmarkEncodeA4Scanned is the document page with ragged edges and
// dust, closer to what a scanner's thresholding gives.
func BenchmarkEncodeA4Scanned(b *testing.B) { benchmarkPage(b, scannedPage(2480, 3508, 1)) }

func BenchmarkEncodeA4Noise(b *testing.B) { benchmarkPage(b, noisePage(2480, 3508, 1)) }

func BenchmarkEncodeA4White(b *testing.B) { benchmarkPage(b, whitePage(2480, 3508)) }
