package mailer_test

import (
	"context"
	"encoding/base64"
	"errors"
	"fmt"
	"io"
	"regexp"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/emersion/go-smtp"

	"scanmail/mailer"
	"scanmail/mailer/smtptest"
)

// transcriptLine is the form of every line: time, direction, text.
var transcriptLine = regexp.MustCompile(`^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z [CS]: [[:print:]]*$|^\[\d+ lines omitted\]$`)

// wantInOrder checks that each of want is in a line of lines, in order.
func wantInOrder(t *testing.T, lines []string, want []string) {
	t.Helper()
	i := 0
	for _, l := range lines {
		if i < len(want) && strings.Contains(l, want[i]) {
			i++
		}
	}
	if i < len(want) {
		t.Errorf("transcript lacks %q (in this order after %q):\n%s", want[i], want[:i], strings.Join(lines, "\n"))
	}
}

// wantNoSecret checks that no form of the credential is in s.
func wantNoSecret(t *testing.T, s string) {
	t.Helper()
	ir := "user=" + user + "\x01auth=Bearer " + token + "\x01\x01"
	for _, secret := range []string{
		token,
		"secret-access-token",
		base64.StdEncoding.EncodeToString([]byte(ir)),
		base64.StdEncoding.EncodeToString([]byte(ir))[52:80], // a piece of the token's part
		base64.StdEncoding.EncodeToString([]byte(token)),
	} {
		if strings.Contains(s, secret) {
			t.Errorf("transcript contains %q:\n%s", secret, s)
		}
	}
}

