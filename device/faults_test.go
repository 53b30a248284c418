package device

import (
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"net"
	"net/http"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/emersion/go-smtp"

	"scanmail/device/apitype"
	"scanmail/device/idptest"
	"scanmail/mailer/smtptest"
)

// What the outbox does about a fault.
const (
	actRetry   = "retry"   // queued with a back-off; sent once the fault is gone, with the same Message-ID
	actFail    = "fail"    // failed at once and never tried again
	actPaused  = "paused"  // queued without a time, spending no attempt, until an admin signs in
	actPartial = "partial" // sent, naming the recipient refused
	actSplit   = "split"   // sent in numbered parts, each a message of its own
)

// stallTimeout is the device's SMTP timeout in the rows where the server
// stalls: it bounds each step, so a stall costs the test this long.
const stallTimeout = 2 * time.Second

// faultRow is one fault and what the device must make of it.
type faultRow struct {
	name string

	// The fault: a server set up so (smtp), a scripted answer (reply at
	// step), or anything else done before the scan (fault).
	smtp        smtptest.Options
	step        string
	reply       *smtp.SMTPError
	fault       func(r *rig, clock *fakeClock)
	heal        func(r *rig)  // ends a fault that does not go by itself
	to          []string      // nil means one recipient
	smtpTimeout time.Duration // the device's SMTP timeout, for a stalling server
	pages       int           // pages scanned; 0 means 1

	action string
	answer string // the server's answer as "code x.y.z", where not in reply
	err    string // part of job.Error: the catalogue's summary, or what it names
	hint   string // part of job.Hint: the admin's fix
	log    string // part of the stored SMTP log, where the server did not answer
	noAuth bool   // no AUTH may reach the server: TLS was never set up
}

// wantAnswer is the server's answer the job must keep, or "".
func (tt faultRow) wantAnswer() string {
	if tt.answer == "" && tt.reply != nil {
		return answerCode(tt.reply)
	}
	return tt.answer
}

func answerCode(se *smtp.SMTPError) string {
	c := se.EnhancedCode
	return fmt.Sprintf("%d %d.%d.%d", se.Code, c[0], c[1], c[2])
}

func smtpReply(code int, enh smtp.EnhancedCode, msg string) *smtp.SMTPError {
	return &smtp.SMTPError{Code: code, EnhancedCode: enh, Message: msg}
}

