package mailer_test

import (
	"bytes"
	"context"
	"errors"
	"io"
	"testing"

	"scanmail/mailer"
	"scanmail/mailer/smtptest"
)

// sized is an attachment of n bytes from memory that counts its openings.
func sized(n int, announce bool, opened *int) mailer.Attachment {
	data := bytes.Repeat([]byte("%PDF-1.7 scan "), n/14+1)[:n]
	a := mailer.Attachment{
		Filename: "scan.pdf", ContentType: "application/pdf",
		Open: func() (io.ReadCloser, error) {
			*opened++
			return io.NopCloser(bytes.NewReader(data)), nil
		},
	}
	if announce {
		a.Size = int64(n)
	}
	return a
}

// TestSendAnnouncesSize: MAIL FROM carries SIZE= (RFC 1870), the exact
// length of the message the server then receives, when every attachment's
// size is known; none when one is not.
func TestSendAnnouncesSize(t *testing.T) {
	tests := []struct {
		name     string
		atts     func(*int) []mailer.Attachment
		announce bool
	}{
		{"no attachment", func(*int) []mailer.Attachment { return nil }, true},
		{"one", func(o *int) []mailer.Attachment { return []mailer.Attachment{sized(300<<10, true, o)} }, true},
		{"several", func(o *int) []mailer.Attachment {
			return []mailer.Attachment{sized(1, true, o), sized(57, true, o), sized(100<<10+1, true, o)}
		}, true},
		{"one of unknown size", func(o *int) []mailer.Attachment {
			return []mailer.Attachment{sized(1000, true, o), sized(1000, false, o)}
		}, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			srv := startServer(t, smtptest.Options{Authenticate: checkToken})
			var opened int
			msg := testMessage(tt.atts(&opened)...)
			msg.Body = "Your scan.\n.a line with a dot\n" // dot-stuffed on the wire, not counted
			if err := senderFor(srv).Send(context.Background(), mailer.NewXOAuth2Client(user, token), user, msg); err != nil {
				t.Fatal(err)
			}
			got := srv.Messages()
			if len(got) != 1 {
				t.Fatalf("server received %d messages, want 1", len(got))
			}
			r := got[0]
			if r.Size != int64(len(r.Data)) {
				t.Fatalf("server counted %d bytes, kept %d", r.Size, len(r.Data))
			}
			want := int64(0)
			if tt.announce {
				want = r.Size
			}
			if r.DeclaredSize != want {
				t.Errorf("MAIL FROM SIZE=%d, want %d (the message has %d bytes)", r.DeclaredSize, want, r.Size)
			}
		})
	}
}

// TestSendOverAdvertisedSize: a message larger than the SIZE the server
// advertises is refused before MAIL FROM with a *SizeError naming the
// server's limit, which TooLarge recognises; the server sees no DATA and
// the attachment is never read.
func TestSendOverAdvertisedSize(t *testing.T) {
	const limit = 100 << 10
	srv := startServer(t, smtptest.Options{Authenticate: checkToken, MaxMessageBytes: limit})
	var opened int
	msg := testMessage(sized(300<<10, true, &opened))
	err := senderFor(srv).Send(context.Background(), mailer.NewXOAuth2Client(user, token), user, msg)
	e := asError(t, err)
	var se *mailer.SizeError
	if !errors.As(err, &se) {
		t.Fatalf("err = %v, want a *mailer.SizeError", err)
	}
	if n := srv.DataCommands(); n != 0 || opened != 0 || len(srv.Messages()) != 0 {
		t.Errorf("%d DATA commands, attachment opened %d times, %d messages; want none", n, opened, len(srv.Messages()))
	}
	var buf bytes.Buffer
	msg.WriteTo(&buf)
	if se.Limit != limit || se.Size != int64(buf.Len()) {
		t.Errorf("SizeError{Size: %d, Limit: %d}, want {%d, %d}", se.Size, se.Limit, buf.Len(), limit)
	}
	if !mailer.TooLarge(err) || e.Temporary() || e.Step != "mail" || e.Summary == "" {
		t.Errorf("TooLarge %v, Temporary %v, Step %q, Summary %q; want true, false, mail, words", mailer.TooLarge(err), e.Temporary(), e.Step, e.Summary)
	}
}
