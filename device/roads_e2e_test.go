package device

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"encoding/pem"
	"net"
	"strconv"
	"strings"
	"testing"

	"github.com/emersion/go-smtp"

	"scanmail/device/apitype"
	"scanmail/mailer/smtptest"
)

const smtpPassword = "app password 7Tq2 of the scanner"

// scanTo scans a page to the recipients and returns the job as the scan
// left it.
func (r *rig) scanTo(to ...string) (apitype.Job, error) {
	r.t.Helper()
	return r.dev.Scan(context.Background(), apitype.ScanRequest{To: to, Pages: 1}, nil)
}

// startMX starts the MX endpoint of contoso.example, its certificate for
// localhost issued by the rig's CA, and points the device's mx settings
// at its port.
func startMX(t *testing.T, r *rig, o smtptest.Options) *smtptest.Server {
	t.Helper()
	o.CA = r.ca
	if o.AcceptedDomains == nil {
		o.AcceptedDomains = []string{"contoso.example"}
	}
	srv, err := smtptest.Start(o)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { srv.Close() })
	r.configure(map[string]string{"device_address": testUPN, "mx.port": strconv.Itoa(srv.Port()), "mx.ca_bundle": string(srv.CertPEM())})
	return srv
}

// relayCertPEM is c as InstallRelayCert takes it.
func relayCertPEM(t *testing.T, c tls.Certificate) apitype.RelayCertInstall {
	t.Helper()
	der, err := x509.MarshalPKCS8PrivateKey(c.PrivateKey)
	if err != nil {
		t.Fatal(err)
	}
	return apitype.RelayCertInstall{
		Cert: string(pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: c.Certificate[0]})),
		Key:  string(pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: der})),
	}
}

// TestPasswordRoad: a scan goes by the password road with AUTH PLAIN, or
// LOGIN where the server offers only that, inside STARTTLS; a server
// without STARTTLS hears no password and the job fails saying why; a
// refused password gets words. The password is in no job log.
func TestPasswordRoad(t *testing.T) {
	tests := []struct {
		name       string
		mechanisms []string
		noTLS      bool
		password   string
		mechanism  string            // used; "" when the job fails
		words      string            // in the job's error
		code       apitype.ErrorCode // of the failed job
	}{
		{name: "PLAIN", mechanism: "PLAIN", password: smtpPassword},
		{name: "LOGIN only", mechanisms: []string{"LOGIN"}, mechanism: "LOGIN", password: smtpPassword},
		{name: "no STARTTLS", noTLS: true, password: smtpPassword, words: "STARTTLS", code: apitype.CodeProviderRefused},
		{name: "wrong password", password: "not it", words: "refused the user name or password", code: apitype.CodeProviderRefused},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := newRig(t, rigOptions{smtp: smtptest.Options{Passwords: map[string]string{testUPN: smtpPassword}, Mechanisms: tt.mechanisms}})
			srv := r.mail
			if tt.noTLS {
				var err error
				if srv, err = smtptest.Start(smtptest.Options{NoStartTLS: true, Passwords: map[string]string{testUPN: smtpPassword}}); err != nil {
					t.Fatal(err)
				}
				t.Cleanup(func() { srv.Close() })
				r.configure(map[string]string{"custom.smtp_port": strconv.Itoa(srv.Port())})
			}
			r.configure(map[string]string{"device_address": testUPN, "road": apitype.RoadPassword, "password.secret": tt.password})
			job, err := r.scanTo("alice@fabrikam.example")
			if tt.mechanism != "" {
				got := srv.Messages()
				if err != nil || job.State != apitype.JobSent || len(got) != 1 || got[0].User != testUPN || got[0].Mechanism != tt.mechanism || !got[0].TLS || got[0].From != testUPN {
					t.Fatalf("job %s (%v); received %+v", job.State, err, got)
				}
			} else if job.State != apitype.JobFailed || job.ErrorCode != tt.code || !strings.Contains(job.Error, tt.words) || job.Hint == "" {
				t.Fatalf("job %s %s %q / %q (%v), want failed with %q", job.State, job.ErrorCode, job.Error, job.Hint, err, tt.words)
			}
			if tt.noTLS && srv.AuthAttempts() != 0 {
				t.Errorf("%d AUTH commands without TLS", srv.AuthAttempts())
			}
			full, _ := r.dev.Job(job.ID)
			if log := strings.Join(full.SMTPLog, "\n"); strings.Contains(log, smtpPassword) || len(full.SMTPLog) == 0 {
				t.Errorf("SMTP log empty or holds the password:\n%s", log)
			}
			if strings.Contains(r.log.String(), smtpPassword) {
				t.Error("the password is in the device's log")
			}
		})
	}
}

