package device

import (
	"context"
	"os"
	"runtime"
	"strings"
	"sync"
	"testing"

	"scanmail/device/apitype"
	"scanmail/device/idptest"
	"scanmail/scan"
	"scanmail/scan/scansim"
)

// pageCounter is the in-process simulator, counting what each job asked it
// for; failAt makes that call's job (from 1) a paper jam.
type pageCounter struct {
	mu     sync.Mutex
	asked  []int // scan.Options.Pages of each call
	failAt int
}

func (p *pageCounter) Scan(ctx context.Context, opts scan.Options) (scan.Source, error) {
	p.mu.Lock()
	p.asked = append(p.asked, opts.Pages)
	n := len(p.asked)
	p.mu.Unlock()
	if n == p.failAt {
		return (&scansim.Simulator{JamAtPage: 1}).Scan(ctx, opts)
	}
	return (&scansim.Scanner{}).Scan(ctx, opts)
}

func (p *pageCounter) calls() []int {
	p.mu.Lock()
	defer p.mu.Unlock()
	return append([]int(nil), p.asked...)
}

// flatbedJob runs a flatbed scan; each time the job waits for another
// page, answer is called (off the job's goroutine) with the job as
// reported.
type flatbedJob struct {
	waits chan apitype.Job
	done  chan flatbedResult
}

type flatbedResult struct {
	job apitype.Job
	err error
}

func startFlatbed(r *rig, req apitype.ScanRequest) *flatbedJob {
	f := &flatbedJob{waits: make(chan apitype.Job, 16), done: make(chan flatbedResult, 1)}
	req.Flatbed = true
	go func() {
		job, err := r.dev.Scan(context.Background(), req, func(ev apitype.JobEvent) {
			if ev.Job.MorePages {
				f.waits <- ev.Job
			}
		})
		f.done <- flatbedResult{job, err}
	}()
	return f
}

// TestFlatbedPages: a flatbed job asks the scanner for one page at a time,
// waits after each with MorePages set (on its stream and the watch feed),
// holds the scanner meanwhile, and sends one document of every page once
// the operator says no more.
func TestFlatbedPages(t *testing.T) {
	t.Parallel()
	scanner := &pageCounter{}
	r := newRig(t, rigOptions{idp: idptest.Options{IgnoreInterval: true}, scanner: scanner})
	r.signedIn(testUPN)
	r.configure(map[string]string{"scan.dpi": "100"})
	w := r.dev.Watch()
	defer w.Close()

	f := startFlatbed(r, apitype.ScanRequest{To: to, Pages: 5})
	for page := 1; page <= 3; page++ {
		job := <-f.waits
		if job.Pages != page || job.State != apitype.JobScanning {
			t.Fatalf("waiting after page %d: %+v", page, job)
		}
		if stored, _, _ := r.store.Job(job.ID); !stored.MorePages {
			t.Errorf("stored job does not say it waits: %+v", stored)
		}
		watchWait(t, w, job.ID, page)
		if _, err := r.dev.Scan(context.Background(), apitype.ScanRequest{To: to, Pages: 1}, nil); CodeOf(err) != apitype.CodeBusy {
			t.Errorf("another scan while the flatbed job waits: %v, want busy", err)
		}
		got, err := r.dev.MorePages(job.ID, page < 3)
		if err != nil || got.MorePages || got.ID != job.ID {
			t.Fatalf("MorePages: %v, job %+v", err, got)
		}
	}
	res := <-f.done
	if res.err != nil || res.job.State != apitype.JobSent || res.job.Pages != 3 {
		t.Fatalf("job %+v: %v", res.job, res.err)
	}
	if asked := scanner.calls(); len(asked) != 3 || asked[0] != 1 || asked[1] != 1 || asked[2] != 1 {
		t.Errorf("scanner asked for %v pages, want 1 each time, 3 times", asked)
	}
	msgs := r.mail.Messages()
	if len(msgs) != 1 {
		t.Fatalf("%d messages", len(msgs))
	}
	atts := attachments(t, msgs[0].Data)
	if len(atts) != 1 {
		t.Fatalf("%d attachments", len(atts))
	}
	checkAttachments(t, atts, "application/pdf", res.job.Created, 3)

	if _, err := r.dev.MorePages(res.job.ID, true); CodeOf(err) != apitype.CodeJobState {
		t.Errorf("MorePages on a sent job: %v, want %s", err, apitype.CodeJobState)
	}
}

