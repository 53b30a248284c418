package device

import (
	"bytes"
	"context"
	"errors"
	"io"
	"strings"
	"testing"

	"github.com/emersion/go-message/mail"

	"scanmail/device/apitype"
	"scanmail/scan/filecheck"
)

// TestScanToEmail is the whole slice: a device-code sign-in that is kept
// waiting (pending, slow_down, pending), then a scan mailed over STARTTLS
// and XOAUTH2 as the signed-in account.
func TestScanToEmail(t *testing.T) {
	t.Parallel()
	r := newRig(t, rigOptions{})
	r.idp.ScriptPolls("authorization_pending", "slow_down", "authorization_pending")
	r.idp.AutoApprove(testUPN)
	// The mailbox's email differs from its UPN; the device must not use it.
	r.idp.SetEmail(testUPN, "front-desk@contoso.example")

	st := r.signIn()
	if st.State != apitype.SignInDone || st.UPN != testUPN {
		t.Fatalf("sign-in ended %+v, want signed in as %s", st, testUPN)
	}
	if got := r.idp.Polls(); got != 4 {
		t.Errorf("token polls = %d, want 4 (pending, slow_down, pending, tokens)", got)
	}
	status, err := r.dev.Status()
	if err != nil {
		t.Fatal(err)
	}
	if status.DeviceAddress != testUPN || !status.Ready {
		t.Fatalf("after sign-in: device address %q ready %v (%s)", status.DeviceAddress, status.Ready, status.Problem)
	}

	var events []apitype.JobEvent
	to := []string{"alice@fabrikam.example", "bob@fabrikam.example"}
	job, err := r.dev.Scan(context.Background(), apitype.ScanRequest{To: to, Pages: 3}, func(ev apitype.JobEvent) {
		events = append(events, ev)
	})
	if err != nil {
		t.Fatalf("Scan: %v", err)
	}
	if job.State != apitype.JobSent || job.Pages != 3 {
		t.Fatalf("job = %+v", job)
	}
	if last := events[len(events)-1]; last.Job.State != apitype.JobSent {
		t.Errorf("last event %+v, want sent", last)
	}

	msgs := r.mail.Messages()
	if len(msgs) != 1 {
		t.Fatalf("server received %d messages, want 1", len(msgs))
	}
	got := msgs[0]
	if got.From != testUPN || got.User != testUPN || !got.TLS {
		t.Errorf("MAIL FROM %q, AUTH user %q, TLS %v; want %s over TLS", got.From, got.User, got.TLS, testUPN)
	}
	if strings.Join(got.To, ",") != strings.Join(to, ",") {
		t.Errorf("RCPT TO %v, want %v", got.To, to)
	}
	pdf := checkMessage(t, got.Data, job.MessageID)
	filecheck.PDF(t, pdf, 3)
	r.noSecrets()
	checkSMTPLog(t, r, job, "AUTH XOAUTH2 [redacted]", "MAIL FROM:<"+testUPN+">", "QUIT")
	if n, err := r.store.Jobs(10); err != nil || len(n) != 1 || n[0].State != apitype.JobSent {
		t.Errorf("job records %+v, %v", n, err)
	}
}

// checkMessage parses a received message and returns its PDF attachment.
func checkMessage(t *testing.T, data []byte, messageID string) []byte {
	t.Helper()
	mr, err := mail.CreateReader(bytes.NewReader(data))
	if err != nil {
		t.Fatalf("message does not parse: %v", err)
	}
	from, err := mr.Header.AddressList("From")
	if err != nil || len(from) != 1 || from[0].Address != testUPN {
		t.Errorf("From: %v (%v), want %s", from, err, testUPN)
	}
	if id, _ := mr.Header.MessageID(); id != messageID {
		t.Errorf("Message-ID %q, want %q", id, messageID)
	}
	if _, err := mr.Header.Date(); err != nil {
		t.Errorf("Date: %v", err)
	}
	var pdf []byte
	var text bool
	for {
		p, err := mr.NextPart()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			t.Fatal(err)
		}
		switch h := p.Header.(type) {
		case *mail.InlineHeader:
			body, _ := io.ReadAll(p.Body)
			text = strings.Contains(string(body), "3 page(s)")
		case *mail.AttachmentHeader:
			if ct, _, _ := h.ContentType(); ct != "application/pdf" {
				t.Errorf("attachment type %q", ct)
			}
			pdf, _ = io.ReadAll(p.Body)
		}
	}
	if !text {
		t.Error("no text part saying 3 page(s)")
	}
	if pdf == nil {
		t.Fatal("no PDF attachment")
	}
	return pdf
}

// checkSMTPLog wants the job's stored SMTP log to hold each of want, and
// never a token.
func checkSMTPLog(t *testing.T, r *rig, job apitype.Job, want ...string) {
	t.Helper()
	jobs, err := r.store.Jobs(100)
	if err != nil {
		t.Fatal(err)
	}
	var stored *apitype.Job
	for i := range jobs {
		if jobs[i].ID == job.ID {
			stored = &jobs[i]
		}
	}
	if stored == nil {
		t.Fatalf("job %d not stored", job.ID)
	}
	log := strings.Join(stored.SMTPLog, "\n")
	for _, w := range want {
		if !strings.Contains(log, w) {
			t.Errorf("SMTP log lacks %q:\n%s", w, log)
		}
	}
	acct, _, _ := r.store.Account()
	for _, secret := range []string{acct.Token.AccessToken, acct.Token.RefreshToken} {
		if secret != "" && strings.Contains(log, secret) {
			t.Error("a token is in the SMTP log")
		}
	}
}
