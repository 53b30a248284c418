package link

import (
	"math"
	"math/rand/v2"
	"testing"
)

func TestHalveAt(t *testing.T) {
	tests := []struct {
		size     int
		min, max float64
	}{
		{8192, 0.015, 0.018},
		{4096, 0.030, 0.036},
		{2048, 0.058, 0.070},
		{1024, 0.11, 0.13},
		{512, 0.19, 0.23},
	}
	for _, tt := range tests {
		if got := halveAt(tt.size); got < tt.min || got > tt.max {
			t.Errorf("halveAt(%d) = %.4f, want %.3f…%.3f", tt.size, got, tt.min, tt.max)
		}
	}
}

// lineSim plays strips of the policy's size over a line with a bit error
// rate, as selective repeat sees it: a strip is resent until it arrives,
// each damaged try is garbage.
func lineSim(p *stripPolicy, rng *rand.Rand, ber float64, strips int) (sizes map[int]int) {
	sizes = map[int]int{}
	for range strips {
		size := p.size
		ok := math.Pow(1-ber, float64(8*(size+32)))
		s := stripSample{frames: 1}
		for rng.Float64() >= ok {
			s.resent = 1
			s.garbage += int64(size + 32)
		}
		p.observe(s, size)
		sizes[size]++
	}
	return sizes
}

// mostUsed is the size most strips had.
func mostUsed(sizes map[int]int) int {
	best := 0
	for s, n := range sizes {
		if n > sizes[best] || (n == sizes[best] && s > best) {
			best = s
		}
	}
	return best
}

// TestStripPolicySettles: on a line of each bit error rate the policy
// settles where the arithmetic in stripsize.go puts the best size.
func TestStripPolicySettles(t *testing.T) {
	tests := []struct {
		ber      float64
		min, max int // the size most strips have
	}{
		{0, 8192, 8192},
		{1e-7, 4096, 8192},
		{1e-6, 2048, 4096},
		{1e-5, 512, 1024},
		{1e-4, 256, 256},
	}
	for _, tt := range tests {
		var p stripPolicy
		p.setCeiling(8192)
		rng := rand.New(rand.NewPCG(15, uint64(tt.ber*1e9)))
		lineSim(&p, rng, tt.ber, 500) // settle
		sizes := lineSim(&p, rng, tt.ber, 5000)
		if got := mostUsed(sizes); got < tt.min || got > tt.max {
			t.Errorf("BER %g: most strips %d bytes, want %d…%d (sizes used %v)", tt.ber, got, tt.min, tt.max, sizes)
		}
	}
}

// step is one call of observe and what it must answer: bad frames were
// damaged once (resent, and garbage of their size), dropped ones lost
// whole (resent only).
type step struct {
	frames, bad, dropped int64
	garbage              int64 // more, from no frame resent
	n                    int
	size                 int
	changed              bool
}