// watchWait reads w until it tells of job id waiting after pages pages.
func watchWait(t *testing.T, w *Watcher, id uint64, pages int) {
	t.Helper()
	for {
		n, err := w.Next(t.Context())
		if err != nil {
			t.Fatal(err)
		}
		jobs := n.Jobs
		if n.Job != nil {
			jobs = append(jobs, n.Job.Job)
		}
		for _, j := range jobs {
			if j.ID == id && j.MorePages && j.Pages == pages {
				return
			}
		}
	}
}

// TestFlatbedCancelWhileWaiting: a flatbed job canceled while it waits for
// another page sends nothing and leaves nothing in the spool.
func TestFlatbedCancelWhileWaiting(t *testing.T) {
	t.Parallel()
	r := newRig(t, rigOptions{idp: idptest.Options{IgnoreInterval: true}})
	r.signedIn(testUPN)
	f := startFlatbed(r, apitype.ScanRequest{To: to, ScanOptions: apitype.ScanOptions{DPI: 75}})
	job := <-f.waits
	if _, err := r.dev.MorePages(job.ID, true); err != nil {
		t.Fatal(err)
	}
	job = <-f.waits
	canceled, err := r.dev.CancelJob(job.ID)
	if err != nil || canceled.State != apitype.JobCanceled || canceled.MorePages {
		t.Fatalf("CancelJob: %v, job %+v", err, canceled)
	}
	res := <-f.done
	if res.job.State != apitype.JobCanceled || CodeOf(res.err) != apitype.CodeCanceled {
		t.Fatalf("Scan: %v, job %+v", res.err, res.job)
	}
	if n := r.mail.Connections(); n != 0 {
		t.Errorf("%d connections to the mail server", n)
	}
	if left, _ := os.ReadDir(r.dev.spoolDir); len(left) != 0 {
		t.Errorf("spool holds %v", left)
	}
	if _, err := r.dev.MorePages(job.ID, true); CodeOf(err) != apitype.CodeJobState {
		t.Errorf("MorePages after the cancel: %v, want %s", err, apitype.CodeJobState)
	}
	// The scanner is free.
	if next, err := r.dev.Scan(context.Background(), apitype.ScanRequest{To: to, Pages: 1}, nil); err != nil || next.State != apitype.JobSent {
		t.Fatalf("next scan: %v, job %+v", err, next)
	}
}

// TestFlatbedIdleTimeout: a flatbed job nobody answers ends its document
// with the pages scanned and sends it, and the log says so.
func TestFlatbedIdleTimeout(t *testing.T) {
	t.Parallel()
	r := newRig(t, rigOptions{idp: idptest.Options{IgnoreInterval: true}, moreTimeout: 1})
	r.signedIn(testUPN)
	f := startFlatbed(r, apitype.ScanRequest{To: to, ScanOptions: apitype.ScanOptions{DPI: 75}})
	res := <-f.done
	if res.err != nil || res.job.State != apitype.JobSent || res.job.Pages != 1 || res.job.MorePages {
		t.Fatalf("job %+v: %v", res.job, res.err)
	}
	if n := len(r.mail.Messages()); n != 1 {
		t.Errorf("%d messages", n)
	}
	if !strings.Contains(r.log.String(), "no answer whether another page follows") {
		t.Error("the log does not say the job stopped waiting")
	}
}

// TestFlatbedJamOnLaterPage: a scanner failure on a later page fails the
// job as any scan failure does: nothing sent, nothing left.
func TestFlatbedJamOnLaterPage(t *testing.T) {
	t.Parallel()
	r := newRig(t, rigOptions{idp: idptest.Options{IgnoreInterval: true}, scanner: &pageCounter{failAt: 2}})
	r.signedIn(testUPN)
	f := startFlatbed(r, apitype.ScanRequest{To: to, ScanOptions: apitype.ScanOptions{DPI: 75}})
	job := <-f.waits
	if _, err := r.dev.MorePages(job.ID, true); err != nil {
		t.Fatal(err)
	}
	res := <-f.done
	if res.job.State != apitype.JobFailed || CodeOf(res.err) != apitype.CodeScannerJam {
		t.Fatalf("job %+v: %v (%s)", res.job, res.err, CodeOf(res.err))
	}
	if n := r.mail.Connections(); n != 0 {
		t.Errorf("%d connections to the mail server", n)
	}
	if left, _ := os.ReadDir(r.dev.spoolDir); len(left) != 0 {
		t.Errorf("spool holds %v", left)
	}
}

