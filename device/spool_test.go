package device

import (
	"context"
	"crypto/sha256"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/emersion/go-smtp"

	"scanmail/device/apitype"
	"scanmail/device/idptest"
	"scanmail/scan/scansim"
)

// TestSpoolBound: the room for waiting documents is bounded. A document
// that outgrows the room left fails with the reason, a scan with no room
// at all is refused before it starts, and the documents already waiting
// are never touched. Canceling a waiting job makes room.
func TestSpoolBound(t *testing.T) {
	t.Parallel()
	r := newRig(t, rigOptions{idp: idptest.Options{IgnoreInterval: true}})
	r.signedIn(testUPN)
	r.configure(map[string]string{"spool.max_mb": "2"})

	// A document that waits: the server is busy.
	r.mail.FailNext("mail", &smtp.SMTPError{Code: 421, EnhancedCode: smtp.EnhancedCode{4, 3, 2}, Message: "Service not available"})
	waiting, _ := r.dev.Scan(context.Background(), apitype.ScanRequest{To: to, Pages: 2}, nil)
	if waiting.State != apitype.JobQueued {
		t.Fatalf("first job %s: %s", waiting.State, waiting.Error)
	}
	before := spoolDigest(t, r, waiting.ID)
	st, err := r.dev.Status()
	if err != nil || st.Waiting != 1 || st.Spool.Documents != 1 || st.Spool.Bytes < 1<<20 || st.Spool.MaxBytes != 2<<20 {
		t.Errorf("status: %d waiting, spool %+v (%v); want the waiting document counted", st.Waiting, st.Spool, err)
	}

	job, err := r.dev.Scan(context.Background(), apitype.ScanRequest{To: to, Pages: 2}, nil)
	if err == nil || job.State != apitype.JobFailed || !strings.Contains(job.Error, "does not fit in the room left") {
		t.Fatalf("a document larger than the room left: %v, job %+v", err, job)
	}
	if _, err := os.Stat(spoolPath(r.dev.spoolDir, job.ID) + ".part"); !os.IsNotExist(err) {
		t.Errorf("the unfinished document was left behind: %v", err)
	}

	r.configure(map[string]string{"spool.max_mb": "1"})
	jobs, _ := r.dev.Jobs(100)
	_, err = r.dev.Scan(context.Background(), apitype.ScanRequest{To: to, Pages: 1}, nil)
	if summary, hint := Explain(err); !strings.Contains(summary, "storage for scans is full") || !strings.Contains(hint, "cancel those") || CodeOf(err) != apitype.CodeSpoolFull {
		t.Fatalf("no room: %q, %q", summary, hint)
	}
	if after, _ := r.dev.Jobs(100); len(after) != len(jobs) {
		t.Errorf("a refused scan made a job record")
	}
	if after := spoolDigest(t, r, waiting.ID); after != before {
		t.Error("the waiting document changed")
	}

	canceled, err := r.dev.CancelJob(waiting.ID)
	if err != nil || canceled.State != apitype.JobCanceled {
		t.Fatalf("cancel: %v, job %+v", err, canceled)
	}
	if _, err := os.Stat(spoolPath(r.dev.spoolDir, waiting.ID)); !os.IsNotExist(err) {
		t.Errorf("the canceled job's document is kept: %v", err)
	}
	if job, err := r.dev.Scan(context.Background(), apitype.ScanRequest{To: to, Pages: 1}, nil); err != nil || job.State != apitype.JobSent {
		t.Fatalf("after a cancel: %v, job %+v", err, job)
	}
	if n := len(r.mail.Messages()); n != 1 {
		t.Errorf("%d messages arrived, want only the last job's", n)
	}

	for _, tt := range []struct {
		id   uint64
		want string
	}{
		{waiting.ID, "has ended already"},
		{999, "There is no job 999"},
	} {
		_, err := r.dev.CancelJob(tt.id)
		if summary, _ := Explain(err); !strings.Contains(summary, tt.want) {
			t.Errorf("cancel %d: %q, want %q", tt.id, summary, tt.want)
		}
	}
}

