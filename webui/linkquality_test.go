package webui_test

import (
	"context"
	"fmt"
	"testing"

	"scanmail/device"
	"scanmail/device/apitype"
	"scanmail/scan/link"
	"scanmail/scan/scansim"
)

// noisyScanner scans over a scanner link whose engine's frames are lost
// now and then, served on a pipe for each job, as the daemon's scanner
// does over its serial line.
func noisyScanner(line scansim.Faults) *device.LinkScanner {
	p := &scansim.Pipe{Engine: &scansim.Simulator{}, Options: link.EngineOptions{MaxStrip: 2048}, Faults: line}
	return &device.LinkScanner{Open: p.Open}
}

// TestLinkQualityPages: after a job on a noisy scanner link, the status
// page and the job's page say the line was noisy and what to do.
func TestLinkQualityPages(t *testing.T) {
	r := newRigScanner(t, noisyScanner(scansim.Faults{DropRate: 0.1, Seed: 15}))
	r.signIn(t, "scanner@contoso.example")
	job, err := r.c.Scan(context.Background(), apitype.ScanRequest{To: []string{"someone@example.com"}}, nil)
	if err != nil || job.State != apitype.JobSent || job.Link == nil {
		t.Fatalf("scan: %v %+v", err, job)
	}
	c := r.login(t, r.plain)
	_, body := get(t, c, r.plain.URL+"/")
	contains(t, body, `id="scanner-link"`, "(noisy: check the cable)", "Check the scanner cable")
	_, body = get(t, c, fmt.Sprintf("%s/jobs/%d", r.plain.URL, job.ID))
	contains(t, body, `<dt>Scanner link</dt>`, job.Link.Text(), "Check the scanner cable")
}
