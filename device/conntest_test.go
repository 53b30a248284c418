package device

import (
	"context"
	"crypto/tls"
	"encoding/json"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/emersion/go-smtp"

	"scanmail/device/apitype"
	"scanmail/device/idptest"
	"scanmail/mailer/smtptest"
)

// runConnTest runs the connection test and returns the steps as they
// ended, checking that each step that ran was first reported running.
func runConnTest(t *testing.T, r *rig, to string) []apitype.ConnTestStep {
	t.Helper()
	var running []string
	steps, err := r.dev.TestConnection(context.Background(), apitype.ConnTestRequest{To: to}, func(s apitype.ConnTestStep) {
		if s.State == apitype.StepRunning {
			running = append(running, s.Step)
		}
	})
	if err != nil {
		t.Fatalf("TestConnection: %v", err)
	}
	var ran []string
	for _, s := range steps {
		if s.State != apitype.StepSkipped {
			ran = append(ran, s.Step)
		}
	}
	if strings.Join(running, " ") != strings.Join(ran, " ") {
		t.Errorf("reported running %v, ended %v", running, ran)
	}
	return steps
}

// states is the steps as "step=state", in order.
func states(steps []apitype.ConnTestStep) string {
	var s []string
	for _, st := range steps {
		s = append(s, st.Step+"="+st.State)
	}
	return strings.Join(s, " ")
}

// failedAt is the expected states when step fails: the ones before ok,
// the ones after skipped.
func failedAt(step string) string {
	var s []string
	state := apitype.StepOK
	for _, name := range connTestSteps {
		switch {
		case name == step:
			s = append(s, name+"="+apitype.StepFailed)
			state = apitype.StepSkipped
		case name == apitype.StepData:
			s = append(s, name+"="+apitype.StepSkipped)
		default:
			s = append(s, name+"="+state)
		}
	}
	return strings.Join(s, " ")
}

func failedStep(steps []apitype.ConnTestStep) apitype.ConnTestStep {
	for _, s := range steps {
		if s.State == apitype.StepFailed {
			return s
		}
	}
	return apitype.ConnTestStep{}
}

// noTokenInSteps fails the test if the steps show a token.
func noTokenInSteps(t *testing.T, r *rig, steps []apitype.ConnTestStep) {
	t.Helper()
	acct, ok, err := r.store.Account()
	if err != nil || !ok {
		return
	}
	b, _ := json.Marshal(steps)
	for _, secret := range []string{acct.Token.AccessToken, acct.Token.RefreshToken} {
		if secret != "" && strings.Contains(string(b), secret) {
			t.Errorf("a token is in the steps: %s", b)
		}
	}
}