// TestDirectSendRoad: direct send reaches the MX endpoint found by the
// domain's MX record (an injected resolver) or set, with STARTTLS where
// offered and in the clear where not, unless TLS is required; no AUTH;
// the sender is the device address; a tenant that turned direct send off
// (5.7.68) gets words.
func TestDirectSendRoad(t *testing.T) {
	tests := []struct {
		name       string
		noTLS      bool
		off        bool
		requireTLS bool
		lookup     bool // the MX endpoint from the MX record
		tls        bool // the message came encrypted
		words      string
		code       apitype.ErrorCode
	}{
		{name: "STARTTLS, MX looked up", lookup: true, tls: true},
		{name: "STARTTLS, MX set", tls: true},
		{name: "no STARTTLS", noTLS: true},
		{name: "no STARTTLS, TLS required", noTLS: true, requireTLS: true, words: "STARTTLS", code: apitype.CodeProviderRefused},
		{name: "direct send off", off: true, words: "5.7.68", code: apitype.CodeProviderRefused},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := newRig(t, rigOptions{resolver: mxResolver{"contoso.example": {{Host: "localhost.", Pref: 10}}}})
			mx := startMX(t, r, smtptest.Options{NoStartTLS: tt.noTLS, DirectSendOff: tt.off})
			settings := map[string]string{"road": apitype.RoadDirect, "mx.require_tls": map[bool]string{true: "yes", false: "no"}[tt.requireTLS]}
			if !tt.lookup {
				settings["mx.host"] = "localhost"
			}
			r.configure(settings)
			job, err := r.scanTo("alice@contoso.example", "bob@contoso.example")
			if tt.words != "" {
				if job.State != apitype.JobFailed || job.ErrorCode != tt.code || !strings.Contains(job.Error, tt.words) || job.Hint == "" {
					t.Fatalf("job %s %s %q / %q (%v), want failed with %q", job.State, job.ErrorCode, job.Error, job.Hint, err, tt.words)
				}
				if len(mx.Messages()) != 0 {
					t.Error("a message was taken")
				}
				return
			}
			got := mx.Messages()
			if err != nil || job.State != apitype.JobSent || len(got) != 1 || got[0].User != "" || got[0].From != testUPN || got[0].TLS != tt.tls || len(got[0].To) != 2 {
				t.Fatalf("job %s (%v); received %+v", job.State, err, got)
			}
			if r.mail.Connections() != 0 {
				t.Error("the submission server was used")
			}
		})
	}
}

// TestRelayRoad: relay goes to a connector that recognises the device by
// its client certificate, reaching any recipient; without the certificate
// the connector refuses (5.7.64), in words.
func TestRelayRoad(t *testing.T) {
	for _, withCert := range []bool{true, false} {
		t.Run("certificate "+strconv.FormatBool(withCert), func(t *testing.T) {
			r := newRig(t, rigOptions{})
			mx := startMX(t, r, smtptest.Options{ClientCAs: r.ca.Pool(), ConnectorDomains: []string{"contoso.example"}, ConnectorOnly: true})
			r.configure(map[string]string{"road": apitype.RoadRelay, "mx.host": "localhost"})
			if withCert {
				c, err := r.ca.ClientCertificate("scanner.contoso.example")
				if err != nil {
					t.Fatal(err)
				}
				if _, err := r.dev.InstallRelayCert(relayCertPEM(t, c)); err != nil {
					t.Fatal(err)
				}
			}
			job, err := r.scanTo("bob@example.com")
			got := mx.Messages()
			if withCert {
				if err != nil || job.State != apitype.JobSent || len(got) != 1 || got[0].ClientCert != "scanner.contoso.example" || got[0].User != "" || !got[0].TLS {
					t.Fatalf("job %s (%v); received %+v", job.State, err, got)
				}
				return
			}
			if job.State != apitype.JobFailed || job.ErrorCode != apitype.CodeProviderRefused || !strings.Contains(job.Error, "5.7.64") || !strings.Contains(job.Hint, "connector") || len(got) != 0 {
				t.Fatalf("job %s %s %q / %q (%v); received %+v", job.State, job.ErrorCode, job.Error, job.Hint, err, got)
			}
		})
	}
}

