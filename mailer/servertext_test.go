package mailer_test

import (
	"bytes"
	"context"
	"errors"
	"log/slog"
	"strings"
	"testing"
	"unicode"

	"github.com/emersion/go-smtp"

	"scanmail/mailer"
	"scanmail/mailer/smtptest"
)

// hostile is a server's answer written to act on whatever shows it: clear
// a terminal and set its title, return the cursor to overwrite the line,
// a NUL, a C1 control, and bidi overrides and isolates that reorder the
// words of a page.
const hostile = "Denied\x1b[2J\x1b]0;owned\x07 \roverwritten\x00 \u009b31m \u202Eexe.fdp\u202C \u2066x\u2069\x7f end"

// unsafeRune returns the first rune of s that is neither printable nor a
// plain space or newline, or -1.
func unsafeRune(s string) rune {
	for _, r := range s {
		if r != '\n' && r != ' ' && !unicode.IsPrint(r) {
			return r
		}
	}
	return -1
}

// TestSendServerTextPrintable: what a server answers, before STARTTLS too,
// reaches the error, its Detail, the transcript and the log without a
// control or bidi character.
func TestSendServerTextPrintable(t *testing.T) {
	tests := []struct {
		step string
		fail []*smtp.SMTPError
	}{
		{"connect", []*smtp.SMTPError{{Code: 421, EnhancedCode: smtp.EnhancedCode{4, 3, 2}, Message: hostile}}}, // the greeting, before STARTTLS
		{"auth", []*smtp.SMTPError{{Code: 535, EnhancedCode: smtp.EnhancedCode{5, 7, 3}, Message: hostile}}},
		{"mail", []*smtp.SMTPError{{Code: 550, EnhancedCode: smtp.EnhancedCode{5, 7, 60}, Message: hostile + "\nsecond line\x1b[1A"}}},
		{"rcpt", []*smtp.SMTPError{nil, {Code: 550, EnhancedCode: smtp.EnhancedCode{5, 1, 1}, Message: hostile}}},
		{"data", []*smtp.SMTPError{{Code: 554, EnhancedCode: smtp.EnhancedCode{5, 6, 0}, Message: hostile}}},
	}
	for _, tt := range tests {
		t.Run(tt.step, func(t *testing.T) {
			srv := startServer(t, smtptest.Options{Authenticate: checkToken})
			for _, f := range tt.fail {
				srv.FailNext(tt.step, f)
			}
			var logBuf bytes.Buffer
			s := senderFor(srv)
			s.Config.Transcript = mailer.NewTranscript(0, 0, nil)
			s.Config.Logger = slog.New(slog.NewJSONHandler(&logBuf, &slog.HandlerOptions{Level: slog.LevelDebug}))
			err := s.Send(context.Background(), mailer.NewXOAuth2Client(user, token), user, testMessage())
			if err == nil {
				t.Fatal("Send succeeded")
			}

			shown := map[string]string{"Error()": err.Error(), "log": logBuf.String(), "transcript": s.Config.Transcript.String()}
			var e *mailer.Error
			var re *mailer.RefusedError
			switch {
			case errors.As(err, &re):
				e = re.Refused[0]
			case !errors.As(err, &e):
				t.Fatalf("error %T %v", err, err)
			}
			shown["Detail()"] = e.Detail()
			var se *smtp.SMTPError
			if !errors.As(e, &se) {
				t.Fatalf("error %v does not carry the server's answer", err)
			}
			shown["SMTPError.Message"] = se.Message
			if !strings.Contains(shown["Detail()"], "Denied") || !strings.Contains(shown["Detail()"], "end") {
				t.Errorf("Detail() %q lost the server's words", shown["Detail()"])
			}
			for where, text := range shown {
				if r := unsafeRune(text); r >= 0 {
					t.Errorf("%s holds %U: %q", where, r, text)
				}
			}
		})
	}
}
