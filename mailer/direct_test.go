package mailer_test

import (
	"context"
	"crypto/tls"
	"errors"
	"slices"
	"strings"
	"testing"

	"github.com/emersion/go-sasl"
	"github.com/emersion/go-smtp"

	"scanmail/mailer"
	"scanmail/mailer/smtptest"
)

// internalMessage is a message to the organisation's own addresses.
func internalMessage() *mailer.Message {
	msg := testMessage()
	msg.To = []string{"alice@contoso.com", "bob@contoso.com"}
	return msg
}

// TestSendDirect: under TLSIfOffered, direct send goes in the clear to a
// server without STARTTLS, and inside TLS, with every check of
// TLSRequired, to one that offers it; no credential ever goes in the
// clear.
func TestSendDirect(t *testing.T) {
	mx := smtptest.Options{AcceptedDomains: []string{"contoso.com"}}
	clear := mx
	clear.NoStartTLS = true
	old := mx
	old.MaxTLSVersion = tls.VersionTLS11
	expired := mx
	expired.ExpiredCertificate = true
	tests := []struct {
		name    string
		opts    smtptest.Options
		policy  mailer.TLSPolicy
		auth    sasl.Client
		roots   bool
		tls     bool   // the message went over TLS
		step    string // the failed step; "" for delivered
		errIs   error
		summary string
	}{
		{name: "in the clear", opts: clear, policy: mailer.TLSIfOffered, roots: true},
		{name: "starttls offered", opts: mx, policy: mailer.TLSIfOffered, roots: true, tls: true},
		{name: "required", opts: clear, policy: mailer.TLSRequired, roots: true, step: "starttls", errIs: mailer.ErrNoStartTLS},
		{name: "untrusted certificate", opts: mx, policy: mailer.TLSIfOffered, step: "starttls", summary: "not trusted"},
		{name: "expired certificate", opts: expired, policy: mailer.TLSIfOffered, roots: true, step: "starttls", summary: "not valid at the device's current time"},
		{name: "TLS 1.1", opts: old, policy: mailer.TLSIfOffered, roots: true, step: "starttls", summary: "encryption"},
		{name: "a password never in the clear", opts: clear, policy: mailer.TLSIfOffered, auth: mailer.Password(user, password), roots: true, step: "starttls", errIs: mailer.ErrNoStartTLS},
		{name: "a token never in the clear", opts: clear, policy: mailer.TLSIfOffered, auth: mailer.NewXOAuth2Client(user, token), roots: true, step: "starttls", errIs: mailer.ErrNoStartTLS},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			srv := startServer(t, tt.opts)
			s := senderFor(srv)
			s.Config.TLS = tt.policy
			if !tt.roots {
				s.Config.RootCAs = nil
			}
			s.Config.Transcript = mailer.NewTranscript(0, 0, nil)
			err := s.Send(context.Background(), tt.auth, user, internalMessage())
			got := srv.Messages()
			if tt.step == "" {
				if err != nil {
					t.Fatalf("Send: %v", err)
				}
				if len(got) != 1 || got[0].TLS != tt.tls || got[0].User != "" || !slices.Equal(got[0].To, []string{"alice@contoso.com", "bob@contoso.com"}) {
					t.Errorf("received %+v, want one message without AUTH, TLS %v", got, tt.tls)
				}
				if tr := s.Config.Transcript.String(); strings.Contains(tr, "C: AUTH") || strings.Contains(tr, "C: STARTTLS") != tt.tls {
					t.Errorf("transcript, want no AUTH and STARTTLS %v:\n%s", tt.tls, tr)
				}
				return
			}
			e := asError(t, err)
			if e.Step != tt.step || tt.errIs != nil && !errors.Is(err, tt.errIs) || !strings.Contains(e.Summary, tt.summary) {
				t.Errorf("error %v (step %s, summary %q), want step %s, %v, %q", err, e.Step, e.Summary, tt.step, tt.errIs, tt.summary)
			}
			if len(got) != 0 || srv.AuthAttempts() != 0 {
				t.Errorf("server received %d messages and %d AUTH commands", len(got), srv.AuthAttempts())
			}
		})
	}

	t.Run("outside recipient", func(t *testing.T) {
		srv := startServer(t, mx)
		s := senderFor(srv)
		s.Config.TLS = mailer.TLSIfOffered
		msg := testMessage()
		msg.To = []string{"alice@contoso.com", "eve@example.com"}
		var re *mailer.RefusedError
		if err := s.Send(context.Background(), nil, user, msg); !errors.As(err, &re) || len(re.Refused) != 1 || re.Refused[0].Rcpt != "eve@example.com" {
			t.Fatalf("Send: %v, want eve@example.com refused", err)
		}
		var se *smtp.SMTPError
		if e := re.Refused[0]; !errors.As(e, &se) || se.EnhancedCode != (smtp.EnhancedCode{5, 7, 54}) || e.Auth != mailer.AuthNone || !strings.Contains(e.Summary, "own addresses") {
			t.Errorf("refusal %v (auth %q), want 5.7.54 without AUTH, about the organization's own addresses", e, e.Auth)
		}
	})
}

// TestSendRelayClientCert: Config.ClientCert is presented in the
// handshake, and a connector that requires a certificate naming the
// organisation's domain takes it; another name or none gets 5.7.64.
func TestSendRelayClientCert(t *testing.T) {
	ca, err := smtptest.NewCA()
	if err != nil {
		t.Fatal(err)
	}
	issue := func(ca *smtptest.CA, name string) *tls.Certificate {
		c, err := ca.ClientCertificate(name)
		if err != nil {
			t.Fatal(err)
		}
		return &c
	}
	srv := startServer(t, smtptest.Options{
		AcceptedDomains:  []string{"contoso.com"},
		ClientCAs:        ca.Pool(),
		ConnectorDomains: []string{"contoso.com"},
		ConnectorOnly:    true,
	})
	tests := []struct {
		name string
		cert *tls.Certificate
		ok   bool
	}{
		{"certificate of the domain", issue(ca, "scanner.contoso.com"), true},
		{"wrong name", issue(ca, "scanner.fabrikam.com"), false},
		{"no certificate", nil, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			before := len(srv.Messages())
			s := senderFor(srv)
			s.Config.ClientCert = tt.cert
			err := s.Send(context.Background(), nil, user, testMessage()) // to example.com: relay
			if tt.ok {
				if err != nil {
					t.Fatalf("Send: %v", err)
				}
				got := srv.Messages()[before:]
				if len(got) != 1 || got[0].ClientCert != "scanner.contoso.com" || !got[0].TLS {
					t.Errorf("received %+v, want one over TLS from scanner.contoso.com", got)
				}
				return
			}
			e := asError(t, err)
			var se *smtp.SMTPError
			if e.Step != "rcpt" || !errors.As(err, &se) || se.EnhancedCode != (smtp.EnhancedCode{5, 7, 64}) || !strings.Contains(e.Hint, "Mail flow › Connectors") {
				t.Errorf("error %v (step %s), want 5.7.64 at rcpt", err, e.Step)
			}
		})
	}
}