// TestConnTestAllOK: every step passes against fake Microsoft; without a
// recipient nothing is sent, with one the test message arrives and counts
// against the sending limits. Neither token shows in a step or the log.
func TestConnTestAllOK(t *testing.T) {
	t.Parallel()
	r := newRig(t, rigOptions{idp: idptest.Options{IgnoreInterval: true}})
	r.signedIn(testUPN)
	before, _, _ := r.store.Account()

	steps := runConnTest(t, r, "")
	want := strings.ReplaceAll(failedAt("none"), "data=ok", "data=skipped")
	if got := states(steps); got != want {
		t.Fatalf("steps %s\nwant %s", got, want)
	}
	for _, s := range steps {
		t.Logf("%-9s %-7s %s", s.Step, s.State, s.Detail)
	}
	detail := map[string]string{}
	for _, s := range steps {
		detail[s.Step] = s.Detail
	}
	for step, want := range map[string]string{
		apitype.StepDNS:      "127.0.0.1",
		apitype.StepTCP:      "220 ",
		apitype.StepSTARTTLS: "offered",
		apitype.StepTLS:      "TLS 1.",
		apitype.StepToken:    "valid until",
		apitype.StepAuth:     "235",
		apitype.StepMailFrom: "250",
		apitype.StepRcpt:     testUPN,
	} {
		if !strings.Contains(detail[step], want) {
			t.Errorf("%s detail %q, want %q in it", step, detail[step], want)
		}
	}
	if !strings.Contains(detail[apitype.StepTLS], "certificate for ") || !strings.Contains(detail[apitype.StepTLS], "days)") {
		t.Errorf("tls detail %q does not name the certificate and its expiry", detail[apitype.StepTLS])
	}
	if n := len(r.mail.Messages()); n != 0 {
		t.Errorf("%d messages sent without a test recipient", n)
	}
	after, _, _ := r.store.Account()
	if after.Token.AccessToken == before.Token.AccessToken {
		t.Error("the access token was not refreshed")
	}

	steps = runConnTest(t, r, "alice@fabrikam.example")
	if got, want := states(steps), strings.ReplaceAll(failedAt("none"), "data=skipped", "data=ok"); got != want {
		t.Fatalf("with a recipient: steps %s\nwant %s", got, want)
	}
	msgs := r.mail.Messages()
	if len(msgs) != 1 || msgs[0].From != testUPN || strings.Join(msgs[0].To, ",") != "alice@fabrikam.example" ||
		!strings.Contains(string(msgs[0].Data), "Subject: scanmail connection test") {
		t.Fatalf("messages %+v", msgs)
	}
	if used, _ := r.dev.throttle.Used(); used != 1 {
		t.Errorf("the sending limits counted %d messages, want 1", used)
	}
	noTokenInSteps(t, r, steps)
	r.noSecrets()
	if !strings.Contains(r.log.String(), "connection test: SMTP log") || !strings.Contains(r.log.String(), "AUTH XOAUTH2 [redacted]") {
		t.Error("the SMTP log of the test is not in the debug log, redacted")
	}
}

