package mailer_test

import (
	"bytes"
	"context"
	"strings"
	"testing"

	"scanmail/mailer"
	"scanmail/mailer/smtptest"
)

// TestSendDotLines: lines of the message that begin with a dot, or are a
// dot alone, which would end the message early if they went out as they
// are, arrive intact: Send dot-stuffs them and go-smtp's server undoes it.
func TestSendDotLines(t *testing.T) {
	const body = ".\r\n" + // a dot alone first
		"..two dots\r\n" +
		".hidden\r\n" +
		"a line\r\n.\r\n" + // a dot alone in the middle
		".\n" + // with a bare LF, which goes as CRLF
		"the end\r\n" +
		"." // a dot alone last, without CRLF: SMTP adds one
	path, pdf := writeRandomFile(t, 100<<10)
	tests := []struct {
		name string
		atts []mailer.Attachment
	}{
		{"text only", nil},
		{"with an attachment", []mailer.Attachment{fileAttachment("scan.pdf", path)}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			srv := startServer(t, smtptest.Options{Authenticate: checkToken})
			msg := testMessage(tt.atts...)
			msg.Body = body
			if err := senderFor(srv).Send(context.Background(), mailer.NewXOAuth2Client(user, token), user, msg); err != nil {
				t.Fatalf("Send: %v", err)
			}
			got := srv.Messages()
			if len(got) != 1 {
				t.Fatalf("server received %d messages, want 1", len(got))
			}
			data := got[0].Data

			if tt.atts == nil {
				// Byte for byte what WriteTo writes, its bare LF as CRLF,
				// and the CRLF that SMTP adds to a message without one.
				var b bytes.Buffer
				if _, err := msg.WriteTo(&b); err != nil {
					t.Fatal(err)
				}
				want := strings.ReplaceAll(strings.ReplaceAll(b.String(), "\r\n", "\n"), "\n", "\r\n") + "\r\n"
				if string(data) != want {
					t.Errorf("received\n%q\nwant\n%q", data, want)
				}
			}
			p := parseMessage(t, bytes.NewReader(data))
			// Alone, the text gets the CRLF that SMTP adds.
			text := strings.TrimSuffix(strings.ReplaceAll(p.text, "\r\n", "\n"), "\n")
			if want := strings.ReplaceAll(body, "\r\n", "\n"); text != want {
				t.Errorf("text = %q, want %q", text, want)
			}
			if tt.atts != nil && !bytes.Equal(p.attachments["scan.pdf"], pdf) {
				t.Errorf("attachment: %d bytes, want the file's %d", len(p.attachments["scan.pdf"]), len(pdf))
			}
		})
	}
}
