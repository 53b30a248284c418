package device

import (
	"bytes"
	"context"
	"mime"
	"net"
	"net/mail"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/emersion/go-smtp"

	"scanmail/device/apitype"
	"scanmail/mailer/smtptest"
)

const adminAddress = "admin@contoso.example"

// alertMX is the organisation's MX endpoint on loopback, which takes
// direct send for contoso.example, with the device set to mail its
// alerts to the admin there.
func alertMX(t *testing.T, r *rig) *smtptest.Server {
	t.Helper()
	mx, err := smtptest.Start(smtptest.Options{CA: r.ca, AcceptedDomains: []string{"contoso.example"}})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { mx.Close() })
	r.configure(map[string]string{
		"device_address": testUPN,
		"mx.host":        "localhost", "mx.port": strconv.Itoa(mx.Port()), "mx.ca_bundle": string(r.ca.PEM()),
		"alerts.to": adminAddress,
	})
	return mx
}

// settled is the alert of kind once any mail of it under way has ended.
func settled(t *testing.T, r *rig, kind string) apitype.Alert {
	t.Helper()
	r.dev.alertMails.Wait()
	a, ok := alertOf(t, r, kind)
	if !ok {
		t.Fatalf("no alert %s", kind)
	}
	return a
}

// subject is a mail's Subject, decoded.
func subject(t *testing.T, data []byte) string {
	t.Helper()
	m, err := mail.ReadMessage(bytes.NewReader(data))
	if err != nil {
		t.Fatal(err)
	}
	s, err := new(mime.WordDecoder).DecodeHeader(m.Header.Get("Subject"))
	if err != nil {
		t.Fatal(err)
	}
	return s
}

// refuse makes the provider refuse the next refresh, and the device try
// one: the sign-in ends.
func refuse(t *testing.T, r *rig) {
	t.Helper()
	r.idp.Revoke(testUPN)
	if _, _, err := r.dev.accessToken(context.Background(), true); CodeOf(err) != apitype.CodeSignInNeeded {
		t.Fatalf("refresh: %v, want it refused", err)
	}
}

// TestAlertMailedOnce: a refused refresh mails one alert to the admin by
// direct send, with the device's name and what happened in the subject,
// the fix and the web pages in the body, and no token or password. A
// second refusal within alerts.every_hours, also after a restart and an
// acknowledgement, mails nothing; one after it mails again.
func TestAlertMailedOnce(t *testing.T) {
	t.Parallel()
	r, clock := keepAliveRig(t)
	mx := alertMX(t, r)
	const password = "Pa55-word-never-mailed"
	r.configure(map[string]string{"password.secret": password})
	r.dev.SetWeb(apitype.Web{URLs: []string{"https://192.0.2.7/"}, Fingerprint: "AB:CD"})
	acct, _, _ := r.store.Account()

	refuse(t, r)
	a := settled(t, r, apitype.AlertSignInEnded)
	if a.Mailed.IsZero() || a.MailError != "" || a.MailedTo != adminAddress {
		t.Fatalf("alert %+v, want mailed to %s", a, adminAddress)
	}
	msgs := mx.Messages()
	if len(msgs) != 1 {
		t.Fatalf("%d alert mails, want 1", len(msgs))
	}
	m := msgs[0]
	data := string(m.Data)
	if m.From != testUPN || len(m.To) != 1 || m.To[0] != adminAddress || !m.TLS || m.User != "" {
		t.Errorf("envelope from %s to %v, TLS %v, signed in as %q", m.From, m.To, m.TLS, m.User)
	}
	if got := subject(t, m.Data); got != "Scanner scanner@contoso.example: the sign-in ended, scans are not sent" {
		t.Errorf("subject %q", got)
	}
	for _, want := range []string{"What happened: Scans are not sent: the sign-in ended", "What to do: ", "Sign in again", "https://192.0.2.7/"} {
		if !strings.Contains(data, want) {
			t.Errorf("the mail lacks %q:\n%s", want, data)
		}
	}
	for name, secret := range map[string]string{"access token": acct.Token.AccessToken, "refresh token": acct.Token.RefreshToken, "password": password} {
		if secret == "" || strings.Contains(data, secret) || strings.Contains(r.log.String(), secret) {
			t.Errorf("the %s is empty, or in the mail or the log", name)
		}
	}

	// Signed in again (resolved), refused again an hour later: the
	// alert counts it, and no mail goes.
	r.signedIn(testUPN)
	clock.Add(time.Hour)
	refuse(t, r)
	if a, _ := alertOf(t, r, apitype.AlertSignInEnded); a.Count != 2 || !a.Resolved.IsZero() {
		t.Errorf("after a second refusal: %+v, want counted twice, not resolved", a)
	}
	// After a restart and an acknowledgement, still within the day.
	settled(t, r, apitype.AlertSignInEnded)
	r.reopen()
	if _, err := r.dev.AckAlert(apitype.AlertSignInEnded); err != nil {
		t.Fatal(err)
	}
	r.signedIn(testUPN)
	clock.Add(time.Hour)
	refuse(t, r)
	if a, ok := alertOf(t, r, apitype.AlertSignInEnded); !ok || a.Count != 1 {
		t.Errorf("raised after the acknowledgement: %+v (shown %v), want shown anew", a, ok)
	}
	settled(t, r, apitype.AlertSignInEnded)
	if n := len(mx.Messages()); n != 1 {
		t.Fatalf("%d alert mails within the rate limit, want 1", n)
	}

	// A day after the first, the next refusal is mailed.
	r.signedIn(testUPN)
	clock.Add(22 * time.Hour)
	refuse(t, r)
	if a := settled(t, r, apitype.AlertSignInEnded); !a.Mailed.Equal(clock.Now()) {
		t.Errorf("mailed at %v, want %v", a.Mailed, clock.Now())
	}
	if n := len(mx.Messages()); n != 2 {
		t.Fatalf("%d alert mails after the rate limit, want 2", n)
	}
}

