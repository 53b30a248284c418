package jpegenc

import (
	"bytes"
	"fmt"
	"io"
	"os"
	"os/exec"
	"runtime"
	"slices"
	"strings"
	"syscall"
	"testing"
	"time"
)

// vsCjpeg is what BenchmarkVsCjpeg measured on one page: the medians of
// the wall and CPU time of each contender, and the sizes of their files.
type vsCjpeg struct {
	page                  string
	runs                  int
	ours1, oursN, cjpeg   cost
	cjpegStart            cost // cjpeg on one row of the page
	oursBytes, cjpegBytes int
	workers               int
	cjpegVersion          string
}

// cost is the median wall and CPU time of one contender.
type cost struct{ wall, cpu time.Duration }

// BenchmarkVsCjpeg encodes the same A4 pages at quality 75 with our
// Writer (1 worker and GOMAXPROCS workers) and with libjpeg-turbo's cjpeg
// -quality 75 (SIMD, one core), interleaved in one loop so that both see
// the same machine, and reports the medians (run it with -benchtime Nx)
// and their ratios. After the runs it prints the comparison as a table.
//
// CPU time is the figure that matters on the board, whose cores are
// shared with printing, and the one other load disturbs least: ours is
// this process's (getrusage RUSAGE_SELF: every worker goroutine and the
// garbage collector; nothing else runs here meanwhile), cjpeg's is its
// process's (wait4's rusage, as RUSAGE_CHILDREN counts it). cjpeg's
// includes starting the process and reading the PGM/PPM from the page
// cache, where ours takes the raster from memory; so cjpeg also codes
// one row of the page, whose cost is almost all that start, and the
// "net" CPU ratio leaves it out of cjpeg's figure. Its output goes to
// /dev/null, ours to a counter.
func BenchmarkVsCjpeg(b *testing.B) {
	cjpeg := needTool(b, "cjpeg")
	version := cjpegVersion(cjpeg)
	var results []vsCjpeg
	for _, page := range []string{"gray", "gray-scanned", "rgb", "rgb-scanned"} {
		b.Run(page, func(b *testing.B) {
			r := benchVsCjpeg(b, cjpeg, page)
			r.cjpegVersion = version
			// The last call is the one with the requested b.N.
			if i := slices.IndexFunc(results, func(v vsCjpeg) bool { return v.page == page }); i >= 0 {
				results[i] = r
			} else {
				results = append(results, r)
			}
		})
	}
	printVsCjpeg(os.Stdout, results)
}

func benchVsCjpeg(b *testing.B, cjpeg, page string) vsCjpeg {
	bpp := 1
	if strings.HasPrefix(page, "rgb") {
		bpp = 3
	}
	raster := a4Pages()[page]
	full := writePNM(b, b.TempDir(), raster, a4W, a4H, bpp)
	row := writePNM(b, b.TempDir(), raster[:a4W*bpp], a4W, 1, bpp)
	devNull, err := os.OpenFile(os.DevNull, os.O_WRONLY, 0)
	if err != nil {
		b.Fatal(err)
	}
	defer devNull.Close()

	r := vsCjpeg{page: page, runs: b.N, workers: runtime.GOMAXPROCS(0)}
	// The sizes, outside the timed runs.
	var out countWriter
	encodePage(b, &out, raster, bpp, 1)
	r.oursBytes = out.n
	var jpg bytes.Buffer
	runCjpeg(b, cjpeg, full, &jpg)
	r.cjpegBytes = jpg.Len()

	// Each contender is a step; each iteration runs them all, starting
	// with another one each time, so that none always follows the same.
	var ours1, oursN, theirs, start []cost
	ours := func(workers int, costs *[]cost) func() {
		return func() {
			t0, cpu0 := time.Now(), cpuTime(b, syscall.RUSAGE_SELF)
			encodePage(b, &out, raster, bpp, workers)
			*costs = append(*costs, cost{time.Since(t0), cpuTime(b, syscall.RUSAGE_SELF) - cpu0})
		}
	}
	cj := func(name string, costs *[]cost) func() {
		return func() {
			t0 := time.Now()
			ps := runCjpeg(b, cjpeg, name, devNull)
			*costs = append(*costs, cost{time.Since(t0), ps.UserTime() + ps.SystemTime()})
		}
	}
	steps := []func(){ours(1, &ours1), cj(full, &theirs), ours(r.workers, &oursN), cj(row, &start)}
	b.ResetTimer()
	for i := range b.N {
		for k := range steps {
			steps[(i+k)%len(steps)]()
		}
	}
	b.StopTimer()

	r.ours1, r.oursN, r.cjpeg, r.cjpegStart = medianCost(ours1), medianCost(oursN), medianCost(theirs), medianCost(start)
	b.ReportMetric(0, "ns/op") // the time of all four steps: meaningless
	b.ReportMetric(msOf(r.ours1.wall), "ours1-ms/page")
	b.ReportMetric(msOf(r.ours1.cpu), "ours1-cpu-ms/page")
	b.ReportMetric(msOf(r.oursN.wall), "oursN-ms/page")
	b.ReportMetric(msOf(r.oursN.cpu), "oursN-cpu-ms/page")
	b.ReportMetric(msOf(r.cjpeg.wall), "cjpeg-ms/page")
	b.ReportMetric(msOf(r.cjpeg.cpu), "cjpeg-cpu-ms/page")
	b.ReportMetric(msOf(r.cjpegStart.cpu), "cjpeg-start-cpu-ms")
	b.ReportMetric(r.cpuRatio(), "cpu-ratio")
	b.ReportMetric(r.netCPURatio(), "net-cpu-ratio")
	b.ReportMetric(r.wallRatio(), "wall-ratio")
	b.ReportMetric(float64(r.oursBytes)/float64(r.cjpegBytes), "size-ratio")
	return r
}

