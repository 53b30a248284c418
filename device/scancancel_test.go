package device

import (
	"context"
	"os"
	"strings"
	"testing"
	"time"

	"scanmail/device/apitype"
	"scanmail/device/idptest"
	"scanmail/scan/scansim"
)

// TestCancelScan: a job canceled while it scans ends as canceled with
// words, the engine is told to stop (CANCEL on the link), the unfinished
// document is removed, nothing is mailed, and the scanner is free for the
// next job as soon as CancelJob returns.
func TestCancelScan(t *testing.T) {
	t.Parallel()
	for _, tt := range []struct {
		name    string
		scanner func() Scanner
	}{
		{"in-process simulator", func() Scanner { return &scansim.Scanner{} }},
		{"in-process engine that hangs", func() Scanner { return &scansim.Simulator{HangAtPage: 2} }},
		{"engine that hangs, over the link", func() Scanner { return &linkScanner{engine: &scansim.Simulator{HangAtPage: 2}} }},
	} {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			scanner := tt.scanner()
			r := newRig(t, rigOptions{idp: idptest.Options{IgnoreInterval: true}, scanner: scanner})
			r.signedIn(testUPN)

			type result struct {
				job apitype.Job
				err error
			}
			canceled := make(chan result, 1)
			job, err := r.dev.Scan(context.Background(), apitype.ScanRequest{To: to, Pages: 3}, func(ev apitype.JobEvent) {
				if ev.Page != 1 {
					return
				}
				// Cancel once the first page is in, and let the scan go
				// on only when the cancel has reached it.
				sc := r.dev.runningScan()
				go func() {
					job, err := r.dev.CancelJob(ev.Job.ID)
					canceled <- result{job, err}
				}()
				<-sc.ctx.Done()
			})
			if summary, _ := Explain(err); job.State != apitype.JobCanceled || job.Error != "Scanning was canceled" || summary != "Scanning was canceled" {
				t.Fatalf("Scan: %v, job %s %q", err, job.State, job.Error)
			}
			res := <-canceled
			if res.err != nil || res.job.ID != job.ID || res.job.State != apitype.JobCanceled {
				t.Fatalf("CancelJob: %v, job %+v", res.err, res.job)
			}
			if stored, _, _ := r.store.Job(job.ID); stored.State != apitype.JobCanceled || stored.Finished.IsZero() {
				t.Errorf("stored job %s, finished %v", stored.State, stored.Finished)
			}
			for _, dir := range []string{spoolPath(r.dev.spoolDir, job.ID), spoolPath(r.dev.spoolDir, job.ID) + ".part"} {
				if _, err := os.Stat(dir); !os.IsNotExist(err) {
					t.Errorf("%s is left: %v", dir, err)
				}
			}
			if ls, ok := scanner.(*linkScanner); ok && !strings.Contains(ls.log.String(), "scan job cancelled") {
				t.Errorf("the engine was not told to stop; its log:\n%s", ls.log.String())
			}

			next, err := r.dev.Scan(context.Background(), apitype.ScanRequest{To: to, Pages: 1}, nil)
			if err != nil || next.State != apitype.JobSent {
				t.Fatalf("the next scan: %v, job %+v", err, next)
			}
			if n := len(r.mail.Messages()); n != 1 {
				t.Errorf("%d messages, want the next job's only", n)
			}
			if _, err := r.dev.CancelJob(job.ID); err == nil || !strings.Contains(err.Error(), "has ended already") {
				t.Errorf("canceling again: %v", err)
			}
		})
	}
}

// TestScannerSilent: an engine that keeps its line alive but sends no page
// data fails the job with words once the scanner timeout passes; the
// engine is told to stop and the scanner is free again.
func TestScannerSilent(t *testing.T) {
	t.Parallel()
	for _, tt := range []struct {
		name    string
		scanner Scanner
	}{
		{"in process", &scansim.Simulator{HangAtPage: 1}},
		{"over the link", &linkScanner{engine: &scansim.Simulator{HangAtPage: 1}}},
	} {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			// Longer than the link's polls (200 ms), which the engine
			// answers: the line is alive all along.
			r := newRig(t, rigOptions{idp: idptest.Options{IgnoreInterval: true}, scanner: tt.scanner, scanTimeout: time.Second})
			r.signedIn(testUPN)
			job, err := r.dev.Scan(context.Background(), apitype.ScanRequest{To: to, Pages: 2}, nil)
			if err == nil || job.State != apitype.JobFailed ||
				!strings.Contains(job.Error, "The scanner stopped sending pages") || !strings.Contains(job.Hint, "Check the scanner") {
				t.Fatalf("Scan: %v, job %s %q (hint %q)", err, job.State, job.Error, job.Hint)
			}
			if _, err := os.Stat(spoolPath(r.dev.spoolDir, job.ID) + ".part"); !os.IsNotExist(err) {
				t.Errorf("the unfinished document was left behind: %v", err)
			}
			if ls, ok := tt.scanner.(*linkScanner); ok && !strings.Contains(ls.log.String(), "scan job cancelled") {
				t.Errorf("the engine was not told to stop; its log:\n%s", ls.log.String())
			}
			if !r.dev.jobMu.TryLock() {
				t.Fatal("the scanner is still held")
			}
			r.dev.jobMu.Unlock()
		})
	}
}