// TestAlertMailFails: a mail the MX endpoint refuses is shown on the alert
// in words and logged; it is not tried again within the rate limit, and
// is at the next raise after it.
func TestAlertMailFails(t *testing.T) {
	t.Parallel()
	r, clock := keepAliveRig(t)
	mx := alertMX(t, r)
	mx.FailNext("rcpt", &smtp.SMTPError{Code: 550, EnhancedCode: smtp.EnhancedCode{5, 7, 68}, Message: "TenantInboundAttribution; Direct Send not allowed for this organization"})
	refuse(t, r)
	a := settled(t, r, apitype.AlertSignInEnded)
	if !a.Mailed.IsZero() || !strings.Contains(strings.ToLower(a.MailError), "direct send") {
		t.Fatalf("alert %+v, want the refusal in words", a)
	}
	if !strings.Contains(r.log.String(), "alert not mailed") {
		t.Error("the failure is not logged")
	}
	conns := mx.Connections()
	r.reopen()
	r.signedIn(testUPN)
	clock.Add(time.Hour)
	refuse(t, r)
	settled(t, r, apitype.AlertSignInEnded)
	if n := mx.Connections(); n != conns {
		t.Fatalf("%d tries within the rate limit", n-conns)
	}
	r.signedIn(testUPN)
	clock.Add(24 * time.Hour)
	refuse(t, r)
	if a := settled(t, r, apitype.AlertSignInEnded); a.MailError != "" || a.Mailed.IsZero() || len(mx.Messages()) != 1 {
		t.Fatalf("after the rate limit: %+v, %d mails", a, len(mx.Messages()))
	}
}

// TestAlertRoad: auto takes relay where a connector knows the device,
// else direct send to an address of the organisation, else the password
// road; never the sign-in.
func TestAlertRoad(t *testing.T) {
	t.Parallel()
	r := newRig(t, rigOptions{})
	tests := []struct {
		name     string
		settings map[string]string
		want     string // "" : none fits
	}{
		{"an outside address, nothing else", map[string]string{"alerts.to": "it@fabrikam.example"}, ""},
		{"an address of the organisation", map[string]string{"alerts.to": adminAddress}, apitype.RoadDirect},
		{"an accepted domain", map[string]string{"alerts.to": "it@fabrikam.example", "mx.accepted_domains": "contoso.example fabrikam.example"}, apitype.RoadDirect},
		{"a password", map[string]string{"alerts.to": "it@fabrikam.example", "password.secret": "x"}, apitype.RoadPassword},
		{"sending by relay", map[string]string{"alerts.to": "it@fabrikam.example", "road": apitype.RoadRelay}, apitype.RoadRelay},
		{"chosen", map[string]string{"alerts.to": adminAddress, "alerts.road": apitype.RoadPassword}, apitype.RoadPassword},
	}
	for _, tt := range tests {
		s := DefaultSettings()
		s.DeviceAddress = testUPN
		for k, v := range tt.settings {
			if err := s.Set(k, v); err != nil {
				t.Fatal(err)
			}
		}
		got, err := r.dev.alertRoad(s)
		if got != tt.want || (err != nil) != (tt.want == "") {
			t.Errorf("%s: %q, %v; want %q", tt.name, got, err, tt.want)
		}
	}
	if _, err := r.dev.alertRoad(DefaultSettings()); CodeOf(err) != apitype.CodeSetupNeeded {
		t.Errorf("none: %v", err)
	}
}

// TestAlertMailCutOffByShutdown: a mail under way when the device stops
// is not held against the rate limit: the next raise mails at once.
func TestAlertMailCutOffByShutdown(t *testing.T) {
	t.Parallel()
	r, clock := keepAliveRig(t)
	mx := alertMX(t, r)
	// First an MX endpoint that takes the connection and never speaks.
	silent, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer silent.Close()
	accepted := make(chan net.Conn, 1)
	go func() {
		if c, err := silent.Accept(); err == nil {
			accepted <- c
		}
	}()
	r.configure(map[string]string{"mx.port": strconv.Itoa(silent.Addr().(*net.TCPAddr).Port)})
	refuse(t, r)
	select {
	case c := <-accepted:
		defer c.Close()
	case <-time.After(20 * time.Second):
		t.Fatal("the alert mail did not connect")
	}
	r.reopen() // stops the device, which cuts the mail off
	a, _ := alertOf(t, r, apitype.AlertSignInEnded)
	if !a.Mailed.IsZero() || !strings.Contains(a.MailError, "stopped") {
		t.Fatalf("after the shutdown: %+v", a)
	}
	r.configure(map[string]string{"mx.port": strconv.Itoa(mx.Port())})
	r.signedIn(testUPN)
	clock.Add(time.Minute)
	refuse(t, r)
	if a := settled(t, r, apitype.AlertSignInEnded); a.Mailed.IsZero() || a.MailError != "" || len(mx.Messages()) != 1 {
		t.Fatalf("the next raise: %+v, %d mails", a, len(mx.Messages()))
	}
}
