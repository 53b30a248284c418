package mailer_test

import (
	"context"
	"crypto/tls"
	"errors"
	"strings"
	"testing"

	"github.com/emersion/go-smtp"

	"scanmail/mailer"
	"scanmail/mailer/smtptest"
)

// TestProbeDirect: under TLSIfOffered a Probe told that the session
// signs in with nothing goes on in the clear when STARTTLS is not
// offered, and says so; with STARTTLS offered it checks TLS as ever; a
// sign-in is never tried in the clear.
func TestProbeDirect(t *testing.T) {
	mx := smtptest.Options{AcceptedDomains: []string{"contoso.com"}, Passwords: map[string]string{user: password}}
	clear := mx
	clear.NoStartTLS = true

	t.Run("in the clear", func(t *testing.T) {
		srv := startServer(t, clear)
		s := senderFor(srv)
		s.Config.TLS = mailer.TLSIfOffered
		p := s.Probe(context.Background())
		defer p.Close()
		p.SetAuth(mailer.AuthNone)
		if _, err := p.Resolve(); err != nil {
			t.Fatal(err)
		}
		if _, _, err := p.Connect(); err != nil {
			t.Fatal(err)
		}
		if a, err := p.StartTLS(); err != nil || a != mailer.NotEncrypted || p.Encrypted() {
			t.Fatalf("starttls: %q, %v, encrypted %v; want %q", a, err, p.Encrypted(), mailer.NotEncrypted)
		}
		if info, err := p.CheckTLS(); err != nil || info.Version != 0 {
			t.Fatalf("tls: %+v, %v; want nothing checked", info, err)
		}
		if _, err := p.Mail(user); err != nil {
			t.Fatal(err)
		}
		if _, err := p.Rcpt("alice@contoso.com"); err != nil {
			t.Fatal(err)
		}
		msg := internalMessage()
		msg.To = []string{"alice@contoso.com"}
		if a, err := p.Data(msg); err != nil || !strings.HasPrefix(a, "250 ") {
			t.Fatalf("data: %q, %v", a, err)
		}
		p.Close()
		if got := srv.Messages(); len(got) != 1 || got[0].TLS || got[0].User != "" {
			t.Errorf("received %+v, want one in the clear without AUTH", got)
		}
	})

	tests := []struct {
		name   string
		policy mailer.TLSPolicy
		auth   bool // SetAuth is not called: a sign-in is expected
	}{
		{"tls required", mailer.TLSRequired, false},
		{"a sign-in expected", mailer.TLSIfOffered, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			srv := startServer(t, clear)
			s := senderFor(srv)
			s.Config.TLS = tt.policy
			p := s.Probe(context.Background())
			defer p.Close()
			if !tt.auth {
				p.SetAuth(mailer.AuthNone)
			}
			_, err := probeUpTo(p)
			var me *mailer.Error
			if !errors.As(err, &me) || me.Step != "starttls" || !errors.Is(err, mailer.ErrNoStartTLS) {
				t.Errorf("err %v, want ErrNoStartTLS at starttls", err)
			}
		})
	}

	t.Run("no sign-in in the clear", func(t *testing.T) {
		srv := startServer(t, clear)
		s := senderFor(srv)
		s.Config.TLS = mailer.TLSIfOffered
		p := s.Probe(context.Background())
		defer p.Close()
		p.SetAuth(mailer.AuthNone)
		if _, err := probeUpTo(p); err != nil {
			t.Fatal(err)
		}
		_, err := p.Auth(mailer.Password(user, password))
		var me *mailer.Error
		if !errors.As(err, &me) || me.Step != "auth" || !errors.Is(err, mailer.ErrNoStartTLS) {
			t.Errorf("err %v, want ErrNoStartTLS at auth", err)
		}
		if n := srv.AuthAttempts(); n != 0 {
			t.Errorf("%d AUTH commands reached the server", n)
		}
		wantNoPassword(t, "transcript", p.Transcript().String())
	})

	t.Run("starttls offered", func(t *testing.T) {
		srv := startServer(t, mx)
		s := senderFor(srv)
		s.Config.TLS = mailer.TLSIfOffered
		p := s.Probe(context.Background())
		defer p.Close()
		p.SetAuth(mailer.AuthNone)
		info, err := probeUpTo(p)
		if err != nil || info.Version < tls.VersionTLS12 || !p.Encrypted() {
			t.Fatalf("through tls: %+v, %v, encrypted %v", info, err, p.Encrypted())
		}
	})
}

// TestProbeClientCert: the Probe presents Config.ClientCert, and a
// connector's refusal of a device it does not recognise has its words.
func TestProbeClientCert(t *testing.T) {
	ca, err := smtptest.NewCA()
	if err != nil {
		t.Fatal(err)
	}
	cert, err := ca.ClientCertificate("scanner.contoso.com")
	if err != nil {
		t.Fatal(err)
	}
	srv := startServer(t, smtptest.Options{
		AcceptedDomains: []string{"contoso.com"}, ClientCAs: ca.Pool(), ConnectorDomains: []string{"contoso.com"}, ConnectorOnly: true,
	})
	for _, withCert := range []bool{true, false} {
		s := senderFor(srv)
		if withCert {
			s.Config.ClientCert = &cert
		}
		p := s.Probe(context.Background())
		p.SetAuth(mailer.AuthNone)
		if _, err := probeUpTo(p); err != nil {
			t.Fatal(err)
		}
		if _, err := p.Mail(user); err != nil {
			t.Fatal(err)
		}
		_, err := p.Rcpt("bob@example.com")
		p.Close()
		if withCert {
			if err != nil {
				t.Errorf("with the certificate: %v", err)
			}
			continue
		}
		var me *mailer.Error
		var se *smtp.SMTPError
		if !errors.As(err, &me) || !errors.As(err, &se) || se.EnhancedCode != (smtp.EnhancedCode{5, 7, 64}) || me.Auth != mailer.AuthNone || !strings.Contains(me.Hint, "Connectors") {
			t.Errorf("without a certificate: %v, want 5.7.64 with the connector's fix", err)
		}
	}
}

// TestProbePassword: the auth step signs in with a Password by the
// mechanism the server offers, and a refusal has the password road's
// words; the password is not in the transcript.
func TestProbePassword(t *testing.T) {
	tests := []struct {
		name    string
		mechs   []string
		pass    string
		summary string // "" for a sign-in
	}{
		{"plain", nil, password, ""},
		{"login only", []string{"LOGIN"}, password, ""},
		{"wrong password", []string{"LOGIN", "XOAUTH2"}, "wrong", "user name or password"},
		{"no mechanism", []string{"XOAUTH2"}, password, "does not take a password sign-in"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			srv := startServer(t, smtptest.Options{Passwords: map[string]string{user: password}, Mechanisms: tt.mechs})
			p := senderFor(srv).Probe(context.Background())
			defer p.Close()
			p.SetAuth(mailer.AuthPassword)
			if _, err := probeUpTo(p); err != nil {
				t.Fatal(err)
			}
			a, err := p.Auth(mailer.Password(user, tt.pass))
			if tt.summary == "" {
				if err != nil || !strings.HasPrefix(a, "235 ") {
					t.Errorf("auth: %q, %v", a, err)
				}
			} else {
				var me *mailer.Error
				if !errors.As(err, &me) || me.Step != "auth" || me.Auth != mailer.AuthPassword || !strings.Contains(me.Summary, tt.summary) {
					t.Errorf("auth: %v, want a refusal about %q", err, tt.summary)
				}
			}
			p.Close()
			wantNoPassword(t, "transcript", p.Transcript().String())
		})
	}
}