func TestTranscriptSend(t *testing.T) {
	reject := func(string, string) error { return errors.New("expired") }
	disabled := &smtp.SMTPError{Code: 535, EnhancedCode: smtp.EnhancedCode{5, 7, 139},
		Message: "Authentication unsuccessful, SmtpClientAuthentication is disabled for the Tenant."}
	broken := mailer.Attachment{Filename: "scan.pdf", ContentType: "application/pdf", Open: func() (io.ReadCloser, error) {
		return nil, errors.New("spool file gone")
	}}
	sent := []string{
		"S: 220 localhost ESMTP",
		"C: EHLO scanmail.localdomain",
		"S: 250-STARTTLS",
		"C: STARTTLS",
		"S: 220 2.0.0",
		"C: EHLO scanmail.localdomain",
		"S: 250-AUTH XOAUTH2",
		"C: AUTH XOAUTH2 [redacted]",
		"S: 235 2.0.0",
		"C: MAIL FROM:<" + user + ">",
		"S: 250 2.0.0",
		"C: RCPT TO:<alice@example.com>",
		"S: 250 2.0.0",
		"C: RCPT TO:<bob@example.com>",
		"S: 250 2.0.0",
		"C: DATA",
		"S: 354 ",
		"C: [message body: ",
		"C: .",
		"S: 250 2.0.0 OK",
		"C: QUIT",
		"S: 221 ",
	}
	tests := []struct {
		name    string
		opts    smtptest.Options
		fail    *smtp.SMTPError // for FailNext("auth")
		atts    []mailer.Attachment
		wantErr bool
		want    []string
		notWant []string
	}{
		{name: "exchange style", opts: smtptest.Options{Authenticate: checkToken}, want: sent},
		{name: "gmail style, signed in", opts: smtptest.Options{Authenticate: checkToken, Challenge: true}, want: sent},
		{
			name: "gmail style, token rejected", opts: smtptest.Options{Authenticate: reject, Challenge: true}, wantErr: true,
			want: []string{
				"C: STARTTLS", "C: EHLO scanmail.localdomain",
				"C: AUTH XOAUTH2 [redacted]",
				"S: 334 eyJzdGF0dXMi", // the server's explanation is no secret
				"C: [empty response]",
				"S: 535 5.7.3 Authentication unsuccessful",
				"C: *",
				"S: 501 ",
			},
			notWant: []string{"MAIL FROM", "[message body"},
		},
		{
			name: "smtp auth disabled", opts: smtptest.Options{Authenticate: checkToken}, fail: disabled, wantErr: true,
			want: []string{
				"C: AUTH XOAUTH2 [redacted]",
				"S: 535 5.7.139 Authentication unsuccessful, SmtpClientAuthentication is disabled for the Tenant.",
			},
			notWant: []string{"MAIL FROM"},
		},
		{
			name: "no starttls", opts: smtptest.Options{NoStartTLS: true}, wantErr: true,
			want:    []string{"S: 220 ", "C: EHLO scanmail.localdomain", "S: 250-AUTH XOAUTH2", "S: 250 "},
			notWant: []string{"C: STARTTLS", "C: AUTH"},
		},
		{
			name: "attachment unreadable", opts: smtptest.Options{}, atts: []mailer.Attachment{broken}, wantErr: true,
			want:    []string{"C: DATA", "S: 354 ", "C: [message body: "},
			notWant: []string{"C: .", "S: 250 2.0.0 OK", "C: QUIT"},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			srv := startServer(t, tt.opts)
			if tt.fail != nil {
				srv.FailNext("auth", tt.fail)
			}
			tr := mailer.NewTranscript(0, 0, nil)
			s := senderFor(srv)
			s.Config.Transcript = tr

			// Someone looks at the transcript while Send runs.
			done := make(chan struct{})
			var wg sync.WaitGroup
			wg.Go(func() {
				for {
					select {
					case <-done:
						return
					default:
						tr.Lines()
						time.Sleep(time.Millisecond)
					}
				}
			})
			err := s.Send(context.Background(), mailer.NewXOAuth2Client(user, token), user, testMessage(tt.atts...))
			close(done)
			wg.Wait()
			if (err != nil) != tt.wantErr {
				t.Fatalf("Send: %v, want an error: %v", err, tt.wantErr)
			}

			lines := tr.Lines()
			wantInOrder(t, lines, tt.want)
			for _, l := range lines {
				if !transcriptLine.MatchString(l) {
					t.Errorf("line %q is not a transcript line", l)
				}
				for _, nw := range tt.notWant {
					if strings.Contains(l, nw) {
						t.Errorf("line %q should not be there", l)
					}
				}
			}
			wantNoSecret(t, tr.String())
			if tr.Truncated() {
				t.Error("Truncated() is true for a short session")
			}

			if msgs := srv.Messages(); len(msgs) == 1 {
				// The placeholder counts the bytes on the wire; this message
				// has no line that starts with a dot, so they are the bytes
				// the server received.
				want := fmt.Sprintf("C: [message body: %d bytes]", len(msgs[0].Data))
				if !slices.ContainsFunc(lines, func(l string) bool { return strings.HasSuffix(l, want) }) {
					t.Errorf("no line %q:\n%s", want, strings.Join(lines, "\n"))
				}
			}
		})
	}
}

// session is an SMTP session as go-smtp's DebugWriter sees it: both
// directions in one stream.
const session = "220 mx.example.com ESMTP\r\n" +
	"EHLO scanner\r\n" +
	"250-mx.example.com\r\n250-AUTH PLAIN LOGIN XOAUTH2\r\n250 SIZE 1000\r\n" +
	"AUTH PLAIN AHNjYW5uZXIAaHVudGVyMg==\r\n" + // \0scanner\0hunter2
	"535 5.7.3 Authentication unsuccessful\r\n" +
	"AUTH LOGIN\r\n" +
	"334 VXNlcm5hbWU6\r\n" +
	"c2Nhbm5lcg==\r\n" +
	"334 UGFzc3dvcmQ6\r\n" +
	"aHVudGVyMg==\r\n" +
	"235 2.7.0 Authentication successful\r\n" +
	"MAIL FROM:<scanner@example.com>\r\n" +
	"250 2.1.0 Sender OK\r\n" +
	"RCPT TO:<a@example.com>\r\n" +
	"250 2.1.5 Recipient OK\r\n" +
	"DATA\r\n" +
	"354 Start mail input; end with <CRLF>.<CRLF>\r\n" +
	"Subject: hunter2\r\n" + // the body: never shown
	"\r\n" +
	"250 OK, a line of the message\r\n" +
	"AUTH XOAUTH2 in the message\r\n" +
	"..a dot-stuffed line\r\n" +
	".\r\n" +
	"250 2.6.0 <20260312@example.com> [Hostname=SN4PR0601MB1234.namprd06.prod.outlook.com] Queued mail for delivery\r\n" +
	"QUIT\r\n" +
	"221 2.0.0 Service closing transmission channel\r\n"

