package device

import (
	"context"
	"errors"
	"io"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/emersion/go-smtp"

	"scanmail/device/apitype"
	"scanmail/device/idptest"
	"scanmail/scan"
	"scanmail/scan/scansim"
)

// TestRetryTransient: a 4xx queues the job for later, with the operator
// told so; when its time comes it goes, with the same Message-ID. A 5xx
// fails it at once.
func TestRetryTransient(t *testing.T) {
	t.Parallel()
	clock := &fakeClock{t: time.Now()}
	r := newRig(t, rigOptions{now: clock.Now, idp: idptest.Options{IgnoreInterval: true, Now: clock.Now}})
	r.signedIn(testUPN)

	r.mail.FailNext("mail", &smtp.SMTPError{Code: 421, EnhancedCode: smtp.EnhancedCode{4, 3, 2}, Message: "Service not available"})
	job, err := r.dev.Scan(context.Background(), apitype.ScanRequest{To: to, Pages: 1}, nil)
	if err == nil || job.State != apitype.JobQueued || job.Attempts != 1 || !strings.Contains(job.Hint, "tries again") {
		t.Fatalf("after a 421: %v, job %+v", err, job)
	}
	wait := job.NextAttempt.Sub(clock.Now())
	if wait < 45*time.Second || wait > time.Minute {
		t.Errorf("next attempt in %v, want about a minute", wait)
	}
	// Not before its time...
	r.dev.retryDue(context.Background())
	if n := len(r.mail.Messages()); n != 0 {
		t.Fatalf("%d messages before the retry time", n)
	}
	// ...and then by itself.
	clock.Add(time.Minute)
	r.dev.retryDue(context.Background())
	sent := waitJob(t, r, job.ID, apitype.JobSent)
	if sent.MessageID != job.MessageID || sent.Attempts != 2 {
		t.Fatalf("sent job %+v, want attempt 2 with Message-ID %s", sent, job.MessageID)
	}
	if msgs := r.mail.Messages(); len(msgs) != 1 || !strings.Contains(string(msgs[0].Data), job.MessageID) {
		t.Fatalf("messages %d", len(msgs))
	}

	r.mail.FailNext("rcpt", &smtp.SMTPError{Code: 550, EnhancedCode: smtp.EnhancedCode{5, 1, 1}, Message: "User unknown"})
	job, _ = r.dev.Scan(context.Background(), apitype.ScanRequest{To: to, Pages: 1}, nil)
	if job.State != apitype.JobFailed || job.Attempts != 1 {
		t.Fatalf("after a 550: job %+v, want failed at once", job)
	}
}

// TestRetryWindow: a job that keeps failing for passing reasons gives up
// after the retry window and says so.
func TestRetryWindow(t *testing.T) {
	t.Parallel()
	clock := &fakeClock{t: time.Now()}
	r := newRig(t, rigOptions{now: clock.Now, idp: idptest.Options{IgnoreInterval: true, Now: clock.Now}})
	r.signedIn(testUPN)
	busy := &smtp.SMTPError{Code: 451, EnhancedCode: smtp.EnhancedCode{4, 7, 500}, Message: "Server busy"}
	// The server stays busy past the window, for the attempts made here
	// and for any the outbox makes by itself as the clock moves.
	for range 200 {
		r.mail.FailNext("mail", busy)
	}
	job, _ := r.dev.Scan(context.Background(), apitype.ScanRequest{To: to, Pages: 1}, nil)
	for i := 0; job.State != apitype.JobFailed && i < 100; i++ {
		clock.Add(time.Hour)
		r.dev.retryDue(context.Background())
		job, _, _ = r.store.Job(job.ID)
	}
	if job.State != apitype.JobFailed || job.Finished.Sub(job.Created) < retryWindow {
		t.Fatalf("job %+v, want failed after %v", job, retryWindow)
	}

	// A shorter window set by the admin.
	r.configure(map[string]string{"retry.window_hours": "2"})
	job, _ = r.dev.Scan(context.Background(), apitype.ScanRequest{To: to, Pages: 1}, nil)
	for i := 0; job.State != apitype.JobFailed && i < 100; i++ {
		clock.Add(time.Hour)
		r.dev.retryDue(context.Background())
		job, _, _ = r.store.Job(job.ID)
	}
	if took := job.Finished.Sub(job.Created); job.State != apitype.JobFailed || took < 2*time.Hour || took > 4*time.Hour {
		t.Fatalf("job %s after %v, want failed after about 2h", job.State, took)
	}
}

