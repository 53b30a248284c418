package device

import (
	"context"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/emersion/go-smtp"

	"scanmail/device/apitype"
)

// TestDirectSendExternalRecipientRefused: with direct send, a job to an
// address outside the accepted domains is refused before scanning and
// before any connection, in words that name the address and the
// domains; a job queued under another road fails for good at send time
// with the same words, and a resend is refused the same way.
func TestDirectSendExternalRecipientRefused(t *testing.T) {
	r := newRig(t, rigOptions{})
	r.configure(map[string]string{
		"device_address": testUPN, "mx.host": "localhost", "mx.port": strconv.Itoa(r.mail.Port()),
		"mx.ca_bundle": string(r.mail.CertPEM()),
	})
	r.configure(map[string]string{"road": apitype.RoadDirect})
	ctx := context.Background()
	const outsider = "x@gmail.com"

	_, err := r.dev.Scan(ctx, apitype.ScanRequest{To: []string{"alice@contoso.example", outsider}, Pages: 1}, nil)
	summary, hint := Explain(err)
	if CodeOf(err) != apitype.CodeExternalRecipient ||
		summary != "Direct send reaches only addresses in contoso.example: x@gmail.com is not one" ||
		!strings.Contains(hint, "connector") {
		t.Fatalf("scan: %v (%s) %q / %q", err, CodeOf(err), summary, hint)
	}
	if jobs, _ := r.dev.Jobs(10); len(jobs) != 0 {
		t.Errorf("a job was made: %+v", jobs)
	}
	if n := r.mail.Connections(); n != 0 {
		t.Errorf("the server saw %d connections", n)
	}

	// Queued under the sign-in road, sent after the switch to direct
	// send: fails for good, with the same words, still no connection.
	r.configure(map[string]string{"road": apitype.RoadOAuth})
	r.signedIn(testUPN)
	r.mail.FailNext("mail", &smtp.SMTPError{Code: 451, EnhancedCode: smtp.EnhancedCode{4, 3, 0}, Message: "try later"})
	job, _ := r.dev.Scan(ctx, apitype.ScanRequest{To: []string{outsider}, Pages: 1}, nil)
	if job.State != apitype.JobQueued {
		t.Fatalf("job %s, want queued for a retry", job.State)
	}
	r.configure(map[string]string{"road": apitype.RoadDirect})
	conns := r.mail.Connections()
	if _, err := r.store.UpdateJob(job.ID, func(j *apitype.Job) error { j.NextAttempt = time.Now(); return nil }); err != nil {
		t.Fatal(err)
	}
	r.dev.retryDue(ctx)
	job, _ = r.dev.Job(job.ID)
	if job.State != apitype.JobFailed || job.ErrorCode != apitype.CodeExternalRecipient || job.Error != summary || job.Hint != hint {
		t.Errorf("job %s %s %q / %q, want failed with the scan's words", job.State, job.ErrorCode, job.Error, job.Hint)
	}
	if n := r.mail.Connections(); n != conns {
		t.Errorf("%d connections at send time", n-conns)
	}
	_, err = r.dev.ResendJob(job.ID)
	if CodeOf(err) != apitype.CodeExternalRecipient {
		t.Errorf("resend: %v", err)
	}
	if job, _ = r.dev.Job(job.ID); job.State != apitype.JobFailed {
		t.Errorf("after the refused resend the job is %s", job.State)
	}
}