// TestConnTestFailures: each way the test fails names its step, with the
// catalogue's words and fix, and skips the steps after it.
func TestConnTestFailures(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name     string
		smtp     smtptest.Options
		settings map[string]string // before the sign-in
		noSignIn bool
		after    func(r *rig) // after the sign-in
		to       string
		step     string
		code     apitype.ErrorCode // "": refused or unavailable, as the resolver found it
		words    []string          // in the error or the hint
	}{
		{name: "SMTP AUTH disabled",
			after: func(r *rig) {
				r.mail.FailNext("auth", &smtp.SMTPError{Code: 535, EnhancedCode: smtp.EnhancedCode{5, 7, 139},
					Message: "Authentication unsuccessful, SmtpClientAuthentication is disabled for the Tenant"})
			},
			step: apitype.StepAuth, code: apitype.CodeProviderRefused,
			words: []string{"SMTP AUTH", "5.7.139", "Set-CASMailbox"}},
		{name: "token rejected",
			after: func(r *rig) {
				r.mail.FailNext("auth", &smtp.SMTPError{Code: 535, EnhancedCode: smtp.EnhancedCode{5, 7, 3}, Message: "Authentication unsuccessful"})
			},
			step: apitype.StepAuth, code: apitype.CodeProviderRefused,
			words: []string{"Sign-in rejected", "SMTP.Send"}},
		{name: "not authenticated",
			after: func(r *rig) {
				r.mail.FailNext("auth", &smtp.SMTPError{Code: 530, EnhancedCode: smtp.EnhancedCode{5, 7, 57}, Message: "Client not authenticated to send mail"})
			},
			step: apitype.StepAuth, code: apitype.CodeProviderRefused,
			words: []string{"not signed in to the mail server", "5.7.57"}},
		{name: "send as refused",
			after: func(r *rig) {
				r.mail.FailNext("mail", &smtp.SMTPError{Code: 550, EnhancedCode: smtp.EnhancedCode{5, 7, 60},
					Message: "SMTP; Client does not have permissions to send as this sender"})
			},
			step: apitype.StepMailFrom, code: apitype.CodeProviderRefused,
			words: []string{"may not send from", "Send As"}},
		{name: "recipient refused", to: "nobody@fabrikam.example",
			after: func(r *rig) {
				r.mail.FailNext("rcpt", &smtp.SMTPError{Code: 550, EnhancedCode: smtp.EnhancedCode{5, 1, 1},
					Message: "RESOLVER.ADR.RecipientNotFound; Recipient not found"})
			},
			step: apitype.StepRcpt, code: apitype.CodeProviderRefused,
			words: []string{"nobody@fabrikam.example", "Recipient address rejected"}},
		{name: "name does not resolve",
			settings: map[string]string{"custom.smtp_host": "smtp.scanmail.invalid"},
			step:     apitype.StepDNS,
			words:    []string{"name", "DNS"}},
		{name: "nothing listens",
			settings: map[string]string{"custom.smtp_port": ""}, // filled with a closed port
			step:     apitype.StepTCP, code: apitype.CodeProviderUnavailable,
			words: []string{"refused the connection", "port"}},
		{name: "no STARTTLS", smtp: smtptest.Options{NoStartTLS: true},
			step: apitype.StepSTARTTLS, code: apitype.CodeProviderRefused,
			words: []string{"does not offer encryption", "never sends its sign-in"}},
		{name: "TLS 1.1 only", smtp: smtptest.Options{MaxTLSVersion: tls.VersionTLS11},
			step: apitype.StepTLS, code: apitype.CodeProviderRefused,
			words: []string{"TLS is too old", "TLS 1.1", "TLS 1.2 or newer"}},
		{name: "expired certificate", smtp: smtptest.Options{ExpiredCertificate: true},
			step: apitype.StepTLS, code: apitype.CodeProviderUnavailable,
			words: []string{"not valid at the device's current time"}},
		{name: "sign-in needed", noSignIn: true,
			step: apitype.StepDNS, code: apitype.CodeSignInNeeded,
			words: []string{"Not signed in"}},
		{name: "UPN mismatch",
			after: func(r *rig) { r.configure(map[string]string{"device_address": "frontdesk@contoso.example"}) },
			to:    "alice@fabrikam.example",
			step:  apitype.StepDNS, code: apitype.CodeUPNMismatch,
			words: []string{"frontdesk@contoso.example", "Set the device address to " + testUPN}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			r := newRig(t, rigOptions{idp: idptest.Options{IgnoreInterval: true}, smtp: tt.smtp})
			for k, v := range tt.settings {
				if k == "custom.smtp_port" {
					v = closedPort(t)
				}
				r.configure(map[string]string{k: v})
			}
			if !tt.noSignIn {
				r.signedIn(testUPN)
			}
			if tt.after != nil {
				tt.after(r)
			}
			steps := runConnTest(t, r, tt.to)
			want := failedAt(tt.step)
			if tt.to != "" {
				want = strings.ReplaceAll(want, "data=ok", "data=skipped")
			}
			if got := states(steps); got != want {
				t.Fatalf("steps %s\nwant %s", got, want)
			}
			f := failedStep(steps)
			t.Logf("%s failed: %s / %s (%s)", f.Step, f.Error, f.Hint, f.ErrorCode)
			for _, w := range tt.words {
				if !strings.Contains(f.Error+" "+f.Hint, w) {
					t.Errorf("%q not in %q / %q", w, f.Error, f.Hint)
				}
			}
			codes := []apitype.ErrorCode{tt.code}
			if tt.code == "" {
				codes = []apitype.ErrorCode{apitype.CodeProviderRefused, apitype.CodeProviderUnavailable}
			}
			if !slices.Contains(codes, f.ErrorCode) {
				t.Errorf("code %s, want %v", f.ErrorCode, codes)
			}
			if tt.step == apitype.StepDNS && r.mail.Connections() != 0 {
				t.Errorf("%d connections to the mail server", r.mail.Connections())
			}
			if slices.Index(connTestSteps, tt.step) < slices.Index(connTestSteps, apitype.StepToken) && r.mail.AuthAttempts() != 0 {
				t.Errorf("the server saw %d sign-ins although the %s step failed", r.mail.AuthAttempts(), tt.step)
			}
			if len(r.mail.Messages()) != 0 {
				t.Error("a message was sent")
			}
			noTokenInSteps(t, r, steps)
			if !tt.noSignIn {
				r.noSecrets()
			}
		})
	}
}

