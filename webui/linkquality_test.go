package webui_test

import (
	"context"
	"fmt"
	"strings"
	"testing"

	"scanmail/device"
	"scanmail/device/apitype"
	"scanmail/scan/link"
	"scanmail/scan/scansim"

	"github.com/chromedp/chromedp"
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

// TestBrowserLinkQuality: the status and job pages after a job on a noisy
// scanner link, in chromium, as the admin sees them (screenshots
// status-link and job-link).
func TestBrowserLinkQuality(t *testing.T) {
	r := newRigScanner(t, noisyScanner(scansim.Faults{DropRate: 0.1, Seed: 15}))
	r.signIn(t, "scanner@contoso.example")
	bg := context.Background()
	job, err := r.c.Scan(bg, apitype.ScanRequest{To: []string{"someone@example.com"}}, nil)
	if err != nil || job.Link == nil || job.Link.Verdict != apitype.LinkNoisy {
		t.Fatalf("scan: %v %+v", err, job)
	}
	if _, err := r.api.SetPassword(bg, "", testPassword); err != nil {
		t.Fatal(err)
	}
	ctx := browser(t)
	base := r.tls.URL
	do(t, ctx, "log in", chromedp.Navigate(base+"/login"),
		chromedp.SendKeys(chromedp.ID("password"), testPassword),
		chromedp.Submit(chromedp.ID("password")),
		chromedp.WaitVisible(chromedp.ID("scanner-link")))
	if txt := eval[string](t, ctx, `document.getElementById("scanner-link").textContent`); !strings.Contains(txt, "noisy: check the cable") || !strings.Contains(txt, "Check the scanner cable") {
		t.Errorf("status page: %q", txt)
	}
	screenshots(t, ctx, "status-link")
	do(t, ctx, "job page", chromedp.Navigate(fmt.Sprintf("%s/jobs/%d", base, job.ID)), chromedp.WaitVisible(chromedp.ID("link")))
	if txt := eval[string](t, ctx, `document.getElementById("link").textContent`); !strings.Contains(txt, job.Link.Text()) {
		t.Errorf("job page: %q, want %q", txt, job.Link.Text())
	}
	screenshots(t, ctx, "job-link")
}