// cpuRatio is our CPU time on one worker over cjpeg's whole process's.
func (r vsCjpeg) cpuRatio() float64 { return float64(r.ours1.cpu) / float64(r.cjpeg.cpu) }

// netCPURatio is cpuRatio without cjpeg's fixed start cost.
func (r vsCjpeg) netCPURatio() float64 {
	return float64(r.ours1.cpu) / float64(r.cjpeg.cpu-r.cjpegStart.cpu)
}

// wallRatio is our wall time on all workers, what a user waits for, over
// cjpeg's.
func (r vsCjpeg) wallRatio() float64 { return float64(r.oursN.wall) / float64(r.cjpeg.wall) }

// encodePage encodes an A4 raster fed in 64-row strips, as a scanner
// delivers it.
func encodePage(b *testing.B, w *countWriter, raster []byte, bpp, workers int) {
	w.n = 0
	e, err := NewWriter(w, Options{Width: a4W, Height: a4H, Components: bpp, Workers: workers})
	if err != nil {
		b.Fatal(err)
	}
	for p := raster; len(p) > 0; {
		k := min(len(p), 64*a4W*bpp)
		if _, err := e.Write(p[:k]); err != nil {
			b.Fatal(err)
		}
		p = p[k:]
	}
	if err := e.Close(); err != nil {
		b.Fatal(err)
	}
}

// runCjpeg runs cjpeg -quality 75 on the PNM file name. When stdout is
// an *os.File, cjpeg writes to it directly, and no goroutine of ours
// copies its output.
func runCjpeg(b *testing.B, cjpeg, name string, stdout io.Writer) *os.ProcessState {
	var stderr bytes.Buffer
	cmd := exec.Command(cjpeg, "-quality", "75", name)
	cmd.Stdout, cmd.Stderr = stdout, &stderr
	if err := cmd.Run(); err != nil {
		b.Fatalf("cjpeg: %v: %s", err, stderr.Bytes())
	}
	return cmd.ProcessState
}

// cjpegVersion is the first line cjpeg -version prints, for the table.
func cjpegVersion(cjpeg string) string {
	out, _ := exec.Command(cjpeg, "-version").CombinedOutput()
	v, _, _ := strings.Cut(string(out), "\n")
	return strings.TrimSpace(v)
}

func medianCost(cs []cost) cost {
	walls, cpus := make([]time.Duration, len(cs)), make([]time.Duration, len(cs))
	for i, c := range cs {
		walls[i], cpus[i] = c.wall, c.cpu
	}
	slices.Sort(walls)
	slices.Sort(cpus)
	return cost{walls[len(walls)/2], cpus[len(cpus)/2]}
}

func msOf(d time.Duration) float64 { return float64(d) / float64(time.Millisecond) }

// printVsCjpeg prints BenchmarkVsCjpeg's results as a table.
func printVsCjpeg(w io.Writer, results []vsCjpeg) {
	if len(results) == 0 {
		return
	}
	r0 := results[0]
	n := fmt.Sprintf("%d workers", r0.workers)
	fmt.Fprintf(w, "\nOurs and cjpeg -quality 75, %s, on an A4 page at 300 dpi (%dx%d):\n", r0.cjpegVersion, a4W, a4H)
	fmt.Fprintf(w, "medians of %d interleaved runs, ms a page, GOMAXPROCS %d. cjpeg's \"start\" is its CPU time on one\n", r0.runs, r0.workers)
	fmt.Fprintf(w, "row (the process's fixed cost); the \"net\" CPU ratio leaves it out of cjpeg's figure.\n\n")
	fmt.Fprintf(w, "%-13s  %-16s  %-16s  %-24s  %-16s  %-16s  %s\n", "",
		"ours, 1 worker", "ours, "+n, "cjpeg", "CPU ours/cjpeg", "wall ours/cjpeg", "KiB a page")
	fmt.Fprintf(w, "%-13s  %7s %8s  %7s %8s  %7s %8s %7s  %7s %8s  %7s %8s  %7s %8s\n", "page",
		"wall", "CPU", "wall", "CPU", "wall", "CPU", "start", "whole", "net", "1 w.", fmt.Sprintf("%d w.", r0.workers), "ours", "cjpeg")
	for _, r := range results {
		fmt.Fprintf(w, "%-13s  %7.1f %8.1f  %7.1f %8.1f  %7.1f %8.1f %7.1f  %7.2f %8.2f  %7.2f %8.2f  %7.1f %8.1f\n", r.page,
			msOf(r.ours1.wall), msOf(r.ours1.cpu), msOf(r.oursN.wall), msOf(r.oursN.cpu),
			msOf(r.cjpeg.wall), msOf(r.cjpeg.cpu), msOf(r.cjpegStart.cpu),
			r.cpuRatio(), r.netCPURatio(),
			float64(r.ours1.wall)/float64(r.cjpeg.wall), r.wallRatio(),
			float64(r.oursBytes)/1024, float64(r.cjpegBytes)/1024)
	}
	fmt.Fprintln(w)
}