var sessionLines = []string{
	"S: 220 mx.example.com ESMTP",
	"C: EHLO scanner",
	"S: 250-mx.example.com",
	"S: 250-AUTH PLAIN LOGIN XOAUTH2",
	"S: 250 SIZE 1000",
	"C: AUTH PLAIN [redacted]",
	"S: 535 5.7.3 Authentication unsuccessful",
	"C: AUTH LOGIN",
	"S: 334 VXNlcm5hbWU6",
	"C: [redacted]",
	"S: 334 UGFzc3dvcmQ6",
	"C: [redacted]",
	"S: 235 2.7.0 Authentication successful",
	"C: MAIL FROM:<scanner@example.com>",
	"S: 250 2.1.0 Sender OK",
	"C: RCPT TO:<a@example.com>",
	"S: 250 2.1.5 Recipient OK",
	"C: DATA",
	"S: 354 Start mail input; end with <CRLF>.<CRLF>",
	"C: [message body: 102 bytes]",
	"C: .",
	"S: 250 2.6.0 <20260312@example.com> [Hostname=SN4PR0601MB1234.namprd06.prod.outlook.com] Queued mail for delivery",
	"C: QUIT",
	"S: 221 2.0.0 Service closing transmission channel",
}

// stamp strips the time from lines, checking that it is the clock's.
func stamp(t *testing.T, lines []string, now time.Time) []string {
	t.Helper()
	prefix := now.Format("2006-01-02T15:04:05.000Z") + " "
	out := make([]string, len(lines))
	for i, l := range lines {
		s, ok := strings.CutPrefix(l, prefix)
		if !ok && !strings.HasPrefix(l, "[") {
			t.Errorf("line %q is not stamped %q", l, prefix)
		}
		out[i] = s
		if !ok {
			out[i] = l
		}
	}
	return out
}

// TestTranscriptPieces feeds a whole session in pieces of every size, as
// the connection may carry it: the transcript does not depend on them.
func TestTranscriptPieces(t *testing.T) {
	clock := newFakeClock()
	for _, size := range []int{len(session), 1, 2, 3, 7, 64, 4096} {
		tr := mailer.NewTranscript(0, 0, clock.Now)
		for p := []byte(session); len(p) > 0; {
			n := min(size, len(p))
			if m, err := tr.Write(p[:n]); m != n || err != nil {
				t.Fatalf("Write = %d, %v", m, err)
			}
			p = p[n:]
		}
		if got := stamp(t, tr.Lines(), clock.Now()); !slices.Equal(got, sessionLines) {
			t.Errorf("in pieces of %d bytes:\n%s\nwant:\n%s", size, strings.Join(got, "\n"), strings.Join(sessionLines, "\n"))
		}
		for _, secret := range []string{"hunter2", "aHVudGVyMg", "c2Nhbm5lcg", "AHNjYW5uZXIAaHVudGVyMg", "a line of the message", "dot-stuffed"} {
			if strings.Contains(tr.String(), secret) {
				t.Errorf("in pieces of %d bytes: transcript contains %q", size, secret)
			}
		}
	}
}

