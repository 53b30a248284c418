package mailer_test

import (
	"bytes"
	"crypto/rand"
	"errors"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/emersion/go-message/mail"

	"scanmail/mailer"
)

// parsed is what a recipient's mail client makes of a message.
type parsed struct {
	header      mail.Header
	text        string
	attachments map[string][]byte // by file name
	types       map[string]string // content type by file name
}

func parseMessage(t *testing.T, r io.Reader) parsed {
	t.Helper()
	mr, err := mail.CreateReader(r)
	if err != nil {
		t.Fatalf("parse message: %v", err)
	}
	p := parsed{header: mr.Header, attachments: map[string][]byte{}, types: map[string]string{}}
	for {
		part, err := mr.NextPart()
		if err == io.EOF {
			break
		}
		if err != nil {
			t.Fatalf("next part: %v", err)
		}
		body, err := io.ReadAll(part.Body)
		if err != nil {
			t.Fatalf("read part: %v", err)
		}
		switch h := part.Header.(type) {
		case *mail.InlineHeader:
			p.text += string(body)
		case *mail.AttachmentHeader:
			name, err := h.Filename()
			if err != nil {
				t.Fatalf("attachment filename: %v", err)
			}
			ct, _, _ := h.ContentType()
			p.attachments[name] = body
			p.types[name] = ct
		}
	}
	return p
}

func fileAttachment(name, path string) mailer.Attachment {
	return mailer.Attachment{
		Filename:    name,
		ContentType: "application/pdf",
		Open:        func() (io.ReadCloser, error) { return os.Open(path) },
	}
}

func writeRandomFile(t *testing.T, size int) (string, []byte) {
	t.Helper()
	data := make([]byte, size)
	rand.Read(data)
	path := filepath.Join(t.TempDir(), "scan.pdf")
	if err := os.WriteFile(path, data, 0o644); err != nil {
		t.Fatal(err)
	}
	return path, data
}

func TestMessageWriteTo(t *testing.T) {
	path, pdf := writeRandomFile(t, 300<<10)
	date := time.Date(2026, 3, 12, 10, 15, 2, 0, time.FixedZone("CET", 3600))
	m := &mailer.Message{
		From:        "Scanner <scanner@contoso.com>",
		To:          []string{"Alice Müller <alice@example.com>", "bob@example.com"},
		Subject:     "Scan vom Drucker – Grüße",
		Body:        "Your scan is attached.\nSecond line.\n",
		Date:        date,
		MessageID:   "0123abcd@contoso.com",
		Attachments: []mailer.Attachment{fileAttachment("Rechnung März.pdf", path)},
	}
	var buf bytes.Buffer
	n, err := m.WriteTo(&buf)
	if err != nil {
		t.Fatal(err)
	}
	if n != int64(buf.Len()) {
		t.Errorf("WriteTo returned %d, wrote %d bytes", n, buf.Len())
	}
	raw := buf.String()
	// Headers travel as ASCII: non-ASCII text goes in encoded words.
	head, _, _ := strings.Cut(raw, "\r\n\r\n")
	for i := 0; i < len(head); i++ {
		if head[i] >= 0x80 {
			t.Fatalf("non-ASCII byte in header:\n%s", head)
		}
	}

	p := parseMessage(t, &buf)
	h := p.header
	if got, _ := h.Subject(); got != m.Subject {
		t.Errorf("Subject = %q, want %q", got, m.Subject)
	}
	if got, _ := h.Date(); !got.Equal(date) {
		t.Errorf("Date = %v, want %v", got, date)
	}
	if got, _ := h.MessageID(); got != m.MessageID {
		t.Errorf("Message-ID = %q, want %q", got, m.MessageID)
	}
	if got := h.Get("X-Mailer"); got != "scanmail" {
		t.Errorf("X-Mailer = %q", got)
	}
	if got := h.Get("MIME-Version"); got != "1.0" {
		t.Errorf("MIME-Version = %q", got)
	}
	from, _ := h.AddressList("From")
	if len(from) != 1 || from[0].Name != "Scanner" || from[0].Address != "scanner@contoso.com" {
		t.Errorf("From = %v", from)
	}
	to, _ := h.AddressList("To")
	if len(to) != 2 || to[0].Name != "Alice Müller" || to[0].Address != "alice@example.com" || to[1].Address != "bob@example.com" {
		t.Errorf("To = %v", to)
	}
	if got := strings.ReplaceAll(p.text, "\r\n", "\n"); got != m.Body {
		t.Errorf("text = %q, want %q", got, m.Body)
	}
	if got := p.attachments["Rechnung März.pdf"]; !bytes.Equal(got, pdf) {
		t.Errorf("attachment: got %d bytes, want the %d bytes of the file (names: %v)", len(got), len(pdf), p.types)
	}
	if got := p.types["Rechnung März.pdf"]; got != "application/pdf" {
		t.Errorf("attachment type = %q", got)
	}
}

