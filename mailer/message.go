package mailer

import (
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"mime/quotedprintable"
	"strings"
	"time"

	"github.com/emersion/go-message/mail"
	"github.com/emersion/go-message/textproto"
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
	c, err := m.compose()
	if err != nil {
		return 0, err
	}
	return c.WriteTo(w)
}

// composed is a message with everything chosen that WriteTo would choose
// anew each time (date, Message-ID, MIME boundary), so that its size can be
// known before it is written.
type composed struct {
	m        *Message
	header   mail.Header
	boundary string // "" for a message without attachments
}

func (m *Message) compose() (*composed, error) {
	h, err := m.header()
	if err != nil {
		return nil, err
	}
	c := &composed{m: m}
	if len(m.Attachments) > 0 {
		var b [30]byte
		rand.Read(b[:]) // never fails, see crypto/rand.Read
		c.boundary = hex.EncodeToString(b[:])
		h.SetContentType("multipart/mixed", map[string]string{"boundary": c.boundary})
	}
	c.header = h
	return c, nil
}

// Size is the message's length as WriteTo writes it, without reading the
// attachments: known when every attachment's Size is. SMTP's dot-stuffing
// is not counted, as RFC 1870 wants.
func (c *composed) Size() (int64, bool) {
	for _, a := range c.m.Attachments {
		if a.Size <= 0 {
			return 0, false
		}
	}
	var w wireCounter
	if err := c.write(&w, &w); err != nil {
		return 0, false
	}
	return w.n, true
}

func (c *composed) WriteTo(w io.Writer) (int64, error) {
	cw := &countingWriter{w: w}
	err := c.write(cw, nil)
	return cw.n, err
}

// write writes the message. With sizeOnly, which is w, it opens no
// attachment and adds the length its base64 would have instead.
func (c *composed) write(w io.Writer, sizeOnly *wireCounter) error {
	m := c.m
	if len(m.Attachments) == 0 {
		body, err := mail.CreateSingleInlineWriter(w, c.header)
		if err != nil {
			return err
		}
		if _, err := io.WriteString(body, m.Body); err != nil {
			return err
		}
		return body.Close()
	}

	// go-message's own multipart writer would do the same, except that its
	// base64 goes out a line and a line end at a time (see writeBase64).
	if err := textproto.WriteHeader(w, c.header.Header.Header); err != nil {
		return err
	}
	mw := textproto.NewMultipartWriter(w)
	if err := mw.SetBoundary(c.boundary); err != nil {
		return err
	}
	var th mail.InlineHeader
	th.SetContentType("text/plain", map[string]string{"charset": "utf-8"})
	th.Set("Content-Disposition", "inline")
	th.Set("Content-Transfer-Encoding", "quoted-printable")
	pw, err := mw.CreatePart(th.Header.Header)
	if err != nil {
		return err
	}
	body := quotedprintable.NewWriter(pw)
	if _, err := io.WriteString(body, m.Body); err != nil {
		return err
	}
	if err := body.Close(); err != nil {
		return err
	}
	for _, a := range m.Attachments {
		if err := writeAttachment(mw, a, sizeOnly); err != nil {
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
	from, err = ParseAddress(m.From)
	if err != nil {
		return nil, nil, fmt.Errorf("from address: %w", err)
	}
	if len(m.To) == 0 {
		return nil, nil, errors.New("message has no recipient")
	}
	for _, s := range m.To {
		a, err := ParseAddress(s)
		if err != nil {
			return nil, nil, fmt.Errorf("recipient address: %w", err)
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

func writeAttachment(mw *textproto.MultipartWriter, a Attachment, sizeOnly *wireCounter) error {
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
	ah.Set("Content-Transfer-Encoding", "base64")

	if sizeOnly != nil {
		_, err := mw.CreatePart(ah.Header.Header)
		sizeOnly.n += base64Size(a.Size)
		return err
	}

	// Open before the part header is written, so that a missing file fails
	// without leaving half a part behind.
	r, err := a.Open()
	if err != nil {
		return fmt.Errorf("attachment %q: %w", a.Filename, err)
	}
	defer r.Close()
	w, err := mw.CreatePart(ah.Header.Header)
	if err != nil {
		return err
	}
	n, err := writeBase64(w, r)
	if err != nil {
		return fmt.Errorf("attachment %q: %w", a.Filename, err)
	}
	if a.Size > 0 && n != a.Size {
		// The size announced to the server would be wrong, and the
		// document is not what was scanned.
		return fmt.Errorf("attachment %q: %d bytes read, %d expected", a.Filename, n, a.Size)
	}
	return nil
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

// wireCounter counts the bytes written as they go over SMTP: a bare LF
// goes as CRLF (net/textproto's DotWriter makes it so).
type wireCounter struct {
	n    int64
	last byte
}

func (c *wireCounter) Write(p []byte) (int, error) {
	for i, b := range p {
		if b == '\n' && (i > 0 && p[i-1] != '\r' || i == 0 && c.last != '\r') {
			c.n++
		}
	}
	if len(p) > 0 {
		c.last = p[len(p)-1]
	}
	c.n += int64(len(p))
	return len(p), nil
}