// TestConnTestSendingLimit: the test message keeps to the sending limits
// and counts against them: when the limit allows none now, the data step
// fails at once, saying when, and nothing is sent.
func TestConnTestSendingLimit(t *testing.T) {
	t.Parallel()
	clock := &fakeClock{t: time.Now()}
	r := newRig(t, rigOptions{now: clock.Now, idp: idptest.Options{IgnoreInterval: true, Now: clock.Now}})
	r.configure(map[string]string{"limits.messages_per_minute": "1"})
	r.signedIn(testUPN)

	if got, want := states(runConnTest(t, r, "alice@fabrikam.example")), strings.ReplaceAll(failedAt("none"), "data=skipped", "data=ok"); got != want {
		t.Fatalf("first: %s\nwant %s", got, want)
	}
	steps := runConnTest(t, r, "alice@fabrikam.example")
	if got, want := states(steps), failedAt(apitype.StepData); got != want {
		t.Fatalf("second: %s\nwant %s", got, want)
	}
	if f := failedStep(steps); !strings.Contains(f.Error, "sending limit") || !strings.Contains(f.Error, "in 1m0s") || f.ErrorCode != apitype.CodeProviderUnavailable {
		t.Errorf("second failed with %+v", f)
	}
	if n := len(r.mail.Messages()); n != 1 {
		t.Errorf("%d messages, want 1", n)
	}
	// Without a recipient nothing is sent, and the limit does not apply.
	if got, want := states(runConnTest(t, r, "")), failedAt("none"); got != want {
		t.Errorf("without a recipient: %s\nwant %s", got, want)
	}
}

// TestConnTestBusy: a second test while one runs is refused as busy, and
// the first ends when its caller goes away.
func TestConnTestBusy(t *testing.T) {
	t.Parallel()
	r := newRig(t, rigOptions{idp: idptest.Options{IgnoreInterval: true}})
	r.signedIn(testUPN)

	// The first test is held as its TCP step begins: its caller's report
	// does not return until the second test has been answered.
	ctx, cancel := context.WithCancel(context.Background())
	connecting, release := make(chan struct{}), make(chan struct{})
	done := make(chan []apitype.ConnTestStep)
	go func() {
		steps, err := r.dev.TestConnection(ctx, apitype.ConnTestRequest{}, func(s apitype.ConnTestStep) {
			if s.Step == apitype.StepTCP && s.State == apitype.StepRunning {
				close(connecting)
				<-release
			}
		})
		if err != nil {
			t.Errorf("first test: %v", err)
		}
		done <- steps
	}()
	<-connecting
	_, err := r.dev.TestConnection(context.Background(), apitype.ConnTestRequest{}, nil)
	if CodeOf(err) != apitype.CodeBusy {
		t.Errorf("second test: %v (%s), want busy", err, CodeOf(err))
	}
	cancel()
	close(release)
	steps := <-done
	if got, want := states(steps), failedAt(apitype.StepTCP); got != want {
		t.Errorf("steps %s\nwant %s", got, want)
	}
	if f := failedStep(steps); !strings.Contains(f.Error, "cancel") {
		t.Errorf("failed with %q, want it cancelled", f.Error)
	}
	// Once it ended, the next one runs.
	if got, want := states(runConnTest(t, r, "")), failedAt("none"); got != want {
		t.Errorf("after it: %s\nwant %s", got, want)
	}
}