// TestConnTestRoads: the connection test of each road: the password road
// signs in with the password (no token); direct send and relay look the
// MX endpoint up (skipped when it is set) and do not sign in, saying why;
// relay presents its client certificate.
func TestConnTestRoads(t *testing.T) {
	r := newRig(t, rigOptions{
		smtp:     smtptest.Options{Passwords: map[string]string{testUPN: smtpPassword}},
		resolver: mxResolver{"contoso.example": {{Host: "localhost.", Pref: 10}}},
	})
	mx := startMX(t, r, smtptest.Options{ClientCAs: r.ca.Pool(), ConnectorDomains: []string{"contoso.example"}})
	c, err := r.ca.ClientCertificate("scanner.contoso.example")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := r.dev.InstallRelayCert(relayCertPEM(t, c)); err != nil {
		t.Fatal(err)
	}
	detail := func(steps []apitype.ConnTestStep, name string) string {
		for _, s := range steps {
			if s.Step == name {
				return s.Detail
			}
		}
		return ""
	}
	tests := []struct {
		settings map[string]string
		to       string
		states   string
		details  map[string]string
	}{
		{map[string]string{"road": apitype.RoadPassword, "password.secret": smtpPassword}, "alice@fabrikam.example",
			"dns=ok tcp=ok starttls=ok tls=ok token=skipped auth=ok mail-from=ok rcpt=ok data=ok",
			map[string]string{"token": "the password signs in"}},
		{map[string]string{"road": apitype.RoadDirect}, "",
			"mx=ok dns=ok tcp=ok starttls=ok tls=ok token=skipped auth=skipped mail-from=ok rcpt=ok data=skipped",
			map[string]string{"mx": "MX of contoso.example → localhost", "auth": "direct send does not sign in"}},
		{map[string]string{"road": apitype.RoadRelay, "mx.host": "localhost"}, "bob@example.com",
			"mx=skipped dns=ok tcp=ok starttls=ok tls=ok token=skipped auth=skipped mail-from=ok rcpt=ok data=ok",
			map[string]string{"mx": "the MX endpoint is set: localhost", "tls": "client certificate for scanner.contoso.example presented", "auth": "client certificate"}},
	}
	for _, tt := range tests {
		r.configure(tt.settings)
		steps := runConnTest(t, r, tt.to)
		if got := states(steps); got != tt.states {
			t.Errorf("%v: %s\nwant %s\n%+v", tt.settings, got, tt.states, failedStep(steps))
		}
		for step, want := range tt.details {
			if got := detail(steps, step); !strings.Contains(got, want) {
				t.Errorf("%v: %s detail %q, want %q", tt.settings, step, got, want)
			}
		}
	}
	if n := len(mx.Messages()); n != 1 {
		t.Errorf("%d test messages by relay, want 1", n)
	}

	// Direct send to an outside test recipient: refused before RCPT.
	r.configure(map[string]string{"road": apitype.RoadDirect, "mx.host": ""})
	steps := runConnTest(t, r, "bob@example.com")
	if f := failedStep(steps); f.Step != apitype.StepRcpt || f.ErrorCode != apitype.CodeExternalRecipient {
		t.Errorf("direct send to an outsider: %+v", f)
	}
}

// TestConnTestSuggestsRoad: when SMTP AUTH is off (5.7.139) or the
// submission port cannot be reached, the failed step names the road that
// fits: direct send for the organisation's recipients, a connector for
// others; and says why.
func TestConnTestSuggestsRoad(t *testing.T) {
	r := newRig(t, rigOptions{smtp: smtptest.Options{Passwords: map[string]string{testUPN: smtpPassword}}})
	r.signedIn(testUPN)
	off := &smtp.SMTPError{Code: 535, EnhancedCode: smtp.EnhancedCode{5, 7, 139}, Message: "Authentication unsuccessful, SmtpClientAuthentication is disabled for the Tenant"}

	r.mail.FailNext("auth", off)
	f := failedStep(runConnTest(t, r, ""))
	if f.Step != apitype.StepAuth || f.Suggest != apitype.RoadDirect || !strings.Contains(f.Hint, "Direct send") || !strings.Contains(f.Hint, "contoso.example") {
		t.Errorf("5.7.139 by sign-in: %+v", f)
	}
	r.mail.FailNext("auth", off)
	if f := failedStep(runConnTest(t, r, "bob@example.com")); f.Suggest != apitype.RoadRelay || !strings.Contains(f.Hint, "connector") {
		t.Errorf("5.7.139 with an outside test recipient: %+v", f)
	}
	r.configure(map[string]string{"road": apitype.RoadPassword, "password.secret": smtpPassword})
	r.mail.FailNext("auth", off)
	if f := failedStep(runConnTest(t, r, "")); f.Step != apitype.StepAuth || f.Suggest != apitype.RoadDirect {
		t.Errorf("5.7.139 by password: %+v", f)
	}

	// The submission port closed: refused.
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	port := ln.Addr().(*net.TCPAddr).Port
	ln.Close()
	r.configure(map[string]string{"custom.smtp_port": strconv.Itoa(port)})
	if f := failedStep(runConnTest(t, r, "")); f.Step != apitype.StepTCP || f.Suggest != apitype.RoadDirect || !strings.Contains(f.Hint, "cannot be reached") {
		t.Errorf("port closed: %+v", f)
	}

	// No suggestion for a refusal another road would not cure.
	r.configure(map[string]string{"custom.smtp_port": strconv.Itoa(r.mail.Port())})
	r.mail.FailNext("auth", &smtp.SMTPError{Code: 535, EnhancedCode: smtp.EnhancedCode{5, 7, 3}, Message: "Authentication unsuccessful"})
	if f := failedStep(runConnTest(t, r, "")); f.Step != apitype.StepAuth || f.Suggest != "" {
		t.Errorf("5.7.3: %+v", f)
	}
}
