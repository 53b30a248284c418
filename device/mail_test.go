package device

import (
	"context"
	"errors"
	"strings"
	"testing"

	"github.com/emersion/go-smtp"

	"scanmail/device/apitype"
	"scanmail/device/idptest"
)

var to = []string{"alice@fabrikam.example"}

// TestUPNRuleRefusesBeforeConnecting: a device address that is not the
// signed-in account stops the job before anything is scanned or sent, and
// the message names both addresses and the fix.
func TestUPNRuleRefusesBeforeConnecting(t *testing.T) {
	t.Parallel()
	r := newRig(t, rigOptions{idp: idptest.Options{IgnoreInterval: true}})
	r.signedIn(testUPN)
	r.configure(map[string]string{"device_address": "frontdesk@contoso.example"})

	_, err := r.dev.Scan(context.Background(), apitype.ScanRequest{To: to, Pages: 1}, nil)
	if !errors.Is(err, ErrAddressMismatch) {
		t.Fatalf("err %v, want ErrAddressMismatch", err)
	}
	summary, hint := Explain(err)
	for _, want := range []string{"frontdesk@contoso.example", testUPN} {
		if !strings.Contains(summary, want) {
			t.Errorf("message %q does not name %s", summary, want)
		}
	}
	if !strings.Contains(hint, "Set the device address to "+testUPN) || CodeOf(err) != apitype.CodeUPNMismatch {
		t.Errorf("hint %q (code %s) does not give the fix", hint, CodeOf(err))
	}
	if n := r.mail.Connections(); n != 0 {
		t.Errorf("%d connections to the SMTP server, want none", n)
	}
	if jobs, _ := r.store.Jobs(10); len(jobs) != 0 {
		t.Errorf("jobs were started: %+v", jobs)
	}
	st, _ := r.dev.Status()
	if st.Ready || !strings.Contains(st.Problem, testUPN) {
		t.Errorf("status ready %v problem %q", st.Ready, st.Problem)
	}
	cfg, _ := r.dev.Config()
	if !strings.Contains(cfg.Warning, testUPN) {
		t.Errorf("config warning %q", cfg.Warning)
	}

	// Setting it back to the UPN mends it.
	r.configure(map[string]string{"device_address": testUPN})
	if _, err := r.dev.Scan(context.Background(), apitype.ScanRequest{To: to, Pages: 1}, nil); err != nil {
		t.Fatalf("after the fix: %v", err)
	}
}

func TestScanRecipients(t *testing.T) {
	t.Parallel()
	r := newRig(t, rigOptions{idp: idptest.Options{IgnoreInterval: true}})
	r.signedIn(testUPN)
	for _, bad := range [][]string{nil, {""}, {"not an address"}} {
		if _, err := r.dev.Scan(context.Background(), apitype.ScanRequest{To: bad}, nil); err == nil {
			t.Errorf("%q accepted", bad)
		}
	}
	job, err := r.dev.Scan(context.Background(), apitype.ScanRequest{To: []string{"a@fabrikam.example, Bob <b@fabrikam.example>"}, Pages: 1}, nil)
	if err != nil || strings.Join(job.To, " ") != "a@fabrikam.example b@fabrikam.example" {
		t.Fatalf("job to %v, %v", job.To, err)
	}
}

// TestCloseDuringJob: shutting down stops a running job, records how it
// ended, and only then lets the store close.
func TestCloseDuringJob(t *testing.T) {
	t.Parallel()
	r := newRig(t, rigOptions{idp: idptest.Options{IgnoreInterval: true}})
	r.signedIn(testUPN)
	scanning := make(chan struct{})
	done := make(chan apitype.Job)
	go func() {
		var once bool
		job, _ := r.dev.Scan(context.Background(), apitype.ScanRequest{To: to, Pages: 50}, func(ev apitype.JobEvent) {
			if ev.Page == 1 && !once {
				once = true
				close(scanning)
			}
		})
		done <- job
	}()
	<-scanning
	r.dev.Close()
	job := <-done
	if job.State != apitype.JobFailed {
		t.Fatalf("job %+v, want failed", job)
	}
	jobs, err := r.store.Jobs(1)
	if err != nil || len(jobs) != 1 || jobs[0].State != apitype.JobFailed {
		t.Fatalf("stored job %+v %v", jobs, err)
	}
	if _, err := r.dev.Scan(context.Background(), apitype.ScanRequest{To: to, Pages: 1}, nil); !errors.Is(err, ErrClosed) {
		t.Fatalf("scan after Close: %v, want ErrClosed", err)
	}
	if n := len(r.mail.Messages()); n != 0 {
		t.Fatalf("%d messages sent", n)
	}
}

// TestSomeRecipientsRefused: one unknown address does not keep the scan
// from the others; the job is sent and names the refused one.
func TestSomeRecipientsRefused(t *testing.T) {
	t.Parallel()
	r := newRig(t, rigOptions{idp: idptest.Options{IgnoreInterval: true}})
	r.signedIn(testUPN)
	r.mail.FailNext("rcpt", nil)
	r.mail.FailNext("rcpt", &smtp.SMTPError{Code: 550, EnhancedCode: smtp.EnhancedCode{5, 1, 1}, Message: "User unknown"})
	job, err := r.dev.Scan(context.Background(), apitype.ScanRequest{To: []string{"a@fabrikam.example", "nobody@fabrikam.example"}, Pages: 1}, nil)
	if job.State != apitype.JobSent || !strings.Contains(job.Error, "nobody@fabrikam.example") || job.Hint == "" {
		t.Fatalf("job %+v (%v), want sent with the refused address named", job, err)
	}
	msgs := r.mail.Messages()
	if len(msgs) != 1 || strings.Join(msgs[0].To, ",") != "a@fabrikam.example" {
		t.Fatalf("received %+v", msgs)
	}
	stored, _, _ := r.store.Job(job.ID)
	if stored.State != apitype.JobSent || stored.Error == "" {
		t.Errorf("stored job %+v", stored)
	}
}

// TestTooLargeRefused: with splitting turned off, a document over the
// provider's message size is refused before connecting, with what to do
// about it.
func TestTooLargeRefused(t *testing.T) {
	t.Parallel()
	r := newRig(t, rigOptions{idp: idptest.Options{IgnoreInterval: true}})
	r.signedIn(testUPN)
	r.configure(map[string]string{"limits.max_message_mb": "1", "limits.oversize": "refuse"})
	job, err := r.dev.Scan(context.Background(), apitype.ScanRequest{To: to, Pages: 3}, nil)
	if err == nil || job.State != apitype.JobFailed || !strings.Contains(job.Error, "too large") || !strings.Contains(job.Hint, "fewer pages") {
		t.Fatalf("job %+v (%v), want refused as too large", job, err)
	}
	if n := r.mail.Connections(); n != 0 {
		t.Errorf("%d connections for a message over the limit", n)
	}
	// The same scan goes when it fits.
	r.configure(map[string]string{"limits.max_message_mb": "0"})
	if _, err := r.dev.Scan(context.Background(), apitype.ScanRequest{To: to, Pages: 3}, nil); err != nil {
		t.Fatalf("within the limit: %v", err)
	}
}
