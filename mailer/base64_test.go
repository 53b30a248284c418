package mailer

import (
	"bytes"
	"io"
	"math/rand/v2"
	"strings"
	"testing"
	"time"

	"github.com/emersion/go-message/mail"
)

// goMessage writes m as the mailer wrote it before it had its own base64:
// with go-message's mail.Writer throughout.
func goMessage(t *testing.T, m *Message) []byte {
	t.Helper()
	h, err := m.header()
	if err != nil {
		t.Fatal(err)
	}
	var buf bytes.Buffer
	if len(m.Attachments) == 0 {
		body, err := mail.CreateSingleInlineWriter(&buf, h)
		if err != nil {
			t.Fatal(err)
		}
		io.WriteString(body, m.Body)
		body.Close()
		return buf.Bytes()
	}
	mw, err := mail.CreateWriter(&buf, h)
	if err != nil {
		t.Fatal(err)
	}
	var th mail.InlineHeader
	th.SetContentType("text/plain", map[string]string{"charset": "utf-8"})
	body, err := mw.CreateSingleInline(th)
	if err != nil {
		t.Fatal(err)
	}
	io.WriteString(body, m.Body)
	body.Close()
	for _, a := range m.Attachments {
		var ah mail.AttachmentHeader
		ah.SetContentType(a.ContentType, nil)
		ah.SetFilename(a.Filename)
		part, err := mw.CreateAttachment(ah)
		if err != nil {
			t.Fatal(err)
		}
		r, _ := a.Open()
		io.Copy(part, r)
		part.Close()
	}
	mw.Close()
	return buf.Bytes()
}

func boundary(t *testing.T, msg []byte) string {
	t.Helper()
	_, rest, ok := strings.Cut(string(msg), "boundary=")
	if !ok || len(rest) < 60 {
		t.Fatalf("no boundary in %.300q", msg)
	}
	return rest[:60]
}

// TestComposedMessage: the message is the same, byte for byte, as
// go-message's mail.Writer makes it (but for the random boundary), and its
// Size, known without reading the attachments, is its length.
func TestComposedMessage(t *testing.T) {
	attach := func(sizes ...int) []Attachment {
		var atts []Attachment
		for i, n := range sizes {
			data := make([]byte, n)
			rand.NewChaCha8([32]byte{byte(i), byte(n)}).Read(data)
			atts = append(atts, Attachment{
				Filename: "scan-" + string(rune('a'+i)) + ".pdf", ContentType: "application/pdf", Size: int64(n),
				Open: func() (io.ReadCloser, error) { return io.NopCloser(bytes.NewReader(data)), nil },
			})
		}
		return atts
	}
	line, chunk := base64LineIn, base64LineIn*base64Lines
	tests := []struct {
		name string
		body string
		atts []Attachment
	}{
		{"no attachment", "Your scan.\n", nil},
		{"one byte", "Your scan.\n", attach(1)},
		{"two bytes", "x", attach(2)},
		{"three bytes", "", attach(3)},
		{"a line less one", "Your scan.\n", attach(line - 1)},
		{"a line", "Your scan.\n", attach(line)},
		{"a line and one", "Your scan.\n", attach(line + 1)},
		{"two lines", "Your scan.\n", attach(2 * line)},
		{"a chunk less one", "Your scan.\n", attach(chunk - 1)},
		{"a chunk", "Your scan.\n", attach(chunk)},
		{"a chunk and one", "Your scan.\n", attach(chunk + 1)},
		{"several", "Your scan.\n", attach(300<<10, line, 7)},
		{"body with bare line ends and dots", "a\nb\r\n.\n.\r\nc\rd\n", attach(1000)},
		{"long body line", strings.Repeat("long line ", 100) + "\n", attach(100)},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			m := &Message{
				From: "Scanner <scanner@contoso.com>", To: []string{"Alice Müller <alice@example.com>"},
				Subject: "Scan – Grüße", Body: tt.body, MessageID: "0123abcd@contoso.com",
				Date: time.Date(2026, 3, 12, 10, 15, 2, 0, time.UTC), Attachments: tt.atts,
			}
			c, err := m.compose()
			if err != nil {
				t.Fatal(err)
			}
			var buf bytes.Buffer
			n, err := c.WriteTo(&buf)
			if err != nil {
				t.Fatal(err)
			}
			got := buf.Bytes()
			if n != int64(len(got)) {
				t.Errorf("WriteTo returned %d, wrote %d bytes", n, len(got))
			}
			want := goMessage(t, m)
			if len(tt.atts) > 0 {
				want = bytes.ReplaceAll(want, []byte(boundary(t, want)), []byte(boundary(t, got)))
			}
			if !bytes.Equal(got, want) {
				i := 0
				for i < min(len(got), len(want)) && got[i] == want[i] {
					i++
				}
				t.Errorf("message differs from go-message's at byte %d of %d/%d:\n got …%q\nwant …%q",
					i, len(got), len(want), got[max(i-40, 0):min(i+40, len(got))], want[max(i-40, 0):min(i+40, len(want))])
			}
			// On the wire a bare LF goes as CRLF.
			wire := bytes.ReplaceAll(bytes.ReplaceAll(got, []byte("\r\n"), []byte("\n")), []byte("\n"), []byte("\r\n"))
			size, ok := c.Size()
			if !ok || size != int64(len(wire)) {
				t.Errorf("Size() = %d, %v; the message goes as %d bytes", size, ok, len(wire))
			}
		})
	}
}

// TestComposedSizeUnknown: an attachment of unknown size leaves the
// message's size unknown, and one that reads other than its Size fails.
func TestComposedSizeUnknown(t *testing.T) {
	open := func() (io.ReadCloser, error) { return io.NopCloser(strings.NewReader("12345")), nil }
	m := &Message{From: "scanner@contoso.com", To: []string{"bob@example.com"},
		Attachments: []Attachment{{Filename: "a.pdf", Open: open}}}
	c, err := m.compose()
	if err != nil {
		t.Fatal(err)
	}
	if size, ok := c.Size(); ok {
		t.Errorf("Size() = %d, true with an attachment of unknown size", size)
	}
	for _, size := range []int64{4, 6} {
		m.Attachments[0].Size = size
		if _, err := m.WriteTo(io.Discard); err == nil || !strings.Contains(err.Error(), "5 bytes read") {
			t.Errorf("attachment of 5 bytes announced as %d: err = %v", size, err)
		}
	}
}