// TestMorePagesRefused: an answer for no job, or for a job that does not
// wait, is refused with its code.
func TestMorePagesRefused(t *testing.T) {
	t.Parallel()
	r := newRig(t, rigOptions{idp: idptest.Options{IgnoreInterval: true}})
	r.signedIn(testUPN)
	if _, err := r.dev.MorePages(99, true); CodeOf(err) != apitype.CodeNoJob {
		t.Errorf("no job: %v, want %s", err, apitype.CodeNoJob)
	}
	job, err := r.dev.Scan(context.Background(), apitype.ScanRequest{To: to, Pages: 1}, nil)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := r.dev.MorePages(job.ID, false); CodeOf(err) != apitype.CodeJobState {
		t.Errorf("sent job: %v, want %s", err, apitype.CodeJobState)
	}
}

// TestFlatbedClosedWhileWaiting: a daemon stopping while a flatbed job
// waits ends the job as failed, sends nothing, and does not hang; a record
// left waiting by a power cut reads after the restart as a scan cut off,
// no longer waiting.
func TestFlatbedClosedWhileWaiting(t *testing.T) {
	t.Parallel()
	r := newRig(t, rigOptions{idp: idptest.Options{IgnoreInterval: true}})
	r.signedIn(testUPN)
	f := startFlatbed(r, apitype.ScanRequest{To: to, ScanOptions: apitype.ScanOptions{DPI: 75}})
	job := <-f.waits
	r.dev.Close()
	res := <-f.done
	if res.job.State != apitype.JobFailed || res.job.MorePages || CodeOf(res.err) != apitype.CodeShuttingDown {
		t.Fatalf("job %+v: %v (%s)", res.job, res.err, CodeOf(res.err))
	}
	if n := r.mail.Connections(); n != 0 {
		t.Errorf("%d connections to the mail server", n)
	}

	// As a power cut leaves it.
	job.State, job.MorePages = apitype.JobScanning, true
	if err := r.store.PutJob(job); err != nil {
		t.Fatal(err)
	}
	r.reopen()
	got, _, err := r.store.Job(job.ID)
	if err != nil || got.State != apitype.JobFailed || got.MorePages {
		t.Fatalf("after the restart: %+v (%v)", got, err)
	}
}

// TestFlatbedAnswerAtOnce: an answer that comes as soon as the job says it
// waits, before the job is back from telling its stream and watchers, is
// taken: a panel that answers fast is not told the job does not wait.
func TestFlatbedAnswerAtOnce(t *testing.T) {
	t.Parallel()
	// A job that missed its answer ends at once instead of waiting.
	r := newRig(t, rigOptions{idp: idptest.Options{IgnoreInterval: true}, moreTimeout: 1})
	r.signedIn(testUPN)
	type result struct {
		job apitype.Job
		err error
	}
	answers := make(chan result, 4)
	req := apitype.ScanRequest{To: to, Flatbed: true, ScanOptions: apitype.ScanOptions{DPI: 75}}
	job, err := r.dev.Scan(context.Background(), req, func(ev apitype.JobEvent) {
		if !ev.Job.MorePages {
			return
		}
		// Answer while the job is still here, reporting; go on once the
		// answer was refused or is waiting for the job to take it.
		sc := r.dev.runningScan()
		answered := make(chan result, 1)
		go func() {
			j, err := r.dev.MorePages(ev.Job.ID, ev.Job.Pages < 2)
			answered <- result{j, err}
			answers <- result{j, err}
		}()
		for {
			select {
			case <-answered:
				return
			default:
			}
			r.dev.mu.Lock()
			queued := len(sc.more) > 0
			r.dev.mu.Unlock()
			if queued {
				return
			}
			runtime.Gosched()
		}
	})
	if err != nil || job.State != apitype.JobSent || job.Pages != 2 {
		t.Fatalf("job %+v: %v", job, err)
	}
	for range 2 {
		if res := <-answers; res.err != nil {
			t.Errorf("MorePages: %v", res.err)
		}
	}
}