func TestTranscriptRedacts(t *testing.T) {
	xoauth2 := base64.StdEncoding.EncodeToString([]byte("user=" + user + "\x01auth=Bearer " + token + "\x01\x01"))
	jwt := "eyJhbGciOiJSUzI1NiIsInR5cCI6IkpXVCJ9.eyJhdWQiOiJodHRwczovL291dGxvb2sub2ZmaWNlLmNvbSJ9.c2lnbmF0dXJl"
	gmail := base64.StdEncoding.EncodeToString([]byte(`{"status":"401","schemes":"bearer","scope":"https://mail.google.com/"}`))
	tests := []struct {
		name  string
		input string
		want  []string
	}{
		{"xoauth2", "AUTH XOAUTH2 " + xoauth2 + "\r\n", []string{"C: AUTH XOAUTH2 [redacted]"}},
		{"login with initial response", "AUTH LOGIN c2Nhbm5lcg==\r\n", []string{"C: AUTH LOGIN [redacted]"}},
		{"lower case", "auth xoauth2 " + xoauth2 + "\r\n", []string{"C: auth xoauth2 [redacted]"}},
		{"cut short", "AUTH XOAUTH2 " + xoauth2 + strings.Repeat("A", 600) + "\r\n", []string{"C: AUTH XOAUTH2 [redacted] [line cut]"}},
		{"xoauth2 elsewhere", "501 5.5.2 Cannot decode " + xoauth2 + "\r\n", []string{"S: 501 5.5.2 Cannot decode [redacted]"}},
		{"xoauth2 cut elsewhere", "501 5.5.2 " + xoauth2[:80] + "\r\n", []string{"S: 501 5.5.2 [redacted]"}},
		{"bearer", "535 5.7.3 token Bearer abc.DEF-123 rejected\r\n", []string{"S: 535 5.7.3 token Bearer [redacted] rejected"}},
		{"jwt", "535 5.7.3 token " + jwt + " rejected\r\n", []string{"S: 535 5.7.3 token [redacted] rejected"}},
		{"raw xoauth2", "NOOP user=x\x01auth=Bearer " + token + "\x01\x01\r\n", []string{`C: NOOP user=x\x01auth=Bearer [redacted]\x01\x01`}},
		{
			"sasl response whatever it looks like",
			"AUTH XOAUTH2\r\n334 \r\n" + "250 " + token + "\r\n" + "235 ok\r\n",
			[]string{"C: AUTH XOAUTH2", "S: 334 ", "C: [redacted]", "S: 235 ok"},
		},
		{
			"login without initial response",
			"AUTH LOGIN\r\n334 VXNlcm5hbWU6\r\n" + base64.StdEncoding.EncodeToString([]byte(user)) + "\r\n334 UGFzc3dvcmQ6\r\n" +
				base64.StdEncoding.EncodeToString([]byte(token)) + "\r\n235 2.7.0 Authentication successful\r\n",
			[]string{"C: AUTH LOGIN", "S: 334 VXNlcm5hbWU6", "C: [redacted]", "S: 334 UGFzc3dvcmQ6", "C: [redacted]", "S: 235 2.7.0 Authentication successful"},
		},
		{
			"plain without initial response",
			"AUTH PLAIN\r\n334 \r\n" + base64.StdEncoding.EncodeToString([]byte("\x00"+user+"\x00"+token)) + "\r\n535 5.7.3 Authentication unsuccessful\r\n",
			[]string{"C: AUTH PLAIN", "S: 334 ", "C: [redacted]", "S: 535 5.7.3 Authentication unsuccessful"},
		},
		{
			"gmail challenge kept",
			"AUTH XOAUTH2 " + xoauth2 + "\r\n334 " + gmail + "\r\n\r\n535 5.7.8 Username and Password not accepted\r\n",
			[]string{"C: AUTH XOAUTH2 [redacted]", "S: 334 " + gmail, "C: [empty response]", "S: 535 5.7.8 Username and Password not accepted"},
		},
		{
			"no false alarms",
			"250 2.6.0 <CAF2kXtxQ0pKj7UZ0tq+uGmXQ3@mail.gmail.com> [InternalId=12884901890, Hostname=AM0PR04MB6705.eurprd04.prod.outlook.com] 1234567890abcdefABCDEF Queued\r\n",
			[]string{"S: 250 2.6.0 <CAF2kXtxQ0pKj7UZ0tq+uGmXQ3@mail.gmail.com> [InternalId=12884901890, Hostname=AM0PR04MB6705.eurprd04.prod.outlook.com] 1234567890abcdefABCDEF Queued"},
		},
		{"control characters", "250 a\x00b\x1b[31mc\xffd é\r\n", []string{`S: 250 a\x00b\x1b[31mc\xffd é`}},
	}
	clock := newFakeClock()
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			tr := mailer.NewTranscript(0, 0, clock.Now)
			io.WriteString(tr, tt.input)
			if got := stamp(t, tr.Lines(), clock.Now()); !slices.Equal(got, tt.want) {
				t.Errorf("got:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(tt.want, "\n"))
			}
			wantNoSecret(t, tr.String())
		})
	}
}