// TestResumeAfterPowerCut: jobs cut off by a power cut are found at the
// next start: one being sent goes again with its Message-ID, one being
// scanned fails with the reason and its half-written spool is removed, and
// one whose document was stored whole before it was queued goes.
func TestResumeAfterPowerCut(t *testing.T) {
	t.Parallel()
	r := newRig(t, rigOptions{idp: idptest.Options{IgnoreInterval: true}})
	r.signedIn(testUPN)
	job, err := r.dev.Scan(context.Background(), apitype.ScanRequest{To: to, Pages: 1}, nil)
	if err != nil {
		t.Fatal(err)
	}
	// Leave the state as a power cut during DATA and one during a scan
	// would: the records, a spool directory and a half-written one.
	r.close()
	st, err := OpenStore(r.dbPath)
	if err != nil {
		t.Fatal(err)
	}
	spool := r.dbPath[:len(r.dbPath)-len("scanmail.db")] + "spool"
	cut := job
	cut.State, cut.Finished = apitype.JobSending, time.Time{}
	st.PutJob(cut)
	if err := os.MkdirAll(spoolPath(spool, cut.ID), 0o700); err != nil {
		t.Fatal(err)
	}
	os.WriteFile(spoolPath(spool, cut.ID)+"/scan.pdf", []byte("%PDF-1.4 stand-in"), 0o600)
	scanning, _ := st.NewJob(apitype.Job{Created: time.Now(), To: to, State: apitype.JobScanning})
	os.MkdirAll(spoolPath(spool, scanning.ID)+".part", 0o700)
	// Cut off after its document was stored whole, before it was queued.
	stored, _ := st.NewJob(apitype.Job{Created: time.Now(), To: to, State: apitype.JobScanning})
	storeDocument(t, spoolPath(spool, stored.ID), 2)
	// The same for a compact PDF, whose file is a .pdf too.
	compact, _ := st.NewJob(apitype.Job{Created: time.Now(), To: to, State: apitype.JobScanning, Format: "pdf-compact"})
	storeDocumentAs(t, spoolPath(spool, compact.ID), 2, scan.FormatPDFCompact)
	st.Close()

	r.open()
	sent := waitJob(t, r, cut.ID, apitype.JobSent)
	if sent.MessageID != job.MessageID {
		t.Errorf("resent with Message-ID %s, want %s", sent.MessageID, job.MessageID)
	}
	failed, _, _ := r.store.Job(scanning.ID)
	if failed.State != apitype.JobFailed || !strings.Contains(failed.Hint, "Scan the document again") {
		t.Errorf("interrupted scan: %+v", failed)
	}
	if _, err := os.Stat(spoolPath(spool, scanning.ID) + ".part"); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("half-written spool left: %v", err)
	}
	queued := waitJob(t, r, stored.ID, apitype.JobSent)
	if queued.Pages != 2 || queued.Format != "pdf" || queued.Size == 0 || queued.MessageID == "" {
		t.Errorf("stored document's job sent as %+v", queued)
	}
	if c := waitJob(t, r, compact.ID, apitype.JobSent); c.Pages != 2 || c.Format != "pdf-compact" {
		t.Errorf("stored compact document's job sent as %+v, want format pdf-compact", c)
	}
	// The two resumed jobs go in either order: count by Message-ID.
	byID := map[string]int{}
	for _, m := range r.mail.Messages() {
		for _, id := range []string{job.MessageID, queued.MessageID} {
			if strings.Contains(string(m.Data), id) {
				byID[id]++
			}
		}
	}
	if byID[job.MessageID] != 2 || byID[queued.MessageID] != 1 || len(r.mail.Messages()) != 4 {
		t.Errorf("%d messages, %d with the first job's Message-ID (want 2: the duplicate carries the same one), %d with the stored document's (want 1)",
			len(r.mail.Messages()), byID[job.MessageID], byID[queued.MessageID])
	}
}

// storeDocument writes a simulated document of pages pages into dir, as a
// finished scan leaves it in the spool.
func storeDocument(t *testing.T, dir string, pages int) {
	t.Helper()
	storeDocumentAs(t, dir, pages, scan.FormatPDF)
}

// storeDocumentAs is storeDocument in format.
func storeDocumentAs(t *testing.T, dir string, pages int, format scan.Format) {
	t.Helper()
	if err := os.MkdirAll(dir, 0o700); err != nil {
		t.Fatal(err)
	}
	src, err := (&scansim.Scanner{}).Scan(t.Context(), scan.Options{Mode: scan.ModeGray8, DPI: 100, Pages: pages})
	if err != nil {
		t.Fatal(err)
	}
	defer src.Close()
	doc, err := scan.CreateDocument(dir, scan.DocumentOptions{Format: format, Name: "scan"})
	if err != nil {
		t.Fatal(err)
	}
	for {
		pg, err := src.NextPage(t.Context())
		if errors.Is(err, io.EOF) {
			break
		}
		if err == nil {
			err = doc.WritePage(t.Context(), pg)
		}
		if err != nil {
			t.Fatal(err)
		}
	}
	if err := doc.Close(); err != nil {
		t.Fatal(err)
	}
}