// TestFaultMatrix drives a real scan through the outbox against a real
// SMTP server that answers with each of Exchange Online's refusals, or
// drops the connection, stalls, or fails TLS: each row checks the action
// (retry, fail, pause or partial delivery), the operator's message and the
// admin's hint, and that the SMTP log keeps the server's answer.
func TestFaultMatrix(t *testing.T) {
	t.Parallel()
	tests := []faultRow{
		// Exchange Online's refusals (EXCHANGE.md, error catalogue).
		{name: "smtp auth disabled", step: "auth",
			reply:  smtpReply(535, smtp.EnhancedCode{5, 7, 139}, "Authentication unsuccessful, SmtpClientAuthentication is disabled for the Tenant. Visit https://aka.ms/smtp_auth_disabled for more information."),
			action: actFail, err: "SMTP sign-in (SMTP AUTH) is turned off", hint: "Set-CASMailbox"},
		// Rejected once, the token is renewed and the message goes
		// (TestRejectedTokenRenewed); rejected with the new one too, the
		// job fails.
		{name: "token rejected", step: "auth",
			reply: smtpReply(535, smtp.EnhancedCode{5, 7, 3}, "Authentication unsuccessful [SN4PR0601CA0002.namprd06.prod.outlook.com]"),
			fault: func(r *rig, _ *fakeClock) {
				r.mail.FailNext("auth", smtpReply(535, smtp.EnhancedCode{5, 7, 3}, "Authentication unsuccessful [SN4PR0601CA0002.namprd06.prod.outlook.com]"))
			},
			action: actFail, err: "Sign-in rejected by the mail server", hint: "SMTP.Send"},
		{name: "send as", step: "mail",
			reply:  smtpReply(550, smtp.EnhancedCode{5, 7, 60}, "SMTP; Client does not have permissions to send as this sender"),
			action: actFail, err: "may not send from the device's sender address", hint: "Send As"},
		{name: "not authenticated 530", step: "mail",
			reply:  smtpReply(530, smtp.EnhancedCode{5, 7, 57}, "Client not authenticated to send mail"),
			action: actFail, err: "not signed in to the mail server", hint: "Sign the device in"},
		{name: "not authenticated 550", step: "mail",
			reply:  smtpReply(550, smtp.EnhancedCode{5, 7, 57}, "Client not authenticated to send mail"),
			action: actFail, err: "not signed in to the mail server", hint: "Sign the device in"},
		// A 4xx, so retried, although the device never speaks TLS 1.1:
		// the hint asks for it to be reported.
		{name: "tls too old", step: "auth",
			reply:  smtpReply(421, smtp.EnhancedCode{4, 7, 66}, "TLS 1.0 and 1.1 are not supported. Please upgrade/update your client to support TLS 1.2."),
			action: actRetry, err: "refused the TLS version", hint: "Report this message"},
		{name: "basic auth retired", step: "auth",
			reply:  smtpReply(550, smtp.EnhancedCode{5, 7, 30}, "Basic authentication is not supported for Client Submission."),
			action: actFail, err: "no longer accepts password sign-in", hint: "OAuth"},
		{name: "direct send refused", step: "data",
			reply:  smtpReply(550, smtp.EnhancedCode{5, 7, 68}, "TenantInboundAttribution; Direct Send not allowed for this organization from unauthorized sources"),
			action: actFail, err: "does not accept direct send", hint: "connector"},
		{name: "relay denied", step: "rcpt",
			reply:  smtpReply(550, smtp.EnhancedCode{5, 7, 64}, "TenantAttribution; Relay Access Denied"),
			action: actFail, err: "refused to relay", hint: "Update the connector"},
		{name: "one recipient unknown, the other gets it", to: []string{"alice@fabrikam.example", "nobody@fabrikam.example"},
			fault: func(r *rig, _ *fakeClock) {
				r.mail.FailNext("rcpt", nil)
				r.mail.FailNext("rcpt", smtpReply(550, smtp.EnhancedCode{5, 1, 1}, "5.1.1 RESOLVER.ADR.RecipNotFound; not found"))
			},
			action: actPartial, answer: "550 5.1.1", err: "nobody@fabrikam.example", hint: "spelling"},
		{name: "the only recipient unknown", step: "rcpt",
			reply:  smtpReply(550, smtp.EnhancedCode{5, 1, 10}, "RESOLVER.ADR.RecipientNotFound; Recipient not found by SMTP address lookup"),
			action: actFail, err: "Recipient address rejected", hint: "spelling"},
		{name: "server busy", step: "mail",
			reply:  smtpReply(451, smtp.EnhancedCode{4, 7, 500}, "Server busy. Please try again later"),
			action: actRetry, err: "busy; scan again", hint: "Nothing to do"},
		{name: "recipient deferred", step: "rcpt",
			reply:  smtpReply(452, smtp.EnhancedCode{4, 3, 1}, "Insufficient system resources"),
			action: actRetry, err: "busy; scan again", hint: "Nothing to do"},
		{name: "socket error after the message", step: "data",
			reply:  smtpReply(421, smtp.EnhancedCode{4, 4, 2}, "Connection dropped due to SocketError"),
			action: actRetry, err: "busy; scan again", hint: "Nothing to do"},
		{name: "too many connections at the greeting", step: "connect",
			reply:  smtpReply(421, smtp.EnhancedCode{4, 3, 2}, "Concurrent connections limit exceeded. Visit https://aka.ms/concurrent_sending for more information."),
			action: actRetry, err: "Too many connections", hint: "Other devices"},
		{name: "sender thread limit", step: "data",
			reply:  smtpReply(432, smtp.EnhancedCode{4, 3, 2}, "STOREDRV.ClientSubmit; sender thread limit exceeded"),
			action: actRetry, err: "Too many connections", hint: "Other devices"},
		{name: "daily quota", step: "data",
			reply:  smtpReply(554, smtp.EnhancedCode{5, 2, 0}, "STOREDRV.Submission.Exception:SubmissionQuotaExceededException; Failed to process message due to a permanent exception with message Message submission quota exceeded."),
			action: actFail, err: "mailbox refused to send the message", hint: "10,000 recipients"},

		// Too large: the document goes in parts, by whole pages; a page
		// too large on its own fails.
		{name: "too large 552", step: "data", pages: 3,
			reply:  smtpReply(552, smtp.EnhancedCode{5, 3, 4}, "Message size exceeds fixed maximum message size"),
			action: actSplit},
		{name: "too large 5.2.0 mapi", step: "data", pages: 3,
			reply:  smtpReply(554, smtp.EnhancedCode{5, 2, 0}, "STOREDRV.Submission.Exception:MapiExceptionMaxSubmissionExceeded; Failed to process message due to a permanent exception"),
			action: actSplit},
		{name: "too large 5.2.0 size exceeded", step: "data", pages: 3,
			reply:  smtpReply(554, smtp.EnhancedCode{5, 2, 0}, "STOREDRV.Submission.Exception:MessageSizeExceededException; Failed to process message due to a permanent exception"),
			action: actSplit},
		{name: "a page over the mailbox's size limit", smtp: smtptest.Options{MailboxLimit: 4 << 10}, pages: 2,
			action: actFail, answer: "552 5.3.4", err: "Page 1 alone is too large", hint: "lower resolution"},
		{name: "a page over the server's advertised SIZE", smtp: smtptest.Options{MaxMessageBytes: 4 << 10}, pages: 2,
			action: actFail, err: "Page 1 alone is too large", hint: "lower resolution", log: "S: 250-SIZE 4096"},

		// The network.
		{name: "dropped mid-DATA", fault: func(r *rig, _ *fakeClock) { r.mail.DropNext("data") },
			action: actRetry, err: "connection to the mail server was lost", hint: "Check the network connection", log: "S: 354"},
		{name: "dropped instead of answering MAIL", fault: func(r *rig, _ *fakeClock) { r.mail.DropNext("mail") },
			action: actRetry, err: "connection to the mail server was lost", hint: "Check the network connection", log: "C: MAIL FROM:<" + testUPN + ">"},
		{name: "dropped before the greeting", fault: func(r *rig, _ *fakeClock) { r.mail.DropNext("connect") },
			action: actRetry, err: "connection to the mail server was lost", hint: "Check the network connection"},
		{name: "stalls before the greeting", fault: func(r *rig, _ *fakeClock) { r.mail.StallNext("connect") }, smtpTimeout: stallTimeout,
			action: actRetry, err: "did not answer in time", hint: "port 587"},
		{name: "stalls after the message", fault: func(r *rig, _ *fakeClock) { r.mail.StallNext("data") }, smtpTimeout: stallTimeout,
			action: actRetry, err: "did not answer in time", hint: "port 587", log: "[message body:"},
		{name: "connection refused", fault: func(r *rig, _ *fakeClock) { r.configure(map[string]string{"custom.smtp_port": closedPort(r.t)}) },
			heal:   func(r *rig) { r.configure(map[string]string{"custom.smtp_port": strconv.Itoa(r.mail.Port())}) },
			action: actRetry, err: "refused the connection", hint: "firewall"},

		// TLS.
		{name: "no STARTTLS", smtp: smtptest.Options{NoStartTLS: true},
			action: actFail, err: "does not offer encryption (STARTTLS)", hint: "never sends its sign-in over an unencrypted connection", log: "C: EHLO", noAuth: true},
		// A failed handshake is tried again: the board's clock, a proxy
		// or the server may be set right meanwhile.
		{name: "server speaks only TLS 1.1", smtp: smtptest.Options{MaxTLSVersion: tls.VersionTLS11}, heal: fixedServer,
			action: actRetry, err: "Could not set up encryption", hint: "TLS 1.2 or newer", log: "S: 220 2.0.0 Ready to start TLS", noAuth: true},
		{name: "expired certificate", smtp: smtptest.Options{ExpiredCertificate: true}, heal: fixedServer,
			action: actRetry, err: "certificate is not valid at the device's current time", hint: "date and time", log: "S: 220 2.0.0 Ready to start TLS", noAuth: true},
		// The device reaches a server whose certificate its CA bundle
		// does not vouch for (a changed bundle would end the sign-in).
		{name: "untrusted certificate", fault: func(r *rig, _ *fakeClock) {
			other, err := smtptest.Start(smtptest.Options{})
			if err != nil {
				r.t.Fatal(err)
			}
			r.t.Cleanup(func() { other.Close() })
			r.configure(map[string]string{"custom.smtp_port": strconv.Itoa(other.Port())})
		},
			heal:   func(r *rig) { r.configure(map[string]string{"custom.smtp_port": strconv.Itoa(r.mail.Port())}) },
			action: actRetry, err: "certificate is not trusted", hint: "inspects TLS", log: "S: 220 2.0.0 Ready to start TLS", noAuth: true},

		// The token endpoint, when a refresh is due: its outage is
		// tried again and never taken for a refusal.
		{name: "token endpoint unreachable", fault: func(r *rig, clock *fakeClock) {
			r.idpDown.Store(true)
			clock.Add(2 * time.Hour)
		},
			heal:   func(r *rig) { r.idpDown.Store(false) },
			action: actRetry, err: "Cannot reach the sign-in service", hint: "Check the network connection"},
		{name: "token endpoint answers 503", fault: func(r *rig, clock *fakeClock) {
			r.idp.ScriptRefresh(idptest.RefreshAnswer{Status: http.StatusServiceUnavailable})
			clock.Add(2 * time.Hour)
		},
			action: actRetry, err: "sign-in service is unavailable (HTTP 503)", hint: "usually brief"},

		// The sign-in, found ended when the job is sent.
		{name: "sign-in revoked", fault: func(r *rig, clock *fakeClock) {
			r.idp.Revoke(testUPN)
			clock.Add(2 * time.Hour) // the access token has expired: a refresh is due
		},
			heal:   func(r *rig) { r.signedIn(testUPN) },
			action: actPaused, err: "no longer valid", hint: "Sign in again"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			testFault(t, tt)
		})
	}
}

