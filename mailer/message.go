package mailer

import (
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"strings"
	"time"

	"github.com/emersion/go-message/mail"
)

// Attachment is a file sent with a message. Its content is streamed from
// Open while the message is written, never held in memory, so a scan of any
// size costs a few kilobytes of buffers.
type Attachment struct {
	Filename    string // as the recipient sees it, e.g. "scan-0001.pdf"
	ContentType string // e.g. "application/pdf"; empty means application/octet-stream
	Open        func() (io.ReadCloser, error)

	// Size is the length of what Open reads, when known; 0 means unknown.
	// With every attachment's size known, Send tells the server the
	// message's exact size before sending it (RFC 1870), and a message
	// larger than the server takes is refused before any of it is sent.
	// Open must then read exactly Size bytes, or sending fails.
	Size int64
}

// Message is an e-mail with a plain-text body and attachments.
type Message struct {
	From    string   // header From, e.g. "Scanner <scanner@example.com>"
	To      []string // header To; Send uses these as the recipients
	Subject string   // may contain any Unicode text
	Body    string   // plain text
	Date    time.Time

	// MessageID is the Message-ID without angle brackets. The outbox keeps
	// it with the job so that a message sent again after a failure keeps
	// its identity and the recipient's client can tell the copies apart.
	MessageID string

	Attachments []Attachment
}

// MessageIDFor returns a random message identifier on the domain of the
// sender's address, without angle brackets.
func MessageIDFor(sender string) string {
	return NewMessageID(domainOf(sender))
}

// NewMessageID returns a random message identifier on domain, without angle
// brackets.
func NewMessageID(domain string) string {
	if domain == "" {
		domain = defaultLocalName
	}
	var b [16]byte
	rand.Read(b[:]) // never fails, see crypto/rand.Read
	return hex.EncodeToString(b[:]) + "@" + domain
}

// WriteTo writes m in MIME format: a multipart/mixed message with the body
// as an inline text part and each attachment in base64.
func (m *Message) WriteTo(w io.Writer) (int64, error) {
	cw := &countingWriter{w: w}
	err := m.write(cw)
	return cw.n, err
}

func (m *Message) write(w io.Writer) error {
	h, err := m.header()
	if err != nil {
		return err
	}
	if len(m.Attachments) == 0 {
		body, err := mail.CreateSingleInlineWriter(w, h)
		if err != nil {
			return err
		}
		if _, err := io.WriteString(body, m.Body); err != nil {
			return err
		}
		return body.Close()
	}

	mw, err := mail.CreateWriter(w, h)
	if err != nil {
		return err
	}
	var th mail.InlineHeader
	th.SetContentType("text/plain", map[string]string{"charset": "utf-8"})
	body, err := mw.CreateSingleInline(th)
	if err != nil {
		return err
	}
	if _, err := io.WriteString(body, m.Body); err != nil {
		return err
	}
	if err := body.Close(); err != nil {
		return err
	}
	for _, a := range m.Attachments {
		if err := writeAttachment(mw, a); err != nil {
			return err
		}
	}
	return mw.Close()
}

func (m *Message) header() (mail.Header, error) {
	var h mail.Header
	from, to, err := m.addresses()
	if err != nil {
		return h, err
	}
	date := m.Date
	if date.IsZero() {
		date = time.Now()
	}
	id := m.MessageID
	if id == "" {
		id = MessageIDFor(from.Address)
	}

	// go-message writes the fields last set first: this reads Date, From,
	// To, Subject... as people expect.
	if len(m.Attachments) == 0 {
		h.SetContentType("text/plain", map[string]string{"charset": "utf-8"})
	}
	h.Set("X-Mailer", "scanmail")
	h.Set("MIME-Version", "1.0")
	h.SetMessageID(id)
	h.SetSubject(m.Subject)
	h.SetAddressList("To", to)
	h.SetAddressList("From", []*mail.Address{from})
	h.SetDate(date)
	return h, nil
}

func (m *Message) addresses() (from *mail.Address, to []*mail.Address, err error) {
	from, err = mail.ParseAddress(m.From)
	if err != nil {
		return nil, nil, fmt.Errorf("from address %q: %w", m.From, err)
	}
	if len(m.To) == 0 {
		return nil, nil, errors.New("message has no recipient")
	}
	for _, s := range m.To {
		a, err := mail.ParseAddress(s)
		if err != nil {
			return nil, nil, fmt.Errorf("recipient address %q: %w", s, err)
		}
		to = append(to, a)
	}
	return from, to, nil
}

// recipients returns the bare addresses of m.To, for RCPT TO.
func (m *Message) recipients() ([]string, error) {
	_, to, err := m.addresses()
	if err != nil {
		return nil, err
	}
	rcpts := make([]string, len(to))
	for i, a := range to {
		rcpts[i] = a.Address
	}
	return rcpts, nil
}

func writeAttachment(mw *mail.Writer, a Attachment) error {
	if a.Open == nil {
		return fmt.Errorf("attachment %q has nothing to open", a.Filename)
	}
	ct := a.ContentType
	if ct == "" {
		ct = "application/octet-stream"
	}
	var ah mail.AttachmentHeader
	ah.SetContentType(ct, nil)
	ah.SetFilename(a.Filename)

	// Open before the part header is written, so that a missing file fails
	// without leaving half a part behind.
	r, err := a.Open()
	if err != nil {
		return fmt.Errorf("attachment %q: %w", a.Filename, err)
	}
	defer r.Close()
	part, err := mw.CreateAttachment(ah)
	if err != nil {
		return err
	}
	if _, err := io.Copy(part, r); err != nil {
		return fmt.Errorf("attachment %q: %w", a.Filename, err)
	}
	return part.Close()
}

func domainOf(addr string) string {
	if i := strings.LastIndexByte(addr, '@'); i >= 0 {
		return addr[i+1:]
	}
	return ""
}

type countingWriter struct {
	w io.Writer
	n int64
}

func (c *countingWriter) Write(p []byte) (int, error) {
	n, err := c.w.Write(p)
	c.n += int64(n)
	return n, err
}