func TestStripPolicySteps(t *testing.T) {
	clean := func(k, size int) []step { // k clean strips of size bytes
		var s []step
		for range k {
			s = append(s, step{frames: 1, n: size, size: size})
		}
		return s
	}
	cat := func(parts ...[]step) []step {
		var s []step
		for _, p := range parts {
			s = append(s, p...)
		}
		return s
	}
	tests := []struct {
		name    string
		ceiling int
		steps   []step
	}{
		{"starts at 1 KiB and doubles after 32 clean frames", 8192, cat(
			clean(31, 1024),
			[]step{{frames: 1, n: 1024, size: 2048, changed: true}},
			clean(31, 2048),
			[]step{{frames: 1, n: 2048, size: 4096, changed: true}},
		)},
		{"one damaged frame restarts the clean count", 8192, cat(
			clean(20, 1024),
			[]step{{frames: 1, bad: 1, n: 1024, size: 1024}},
			clean(31, 1024),
			[]step{{frames: 1, n: 1024, size: 2048, changed: true}},
		)},
		{"halves when a window holds more damage than 12 %", 8192, cat(
			[]step{
				{frames: 1, bad: 1, n: 1024, size: 1024},
				{frames: 2, bad: 1, n: 1024, size: 1024},
				{frames: 1, bad: 1, n: 1024, size: 1024},
				// 4 of 32 is over 3.75.
				{frames: 1, bad: 1, n: 1024, size: 512, changed: true},
				// Strips cut before the engine heard: ignored.
				{frames: 3, bad: 3, n: 1024, size: 512},
				{frames: 3, bad: 3, n: 1000, size: 512},
			},
		)},
		{"a window under the threshold is forgotten", 8192, cat(
			[]step{{frames: 1, bad: 3, n: 1024, size: 1024}},
			[]step{{frames: 31, n: 1024, size: 1024}},
			// A new window: three more are not four in one.
			[]step{{frames: 1, bad: 3, n: 1024, size: 1024}},
		)},
		{"one damaged frame is not enough", 8192, cat(
			clean(32, 1024)[:31], []step{{frames: 1, n: 1024, size: 2048, changed: true}},
			clean(32, 2048)[:31], []step{{frames: 1, n: 2048, size: 4096, changed: true}},
			clean(32, 4096)[:31], []step{{frames: 1, n: 4096, size: 8192, changed: true}},
			[]step{
				{frames: 1, bad: 1, n: 8192, size: 8192},
				{frames: 1, bad: 1, n: 8192, size: 4096, changed: true},
			},
		)},
		{"frames lost whole are not damage", 8192, cat(
			[]step{{frames: 32, dropped: 32, n: 1024, size: 2048, changed: true}},
			[]step{{frames: 10, dropped: 5, n: 2048, size: 2048}},
		)},
		{"garbage without resends is not damage, but not clean either", 8192, cat(
			[]step{{frames: 1, garbage: 3000, n: 1024, size: 1024}},
			clean(31, 1024),
			[]step{{frames: 1, n: 1024, size: 2048, changed: true}},
		)},
		{"never below the floor", 8192, cat(
			[]step{
				{frames: 1, bad: 9, n: 1024, size: 512, changed: true},
				{frames: 1, bad: 9, n: 512, size: 256, changed: true},
				{frames: 1, bad: 9, n: 256, size: 256},
				{frames: 40, bad: 40, n: 256, size: 256},
			},
		)},
		{"never above the ceiling", 2000, cat(
			clean(31, 1024),
			[]step{{frames: 1, n: 1024, size: 2000, changed: true}},
			clean(100, 2000),
		)},
		{"a ceiling under the floor is the size", 100, cat(
			[]step{{frames: 1, bad: 1, n: 100, size: 100}},
			clean(100, 100),
		)},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var p stripPolicy
			p.setCeiling(tt.ceiling)
			for i, s := range tt.steps {
				sample := stripSample{frames: s.frames, resent: s.bad + s.dropped, garbage: s.bad*int64(s.n+32) + s.garbage}
				size, changed := p.observe(sample, s.n)
				if size != s.size || changed != s.changed {
					t.Fatalf("step %d %+v: got %d, %v", i, s, size, changed)
				}
			}
		})
	}
}

// TestStripPolicyKeepsSize: a new session starts where the last one
// ended (a bad cable stays bad), within the new ceiling.
func TestStripPolicyKeepsSize(t *testing.T) {
	var p stripPolicy
	p.setCeiling(8192)
	p.observe(stripSample{frames: 1, resent: 9, garbage: 9 * 1056}, 1024)
	p.observe(stripSample{frames: 1, resent: 9, garbage: 9 * 544}, 512)
	if p.size != 256 {
		t.Fatalf("size %d after damage, want 256", p.size)
	}
	p.setCeiling(8192)
	if p.size != 256 {
		t.Errorf("size %d in the next session, want 256", p.size)
	}
	p.size = 4096
	p.setCeiling(2048)
	if p.size != 2048 {
		t.Errorf("size %d under a ceiling of 2048", p.size)
	}
}

// TestStripTuner: the tuner reads the link's counters as the policy's
// frames and bad ones, and runs only for an engine that takes STRIP_SIZE.
func TestStripTuner(t *testing.T) {
	var tu stripTuner
	if got := tu.begin(Stats{}, 8192, false); got != 8192 {
		t.Errorf("a 1.1 engine: size %d, want its own 8192", got)
	}
	if _, _, changed := tu.strip(Stats{FramesReceived: 10, PeerRetransmits: 10}, 8192); changed {
		t.Errorf("the policy ran for a 1.1 engine")
	}
	st := Stats{FramesReceived: 100, PeerRetransmits: 7, Duplicates: 3}
	if got := tu.begin(st, 8192, true); got != 1024 {
		t.Fatalf("a 1.2 engine: size %d, want 1024 to start", got)
	}
	// Lost ACKs make duplicates, not damage.
	st.FramesReceived += 10
	st.PeerRetransmits += 20
	st.Duplicates += 20
	if _, size, changed := tu.strip(st, 1024); changed {
		t.Errorf("duplicates counted as damage: size %d", size)
	}
	// Resent without garbage: lost whole, no reason to shrink.
	st.FramesReceived += 4
	st.PeerRetransmits += 4
	if _, size, changed := tu.strip(st, 1024); changed {
		t.Errorf("frames lost whole counted as damage: size %d", size)
	}
	st.DiscardedBytes += 4 * 1056
	if old, size, changed := tu.strip(st, 1024); !changed || old != 1024 || size != 512 {
		t.Errorf("4 damaged of 18: %d → %d, %v; want 1024 → 512", old, size, changed)
	}
}
