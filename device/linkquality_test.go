package device

import (
	"context"
	"reflect"
	"strings"
	"testing"

	"scanmail/device/apitype"
	"scanmail/device/idptest"
	"scanmail/scan/link"
	"scanmail/scan/scansim"
)

// TestJobLinkQuality scans over a real scanner link on a clean line, then
// on a noisy one (frames lost, bits flipped on the engine's side), and
// checks the job records and the status: the clean job counts frames and
// no damage, the noisy one damage and resends and says to check the cable,
// one on a dead line (the link never up) has none, and the status has the
// totals. A scanner without a link has neither.
func TestJobLinkQuality(t *testing.T) {
	t.Parallel()
	ls := &linkScanner{engine: &scansim.Simulator{}, opts: link.EngineOptions{MaxStrip: 2048}}
	r := newRig(t, rigOptions{idp: idptest.Options{IgnoreInterval: true}, scanner: ls})
	r.signedIn(testUPN)
	r.configure(map[string]string{"scan.dpi": "75", "scan.blank_pages": "keep"})
	scanJob := func() apitype.Job {
		t.Helper()
		job, err := r.dev.Scan(context.Background(), apitype.ScanRequest{To: to, Pages: 2}, nil)
		if err != nil {
			t.Fatal(err)
		}
		if job.Link == nil {
			t.Fatalf("job %d has no link quality", job.ID)
		}
		stored, err := r.dev.Job(job.ID)
		if err != nil || !reflect.DeepEqual(stored.Link, job.Link) {
			t.Fatalf("stored job's link %+v, %v; want %+v", stored.Link, err, job.Link)
		}
		t.Logf("job %d: %+v: %s", job.ID, *job.Link, job.Link.Text())
		return job
	}

	clean := scanJob().Link
	if clean.Frames == 0 || clean.Damaged != 0 || clean.Resent != 0 || clean.Verdict != apitype.LinkClean || clean.Hint != "" {
		t.Errorf("clean line: %+v", clean)
	}
	if clean.StripSize != 2048 {
		t.Errorf("clean line: strips of %d bytes, want the engine's 2048", clean.StripSize)
	}

	ls.line = scansim.Faults{DropRate: 0.02, BitErrorRate: 1e-6, Seed: 15}
	noisy := scanJob().Link
	if noisy.Frames == 0 || noisy.Resent == 0 || noisy.Verdict != apitype.LinkNoisy || noisy.Hint == "" ||
		!strings.Contains(noisy.Text(), "(noisy: check the cable)") {
		t.Errorf("noisy line: %+v: %s", noisy, noisy.Text())
	}

	// A line that carries nothing: the link never comes up, and the job
	// has its error and no line quality to show.
	ls.line = scansim.Faults{DropRate: 1, Seed: 15}
	dead, err := r.dev.Scan(context.Background(), apitype.ScanRequest{To: to, Pages: 1}, nil)
	if err == nil || dead.State != apitype.JobFailed || dead.Link != nil {
		t.Errorf("dead line: %v, job %s, link %+v", err, dead.State, dead.Link)
	}

	st, err := r.dev.Status()
	if err != nil {
		t.Fatal(err)
	}
	total := st.ScannerLink
	if total == nil || total.Frames != clean.Frames+noisy.Frames || total.Resent != clean.Resent+noisy.Resent ||
		total.Damaged != clean.Damaged+noisy.Damaged || total.Verdict != apitype.LinkNoisy {
		t.Errorf("status: %+v, want the totals of %+v and %+v", total, clean, noisy)
	}

	sim := newRig(t, rigOptions{idp: idptest.Options{IgnoreInterval: true}})
	sim.signedIn(testUPN)
	job, err := sim.dev.Scan(context.Background(), apitype.ScanRequest{To: to, Pages: 1}, nil)
	if err != nil {
		t.Fatal(err)
	}
	if st, err := sim.dev.Status(); err != nil || job.Link != nil || st.ScannerLink != nil {
		t.Errorf("a scanner without a link: job %+v, status %+v, %v", job.Link, st.ScannerLink, err)
	}
}

// TestAddStats checks that the tally adds and takes every count of
// link.Stats, so that a count added to it later is not left out.
func TestAddStats(t *testing.T) {
	var a, b link.Stats
	av, bv := reflect.ValueOf(&a).Elem(), reflect.ValueOf(&b).Elem()
	for i := range av.NumField() {
		av.Field(i).SetInt(int64(10 * (i + 1)))
		bv.Field(i).SetInt(int64(i + 1))
	}
	sum, diff := addStats(a, b), subStats(a, b)
	sv, dv := reflect.ValueOf(sum), reflect.ValueOf(diff)
	for i := range av.NumField() {
		name := av.Type().Field(i).Name
		if name == "StripSize" {
			// Not a count: the newer's.
			if sum.StripSize != b.StripSize || diff.StripSize != a.StripSize {
				t.Errorf("StripSize: sum %d, difference %d", sum.StripSize, diff.StripSize)
			}
			continue
		}
		if got, want := sv.Field(i).Int(), int64(11*(i+1)); got != want {
			t.Errorf("%s: sum %d, want %d", name, got, want)
		}
		if got, want := dv.Field(i).Int(), int64(9*(i+1)); got != want {
			t.Errorf("%s: difference %d, want %d", name, got, want)
		}
	}
}

// TestLinkVerdict: the verdict goes by the larger share of frames damaged
// or resent, and resends of frames that had arrived (the engine's timer
// firing while a busy controller was late to acknowledge) do not count.
func TestLinkVerdict(t *testing.T) {
	for _, tt := range []struct {
		name string
		st   link.Stats
		want string
	}{
		{"clean", link.Stats{FramesReceived: 1000}, apitype.LinkClean},
		{"some noise", link.Stats{FramesReceived: 1000, FramesDamaged: 5}, apitype.LinkSomeNoise},
		{"noisy by damage", link.Stats{FramesReceived: 1000, FramesDamaged: 20}, apitype.LinkNoisy},
		{"noisy by resends", link.Stats{FramesReceived: 1000, PeerRetransmits: 20}, apitype.LinkNoisy},
		{"needless resends", link.Stats{FramesReceived: 1000, PeerRetransmits: 20, NeedlessResends: 20}, apitype.LinkClean},
	} {
		if got := linkQuality(tt.st).Verdict; got != tt.want {
			t.Errorf("%s: %q, want %q", tt.name, got, tt.want)
		}
	}
}
