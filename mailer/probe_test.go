package mailer_test

import (
	"context"
	"crypto/tls"
	"errors"
	"strings"
	"testing"

	"scanmail/mailer"
	"scanmail/mailer/smtptest"
)

// probeUpTo runs a Probe's steps through tls and returns the first
// failure.
func probeUpTo(p *mailer.Probe) (mailer.TLSInfo, error) {
	if _, err := p.Resolve(); err != nil {
		return mailer.TLSInfo{}, err
	}
	if _, _, err := p.Connect(); err != nil {
		return mailer.TLSInfo{}, err
	}
	if _, err := p.StartTLS(); err != nil {
		return mailer.TLSInfo{}, err
	}
	return p.CheckTLS()
}

// TestConnProbe: a Probe goes through a submission a step at a time and
// says what each found; TLS the device refuses fails the tls step, after
// a handshake that completed, and the server never sees a sign-in.
func TestConnProbe(t *testing.T) {
	t.Run("every step", func(t *testing.T) {
		srv := startServer(t, smtptest.Options{Authenticate: checkToken})
		p := senderFor(srv).Probe(context.Background())
		defer p.Close()
		info, err := probeUpTo(p)
		if err != nil || info.Version < tls.VersionTLS12 || len(info.Names) == 0 || info.NotAfter.IsZero() {
			t.Fatalf("through tls: %+v, %v", info, err)
		}
		if a, err := p.Auth(mailer.NewXOAuth2Client(user, token)); err != nil || !strings.HasPrefix(a, "235 ") {
			t.Fatalf("auth: %q, %v", a, err)
		}
		if a, err := p.Mail(user); err != nil || !strings.HasPrefix(a, "250 ") {
			t.Fatalf("mail: %q, %v", a, err)
		}
		if a, err := p.Rcpt("alice@example.com"); err != nil || !strings.HasPrefix(a, "250 ") {
			t.Fatalf("rcpt: %q, %v", a, err)
		}
		msg := testMessage()
		msg.To = []string{"alice@example.com"}
		if a, err := p.Data(msg); err != nil || !strings.HasPrefix(a, "250 ") {
			t.Fatalf("data: %q, %v", a, err)
		}
		p.Close()
		if n := len(srv.Messages()); n != 1 {
			t.Errorf("%d messages, want 1", n)
		}
		if log := p.Transcript().String(); strings.Contains(log, token) || !strings.Contains(log, "C: QUIT") {
			t.Errorf("transcript shows the token or no QUIT:\n%s", log)
		}
	})

	t.Run("out of order", func(t *testing.T) {
		srv := startServer(t, smtptest.Options{})
		p := senderFor(srv).Probe(context.Background())
		defer p.Close()
		var me *mailer.Error
		if _, err := p.Auth(mailer.NewXOAuth2Client(user, token)); !errors.As(err, &me) || me.Step != "auth" {
			t.Errorf("auth first: %v", err)
		}
		if srv.Connections() != 0 {
			t.Error("a step out of order connected")
		}
	})

	tests := []struct {
		name  string
		opts  smtptest.Options
		roots bool // the device trusts the server's certificate
		check func(error) bool
	}{
		{"TLS 1.1", smtptest.Options{MaxTLSVersion: tls.VersionTLS11}, true, func(err error) bool {
			var ve *mailer.TLSVersionError
			return errors.As(err, &ve) && ve.Version == tls.VersionTLS11
		}},
		{"untrusted certificate", smtptest.Options{}, false, func(err error) bool {
			return strings.Contains(err.Error(), "not trusted")
		}},
		{"expired certificate", smtptest.Options{ExpiredCertificate: true}, true, func(err error) bool {
			return strings.Contains(err.Error(), "not valid at the device's current time")
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			srv := startServer(t, tt.opts)
			s := senderFor(srv)
			if !tt.roots {
				s.Config.RootCAs = nil
			}
			p := s.Probe(context.Background())
			_, err := probeUpTo(p)
			p.Close()
			var me *mailer.Error
			if !errors.As(err, &me) || me.Step != "tls" || !tt.check(err) {
				t.Fatalf("err %v, want a failed tls step", err)
			}
			if n := srv.AuthAttempts(); n != 0 {
				t.Errorf("%d sign-ins reached the server", n)
			}
		})
	}
}