func TestMessageWithoutAttachment(t *testing.T) {
	m := &mailer.Message{
		From: "scanner@contoso.com", To: []string{"bob@example.com"},
		Subject: "Test", Body: "It works.\n", MessageID: "x@contoso.com",
	}
	var buf bytes.Buffer
	if _, err := m.WriteTo(&buf); err != nil {
		t.Fatal(err)
	}
	p := parseMessage(t, &buf)
	if ct, _, _ := p.header.ContentType(); ct != "text/plain" {
		t.Errorf("Content-Type = %q, want text/plain", ct)
	}
	if got := strings.ReplaceAll(p.text, "\r\n", "\n"); got != m.Body {
		t.Errorf("text = %q, want %q", got, m.Body)
	}
}

func TestMessageDefaults(t *testing.T) {
	m := &mailer.Message{From: "scanner@contoso.com", To: []string{"bob@example.com"}}
	var buf bytes.Buffer
	before := time.Now().Add(-time.Second)
	if _, err := m.WriteTo(&buf); err != nil {
		t.Fatal(err)
	}
	h := parseMessage(t, &buf).header
	if d, _ := h.Date(); d.Before(before) {
		t.Errorf("Date = %v, want now", d)
	}
	if id, _ := h.MessageID(); !strings.HasSuffix(id, "@contoso.com") {
		t.Errorf("Message-ID = %q, want one on the sender's domain", id)
	}
}

func TestMessageErrors(t *testing.T) {
	missing := filepath.Join(t.TempDir(), "gone.pdf")
	tests := []struct {
		name string
		msg  mailer.Message
		is   error
	}{
		{name: "bad from", msg: mailer.Message{From: "not an address", To: []string{"bob@example.com"}}},
		{name: "no recipient", msg: mailer.Message{From: "a@example.com"}},
		{name: "bad recipient", msg: mailer.Message{From: "a@example.com", To: []string{"bob"}}},
		{
			name: "missing file",
			msg: mailer.Message{From: "a@example.com", To: []string{"bob@example.com"},
				Attachments: []mailer.Attachment{fileAttachment("scan.pdf", missing)}},
			is: fs.ErrNotExist,
		},
		{
			name: "no open",
			msg: mailer.Message{From: "a@example.com", To: []string{"bob@example.com"},
				Attachments: []mailer.Attachment{{Filename: "scan.pdf"}}},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := tt.msg.WriteTo(io.Discard)
			if err == nil {
				t.Fatal("no error")
			}
			if tt.is != nil && !errors.Is(err, tt.is) {
				t.Errorf("error %v is not %v", err, tt.is)
			}
		})
	}
}

func TestNewMessageID(t *testing.T) {
	re := regexp.MustCompile(`^[0-9a-f]{32}@contoso\.com$`)
	a, b := mailer.NewMessageID("contoso.com"), mailer.NewMessageID("contoso.com")
	if !re.MatchString(a) {
		t.Errorf("NewMessageID = %q, want %v", a, re)
	}
	if a == b {
		t.Errorf("two calls gave the same id %q", a)
	}
	if id := mailer.NewMessageID(""); !strings.Contains(id, "@") || strings.HasSuffix(id, "@") {
		t.Errorf("NewMessageID(\"\") = %q, want a domain", id)
	}
}