// TestTranscriptUnfinished: a session cut off shows how far it got, and
// still no secret.
func TestTranscriptUnfinished(t *testing.T) {
	tests := []struct {
		name  string
		input string
		last  string
	}{
		{"in the message", "DATA\r\n354 go on\r\nSubject: x\r\n\r\nsome text", "C: [message body: 23 bytes so far, not ended]"},
		{"in a reply", "EHLO x\r\n250-mx\r\n250-SIZE 10", "S: 250-SIZE 10 [line not ended]"},
		{"in a command", "MAIL FROM:<a@exa", "C: MAIL FROM:<a@exa [line not ended]"},
		{"in a sasl response", "AUTH LOGIN\r\n334 VXNlcm5hbWU6\r\n" + token[:10], "C: [redacted] [line not ended]"},
		{"in the auth command", "AUTH XOAUTH2 dXNlcj1zY2FubmVyQGNvbnRvc28uY29tAWF1dGg9QmVhcmVyIGV5", "C: AUTH XOAUTH2 [redacted] [line not ended]"},
	}
	clock := newFakeClock()
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			tr := mailer.NewTranscript(0, 0, clock.Now)
			io.WriteString(tr, tt.input)
			lines := stamp(t, tr.Lines(), clock.Now())
			if len(lines) == 0 || lines[len(lines)-1] != tt.last {
				t.Errorf("lines end with %q, want %q", lines, tt.last)
			}
			if strings.Contains(tr.String(), token[:10]) || strings.Contains(tr.String(), "QmVhcmVy") {
				t.Errorf("transcript shows the secret:\n%s", tr.String())
			}
		})
	}
}

func TestTranscriptBounds(t *testing.T) {
	tests := []struct {
		name               string
		lines, bytes       int
		n                  int // RCPT commands, each answered
		rcptLen            int // length of each address
		wantLines          int // at most
		wantBytes          int // at most
		wantFirst, wantEnd string
	}{
		{name: "defaults, lines", n: 5000, rcptLen: 20, wantLines: mailer.DefaultTranscriptLines, wantBytes: mailer.DefaultTranscriptBytes},
		{name: "defaults, bytes", n: 5000, rcptLen: 400, wantLines: mailer.DefaultTranscriptLines, wantBytes: mailer.DefaultTranscriptBytes},
		{name: "small", lines: 20, bytes: 4096, n: 1000, rcptLen: 20, wantLines: 20, wantBytes: 4096},
		{name: "below the minimum", lines: 1, bytes: 10, n: 1000, rcptLen: 300, wantLines: 8, wantBytes: 4096},
	}
	clock := newFakeClock()
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			tr := mailer.NewTranscript(tt.lines, tt.bytes, clock.Now)
			io.WriteString(tr, "220 mx ESMTP\r\n")
			for i := range tt.n {
				addr := fmt.Sprintf("%0*d@example.com", tt.rcptLen-len("@example.com"), i)
				fmt.Fprintf(tr, "RCPT TO:<%s>\r\n250 2.1.5 Recipient %d OK\r\n", addr, i)
			}
			io.WriteString(tr, "QUIT\r\n221 Bye\r\n")

			lines := tr.Lines()
			if len(lines) > tt.wantLines || len(tr.String()) > tt.wantBytes {
				t.Errorf("%d lines, %d bytes; want at most %d, %d", len(lines), len(tr.String()), tt.wantLines, tt.wantBytes)
			}
			if !tr.Truncated() {
				t.Error("Truncated() = false")
			}
			if !strings.HasSuffix(lines[0], "S: 220 mx ESMTP") || !strings.HasSuffix(lines[len(lines)-1], "S: 221 Bye") {
				t.Errorf("first and last lines %q, %q; want the greeting and the answer to QUIT", lines[0], lines[len(lines)-1])
			}
			omitted := slices.IndexFunc(lines, func(l string) bool { return strings.HasPrefix(l, "[") })
			var n int
			if omitted < 0 {
				t.Fatalf("no line says what was left out:\n%s", strings.Join(lines, "\n"))
			}
			fmt.Sscanf(lines[omitted], "[%d lines omitted]", &n)
			if total := 2*tt.n + 3; n+len(lines)-1 != total {
				t.Errorf("%d lines kept and %d omitted, want %d in all", len(lines)-1, n, total)
			}
			for _, l := range lines {
				if !transcriptLine.MatchString(l) {
					t.Errorf("line %q is not a transcript line", l)
				}
			}
		})
	}
}