func testFault(t *testing.T, tt faultRow) {
	ctx := context.Background()
	clock := &fakeClock{t: time.Now()}
	r := newRig(t, rigOptions{
		now:         clock.Now,
		idp:         idptest.Options{IgnoreInterval: true, Now: clock.Now},
		smtp:        tt.smtp,
		smtpTimeout: tt.smtpTimeout,
	})
	r.signedIn(testUPN)
	if tt.reply != nil {
		r.mail.FailNext(tt.step, tt.reply)
	}
	if tt.fault != nil {
		tt.fault(r, clock)
	}
	to := tt.to
	if to == nil {
		to = []string{"alice@fabrikam.example"}
	}
	pages := max(tt.pages, 1)
	job, err := r.dev.Scan(ctx, apitype.ScanRequest{To: to, Pages: pages}, nil)

	// What the operator and the admin are told.
	if !strings.Contains(job.Error, tt.err) || !strings.Contains(job.Hint, tt.hint) {
		t.Errorf("job error %q\nhint %q\nwant error with %q, hint with %q", job.Error, job.Hint, tt.err, tt.hint)
	}
	if answer := tt.wantAnswer(); answer != "" && tt.action != actSplit {
		if !strings.Contains(job.Error, "server answered "+answer) {
			t.Errorf("job error %q does not give the server's answer %s", job.Error, answer)
		}
		var se *smtp.SMTPError
		if tt.action != actPartial && (!errors.As(err, &se) || answerCode(se) != answer) {
			t.Errorf("err %v, want the server's answer %s kept", err, answer)
		}
		checkSMTPLog(t, r, job, "S: "+answer)
	}
	if tt.log != "" {
		checkSMTPLog(t, r, job, tt.log)
	}
	if tt.noAuth && r.mail.AuthAttempts() != 0 {
		t.Errorf("%d AUTH commands reached the server without TLS", r.mail.AuthAttempts())
	}

	// What the outbox does.
	conns := r.mail.Connections()
	switch tt.action {
	case actRetry:
		if job.State != apitype.JobQueued || job.Attempts != 1 || !job.NextAttempt.After(clock.Now()) || !strings.Contains(job.Hint, "tries again") {
			t.Fatalf("job %s, attempts %d, next attempt in %v, hint %q (%v); want queued for a retry after attempt 1",
				job.State, job.Attempts, job.NextAttempt.Sub(clock.Now()), job.Hint, err)
		}
		r.dev.retryDue(ctx)
		if n := r.mail.Connections(); n != conns {
			t.Errorf("tried again before its time")
		}
	case actPaused:
		if job.State != apitype.JobQueued || job.Attempts != 0 || !job.NextAttempt.IsZero() || !strings.Contains(job.Hint, "sent by itself once this is fixed") {
			t.Fatalf("job %s, attempts %d, next attempt %v, hint %q (%v); want paused, no attempt spent",
				job.State, job.Attempts, job.NextAttempt, job.Hint, err)
		}
		clock.Add(retryMost)
		r.dev.retryDue(ctx)
		if n := r.mail.Connections(); n != conns {
			t.Errorf("tried again before the sign-in")
		}
	case actFail:
		if job.State != apitype.JobFailed || job.Attempts != 1 || job.Finished.IsZero() || err == nil {
			t.Fatalf("job %s, attempts %d (%v); want failed at the first attempt", job.State, job.Attempts, err)
		}
		clock.Add(retryWindow)
		r.dev.retryDue(ctx)
		stored, _, _ := r.store.Job(job.ID)
		if stored.State != apitype.JobFailed || r.mail.Connections() != conns {
			t.Errorf("a failed job was tried again: %s, %d connections, want %d", stored.State, r.mail.Connections(), conns)
		}
		if n := len(r.mail.Messages()); n != 0 {
			t.Errorf("%d messages received", n)
		}
	case actPartial:
		if job.State != apitype.JobSent || err != nil {
			t.Fatalf("job %s (%v), want sent", job.State, err)
		}
		msgs := r.mail.Messages()
		if len(msgs) != 1 || strings.Join(msgs[0].To, ",") != to[0] {
			t.Fatalf("received %+v, want one message to %s", msgs, to[0])
		}
	case actSplit:
		if job.State != apitype.JobSent || err != nil || len(job.Parts) < 2 {
			t.Fatalf("job %s in %d part(s) (%v), want sent in parts", job.State, len(job.Parts), err)
		}
		if n := len(r.mail.Messages()); n != len(job.Parts) {
			t.Errorf("%d messages for %d parts", n, len(job.Parts))
		}
		if last := job.Parts[len(job.Parts)-1].Last; last != pages {
			t.Errorf("parts end at page %d of %d", last, pages)
		}
		checkSMTPLog(t, r, job, "S: "+tt.wantAnswer())
	default:
		t.Fatalf("unknown action %q", tt.action)
	}

	// Retried and paused jobs go once the fault is gone, with their
	// Message-ID.
	if tt.action == actRetry || tt.action == actPaused {
		if tt.heal != nil {
			tt.heal(r)
		}
		if wait := job.NextAttempt.Sub(clock.Now()); wait > 0 {
			clock.Add(wait)
		}
		r.dev.retryDue(ctx)
		sent := waitJob(t, r, job.ID, apitype.JobSent)
		attempts := 2
		if tt.action == actPaused {
			attempts = 1
		}
		if sent.MessageID != job.MessageID || sent.Attempts != attempts || sent.Error != "" {
			t.Errorf("sent job: Message-ID %s attempts %d error %q; want %s, %d, none", sent.MessageID, sent.Attempts, sent.Error, job.MessageID, attempts)
		}
		msgs := r.mail.Messages()
		if len(msgs) != 1 || !strings.Contains(string(msgs[0].Data), "Message-Id: <"+job.MessageID+">") {
			t.Errorf("%d messages received, want one with Message-ID %s", len(msgs), job.MessageID)
		}
	}
	r.noSecrets()
}

// fixedServer replaces the rig's mail server with one whose TLS is right,
// as an admin who fixed the server would.
func fixedServer(r *rig) {
	r.t.Helper()
	mail, err := smtptest.Start(smtptest.Options{Authenticate: smtptest.TokenOwner(r.idp.Validate), CA: r.ca})
	if err != nil {
		r.t.Fatal(err)
	}
	r.t.Cleanup(func() { mail.Close() })
	r.mail.Close()
	r.mail = mail
	r.configure(map[string]string{"custom.smtp_port": strconv.Itoa(mail.Port())})
}

// closedPort is a loopback port nothing listens on.
func closedPort(t *testing.T) string {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	port := ln.Addr().(*net.TCPAddr).Port
	ln.Close()
	return strconv.Itoa(port)
}
