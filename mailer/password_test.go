package mailer_test

import (
	"bytes"
	"context"
	"encoding/base64"
	"errors"
	"log/slog"
	"strings"
	"testing"

	"github.com/emersion/go-smtp"

	"scanmail/mailer"
	"scanmail/mailer/smtptest"
)

const password = "Tr0ub4dor&3-secret"

// wantNoPassword checks that no form of the password is in s.
func wantNoPassword(t *testing.T, what, s string) {
	t.Helper()
	for _, secret := range []string{
		password,
		base64.StdEncoding.EncodeToString([]byte(password)),                          // LOGIN's answer
		base64.StdEncoding.EncodeToString([]byte("\x00" + user + "\x00" + password)), // PLAIN's
	} {
		if strings.Contains(s, secret) {
			t.Errorf("%s contains %q:\n%s", what, secret, s)
		}
	}
}

// TestSendPassword: a Password signs in with PLAIN where the server offers
// it, else LOGIN, only inside TLS; a refusal is an auth *Error; and the
// password is nowhere but inside the AUTH exchange.
func TestSendPassword(t *testing.T) {
	passwords := map[string]string{user: password}
	tests := []struct {
		name       string
		opts       smtptest.Options
		pass       string
		mech       string // the mechanism the server saw; "" for a failure
		noStart    bool   // fails with ErrNoStartTLS
		noMech     bool   // fails with ErrNoPasswordMechanism
		enh        smtp.EnhancedCode
		summary    string // a part of the words for a refusal
		transcript []string
	}{
		{name: "plain", opts: smtptest.Options{Passwords: passwords}, pass: password, mech: "PLAIN",
			transcript: []string{"C: AUTH PLAIN [redacted]", "S: 235 "}},
		{name: "login only", opts: smtptest.Options{Passwords: passwords, Mechanisms: []string{"LOGIN"}}, pass: password, mech: "LOGIN",
			transcript: []string{"C: AUTH LOGIN [redacted]", "S: 334 UGFzc3dvcmQ6", "C: [redacted]", "S: 235 "}},
		{name: "login before xoauth2 as exchange", opts: smtptest.Options{Passwords: passwords, Mechanisms: []string{"LOGIN", "XOAUTH2"}}, pass: password, mech: "LOGIN"},
		{name: "wrong password", opts: smtptest.Options{Passwords: passwords}, pass: "wrong " + password, enh: smtp.EnhancedCode{5, 7, 3}, summary: "user name or password"},
		{name: "gmail account password", opts: smtptest.Options{Passwords: map[string]string{user: "app password"}, AccountPasswords: passwords, Gmail: true},
			pass: password, enh: smtp.EnhancedCode{5, 7, 9}, summary: "app password"},
		{name: "gmail wrong app password", opts: smtptest.Options{Passwords: map[string]string{user: "app password"}, AccountPasswords: passwords, Gmail: true},
			pass: "wrong " + password, enh: smtp.EnhancedCode{5, 7, 8}, summary: "address or app password"},
		{name: "gmail app password", opts: smtptest.Options{Passwords: passwords, Gmail: true}, pass: password, mech: "PLAIN"},
		{name: "wrong password by login", opts: smtptest.Options{Passwords: passwords, Mechanisms: []string{"LOGIN"}}, pass: "wrong " + password, enh: smtp.EnhancedCode{5, 7, 3}},
		{name: "no password mechanism", opts: smtptest.Options{Passwords: passwords, Mechanisms: []string{"XOAUTH2"}}, pass: password, noMech: true},
		{name: "no starttls", opts: smtptest.Options{Passwords: passwords, NoStartTLS: true}, pass: password, noStart: true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			srv := startServer(t, tt.opts)
			var logs bytes.Buffer
			s := senderFor(srv)
			s.Config.Logger = slog.New(slog.NewTextHandler(&logs, &slog.HandlerOptions{Level: slog.LevelDebug}))
			s.Config.Transcript = mailer.NewTranscript(0, 0, nil)

			err := s.Send(context.Background(), mailer.Password(user, tt.pass), user, testMessage())

			got := srv.Messages()
			switch {
			case tt.mech != "":
				if err != nil {
					t.Fatalf("Send: %v", err)
				}
				if len(got) != 1 || got[0].User != user || got[0].Mechanism != tt.mech || !got[0].TLS {
					t.Errorf("received %+v, want one signed in by %s over TLS", got, tt.mech)
				}
			default:
				e := asError(t, err)
				if len(got) != 0 {
					t.Errorf("server received %d messages", len(got))
				}
				wantNoPassword(t, "error", err.Error()+" "+e.Summary+" "+e.Hint)
				if e.Auth != mailer.AuthPassword || e.Port != srv.Port() || !strings.Contains(e.Summary, tt.summary) {
					t.Errorf("Auth %q Port %d Summary %q; want %q, %d, %q", e.Auth, e.Port, e.Summary, mailer.AuthPassword, srv.Port(), tt.summary)
				}
				switch {
				case tt.noStart:
					if !errors.Is(err, mailer.ErrNoStartTLS) || e.Step != "starttls" {
						t.Errorf("error %v (step %s), want ErrNoStartTLS at starttls", err, e.Step)
					}
				case tt.noMech:
					if !errors.Is(err, mailer.ErrNoPasswordMechanism) || e.Step != "auth" || e.Temporary() || !strings.Contains(err.Error(), "XOAUTH2") {
						t.Errorf("error %v (step %s), want ErrNoPasswordMechanism at auth naming what is offered, for good", err, e.Step)
					}
				default:
					var se *smtp.SMTPError
					if !errors.As(err, &se) || se.EnhancedCode != tt.enh || e.Step != "auth" || e.Temporary() {
						t.Errorf("error %v (step %s), want %v at auth, for good", err, e.Step, tt.enh)
					}
				}
				if (tt.noStart || tt.noMech) && srv.AuthAttempts() != 0 {
					t.Errorf("%d AUTH commands reached the server", srv.AuthAttempts())
				}
			}
			tr := s.Config.Transcript.String()
			if tt.transcript != nil {
				wantInOrder(t, s.Config.Transcript.Lines(), tt.transcript)
			}
			wantNoPassword(t, "transcript", tr)
			wantNoPassword(t, "log", logs.String())
		})
	}
}