func TestTranscriptLongLine(t *testing.T) {
	tr := mailer.NewTranscript(0, 0, nil)
	long := strings.Repeat("x", 1<<20)
	io.WriteString(tr, "250-"+long+"\r\n250 "+long+"\r\n")
	lines := tr.Lines()
	if len(lines) != 2 || !tr.Truncated() {
		t.Fatalf("%d lines, Truncated %v; want 2 lines, true", len(lines), tr.Truncated())
	}
	for _, l := range lines {
		if len(l) > 700 || !strings.HasSuffix(l, "[line cut]") {
			t.Errorf("line of %d bytes ending %q, want at most 700 ending [line cut]", len(l), l[len(l)-20:])
		}
	}
	// The second line ended the reply: a command is expected, and a
	// second reply is told apart as well.
	io.WriteString(tr, "QUIT\r\n221 Bye\r\n")
	if got := tr.Lines(); !strings.HasSuffix(got[2], "C: QUIT") || !strings.HasSuffix(got[3], "S: 221 Bye") {
		t.Errorf("after the long reply: %q", got[2:])
	}
}

// TestTranscriptMessageLines: within the message, which the transcript
// skips a stretch at a time, only the final dot ends it, however the
// stream is cut: not a stuffed line of dots, nor a dot within a line or at
// its end.
func TestTranscriptMessageLines(t *testing.T) {
	const body = "a.b\r\n..\r\n...x\r\n\r\n.. \r\nend.\r\n.\r\r\n..\r\nx"
	const stream = "DATA\r\n354 go on\r\n" + body + "\r\n.\r\n250 2.0.0 OK\r\nQUIT\r\n"
	want := []string{
		"C: DATA",
		"S: 354 go on",
		fmt.Sprintf("C: [message body: %d bytes]", len(body)+2),
		"C: .",
		"S: 250 2.0.0 OK",
		"C: QUIT",
	}
	clock := newFakeClock()
	check := func(name string, pieces []string) {
		t.Helper()
		tr := mailer.NewTranscript(0, 0, clock.Now)
		for _, p := range pieces {
			io.WriteString(tr, p)
		}
		if got := stamp(t, tr.Lines(), clock.Now()); !slices.Equal(got, want) {
			t.Fatalf("%s:\n%s\nwant:\n%s", name, strings.Join(got, "\n"), strings.Join(want, "\n"))
		}
	}
	for i := range len(stream) + 1 {
		check(fmt.Sprintf("cut at %d", i), []string{stream[:i], stream[i:]})
	}
	for size := 1; size <= 8; size++ {
		var pieces []string
		for s := stream; len(s) > 0; s = s[min(size, len(s)):] {
			pieces = append(pieces, s[:min(size, len(s))])
		}
		check(fmt.Sprintf("in pieces of %d", size), pieces)
	}
}