// TestFailedJobKept: a failed job's document is kept for
// spool.keep_failed_days, so that it can be sent again once its cause is
// fixed, and removed after.
func TestFailedJobKept(t *testing.T) {
	t.Parallel()
	clock := &fakeClock{t: time.Now()}
	r := newRig(t, rigOptions{now: clock.Now, idp: idptest.Options{IgnoreInterval: true, Now: clock.Now}})
	r.signedIn(testUPN)
	refuse := func() apitype.Job {
		t.Helper()
		r.mail.FailNext("mail", &smtp.SMTPError{Code: 550, EnhancedCode: smtp.EnhancedCode{5, 7, 60}, Message: "Client does not have permissions to send as this sender"})
		job, _ := r.dev.Scan(context.Background(), apitype.ScanRequest{To: to, Pages: 1}, nil)
		if job.State != apitype.JobFailed {
			t.Fatalf("job %s, want failed", job.State)
		}
		return job
	}

	failed := refuse()
	clock.Add(6 * 24 * time.Hour)
	r.dev.purgeSpool(SpoolSettings{KeepFailedDays: 7})
	job, err := r.dev.ResendJob(failed.ID)
	if err != nil || job.State != apitype.JobQueued {
		t.Fatalf("resend after 6 days: %v, job %+v", err, job)
	}
	sent := waitJob(t, r, failed.ID, apitype.JobSent)
	if sent.MessageID != failed.MessageID || sent.Error != "" {
		t.Errorf("resent job %+v, want sent with Message-ID %s", sent, failed.MessageID)
	}

	failed = refuse()
	clock.Add(7*24*time.Hour + time.Minute)
	r.dev.purgeSpool(SpoolSettings{KeepFailedDays: 7})
	if _, err := r.dev.ResendJob(failed.ID); err == nil || !strings.Contains(err.Error(), "no longer kept") {
		t.Fatalf("resend after 7 days: %v", err)
	}
	if left, _ := os.ReadDir(r.dev.spoolDir); len(left) != 0 {
		t.Errorf("spool still holds %v", left)
	}
	if _, err := r.dev.ResendJob(sent.ID); err == nil {
		t.Error("a sent job was sent again")
	}
}

// spoolDigest is a digest of a job's spooled files.
func spoolDigest(t *testing.T, r *rig, id uint64) [32]byte {
	t.Helper()
	files, err := spoolFiles(spoolPath(r.dev.spoolDir, id))
	if err != nil {
		t.Fatal(err)
	}
	h := sha256.New()
	for _, f := range files {
		b, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		h.Write([]byte(filepath.Base(f)))
		h.Write(b)
	}
	return [32]byte(h.Sum(nil))
}

// TestSpoolEndlessPage: an engine that never ends a page fills neither
// the room for scans nor, when only the disk bounds it, more than a page
// can take. The job fails with words, its unfinished document is removed,
// and the document waiting is not touched.
func TestSpoolEndlessPage(t *testing.T) {
	t.Parallel()
	engine := &scansim.Simulator{EndlessPage: 2}
	for _, tt := range []struct {
		name    string
		scanner Scanner
		maxMB   string
		err     string
	}{
		{"over the link, room for scans", &linkScanner{engine: engine}, "2", "does not fit in the room left"},
		{"in process, room for scans", engine, "2", "does not fit in the room left"},
		{"in process, only the disk bounds the spool", engine, "-1", "did not end the page"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			r := newRig(t, rigOptions{idp: idptest.Options{IgnoreInterval: true}, scanner: tt.scanner})
			r.signedIn(testUPN)
			r.configure(map[string]string{"spool.max_mb": tt.maxMB, "scan.mode": "jpeg"})

			r.mail.FailNext("mail", &smtp.SMTPError{Code: 421, EnhancedCode: smtp.EnhancedCode{4, 3, 2}, Message: "Service not available"})
			waiting, _ := r.dev.Scan(context.Background(), apitype.ScanRequest{To: to, Pages: 1}, nil)
			if waiting.State != apitype.JobQueued {
				t.Fatalf("first job %s: %s", waiting.State, waiting.Error)
			}
			before := spoolDigest(t, r, waiting.ID)

			job, err := r.dev.Scan(context.Background(), apitype.ScanRequest{To: to, Pages: 3}, nil)
			if err == nil || job.State != apitype.JobFailed || !strings.Contains(job.Error, tt.err) || job.Hint == "" {
				t.Fatalf("a page without end: %v, job %s %q (hint %q); want failed with %q", err, job.State, job.Error, job.Hint, tt.err)
			}
			if _, err := os.Stat(spoolPath(r.dev.spoolDir, job.ID) + ".part"); !os.IsNotExist(err) {
				t.Errorf("the unfinished document was left behind: %v", err)
			}
			if after := spoolDigest(t, r, waiting.ID); after != before {
				t.Error("the waiting document changed")
			}
			if _, docs := spoolUsage(r.dev.spoolDir); docs != 1 {
				t.Errorf("%d documents in the spool, want the waiting one", docs)
			}
		})
	}
}
