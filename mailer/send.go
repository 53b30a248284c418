package mailer

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"strconv"
	"time"

	"github.com/emersion/go-sasl"
	"github.com/emersion/go-smtp"
)

const (
	defaultLocalName = "scanmail.localdomain"
	defaultPort      = 587
	defaultTimeout   = 60 * time.Second
)

var errNoServer = errors.New("no mail server configured")

// Config says where and how to submit mail.
type Config struct {
	Host string // DNS name of the submission server, e.g. "smtp.office365.com"
	Port int    // 0 means 587

	// RootCAs verifies the server's certificate; nil means the system's
	// roots. Tests and the demo mode pass the pool of their own server.
	RootCAs *x509.CertPool

	LocalName string // name sent with EHLO; "" means "scanmail.localdomain"

	// TLS says whether the session must be encrypted. The zero value,
	// TLSRequired, is what submission and connector relay need.
	TLS TLSPolicy

	// ClientCert, when set, is presented in the TLS handshake: a
	// connector may recognise the device by it.
	ClientCert *tls.Certificate

	// Timeout bounds each step: the dial, every command, every write while
	// the message is streamed, and the final answer. 0 means 60 s, which a
	// person at the panel can still wait for.
	Timeout time.Duration

	Logger *slog.Logger // steps of each submission at debug level; never credentials

	// Transcript, if set, receives the SMTP session's commands and replies,
	// without the message or credentials; it is an io.Writer of the raw
	// protocol, and only a Transcript may see that. Use a new one for
	// each Send.
	Transcript *Transcript
}

// TLSPolicy says what a session does when the server does not offer
// STARTTLS.
type TLSPolicy int

const (
	// TLSRequired fails with ErrNoStartTLS and sends nothing.
	TLSRequired TLSPolicy = iota
	// TLSIfOffered goes on in the clear, for direct send to an MX
	// endpoint (no credentials are ever sent in the clear: a Send with
	// an auth client still requires TLS). Where STARTTLS is offered, it
	// is used with the same checks as under TLSRequired.
	TLSIfOffered
)

// Sender submits messages. Its zero value is not usable: set Config.Host.
type Sender struct {
	Config Config
}

// Send submits msg to its recipients (msg.To) with from as the envelope
// sender, signing in with auth (nil skips AUTH, for relays that recognise
// the device otherwise).
//
// The connection must be upgraded with STARTTLS to TLS 1.2 or newer with a
// certificate valid for Config.Host before anything else happens: without
// STARTTLS, Send fails with an error wrapping ErrNoStartTLS and sends no
// credential. Only under Config.TLS = TLSIfOffered, and with a nil auth,
// does a server without STARTTLS get the message in the clear. Cancelling
// ctx closes the connection at once.
//
// Every failure is an *Error. Once the server has accepted the message,
// Send returns nil even if QUIT fails, so that the message is not sent twice.
func (s *Sender) Send(ctx context.Context, auth sasl.Client, from string, msg *Message) error {
	cfg := s.config()
	log := cfg.Logger

	sender, err := ParseAddress(from)
	if err != nil {
		return newError("message", "", fmt.Errorf("sender address: %w", err))
	}
	rcpts, err := msg.recipients()
	if err != nil {
		return newError("message", "", err)
	}
	composed, err := msg.compose()
	if err != nil {
		return newError("message", "", err)
	}
	size, sizeKnown := composed.Size()
	if cfg.Host == "" {
		return newError("connect", "", errNoServer)
	}

	v := via{auth: authKind(auth), port: cfg.Port}
	addr := net.JoinHostPort(cfg.Host, strconv.Itoa(cfg.Port))
	log.Debug("smtp: connecting", "addr", addr)
	d := net.Dialer{Timeout: cfg.Timeout}
	raw, err := d.DialContext(ctx, "tcp", addr)
	if err != nil {
		return v.newError("connect", "", err)
	}
	defer raw.Close()
	stop := context.AfterFunc(ctx, func() { raw.Close() })
	defer stop()

	fail := func(step, rcpt string, err error) error {
		var se *smtp.SMTPError
		if ctx.Err() != nil && !errors.As(err, &se) {
			// The error is only the closed connection; say why it was closed.
			err = fmt.Errorf("%w (%v)", ctx.Err(), err)
		}
		e := v.newError(step, rcpt, err)
		log.Debug("smtp: failed", "err", e)
		return e
	}

	under := newBufferedConn(&timeoutConn{Conn: raw, timeout: cfg.Timeout})
	var plain net.Conn = under
	if cfg.Transcript != nil {
		plain = cfg.Transcript.tap(under)
	}
	// go-smtp's Client talks over session, and so does sendData: inside
	// TLS, or in the clear where the policy allows it.
	var session net.Conn
	helloStep := "starttls"
	switch err := startTLS(plain, cfg.LocalName, cfg.Timeout); {
	case errors.Is(err, ErrNoStartTLS) && cfg.TLS == TLSIfOffered && auth == nil:
		log.Debug("smtp: the server offers no STARTTLS; sending in the clear")
		session, helloStep = plain, "connect"
	case errors.Is(err, ErrNoStartTLS) || errors.Is(err, errAfterStartTLS):
		return fail("starttls", "", err)
	case err != nil:
		return fail("connect", "", err)
	default:
		tc := tls.Client(under, cfg.tlsConfig())
		if err := handshake(ctx, tc, cfg.Timeout); err != nil {
			return fail("starttls", "", err)
		}
		log.Debug("smtp: encrypted", "version", tls.VersionName(tc.ConnectionState().Version))
		session = tc
		if cfg.Transcript != nil {
			session = cfg.Transcript.tap(tc)
		}
	}
	// In the clear, this is the session's second EHLO (RFC 5321 allows it):
	// the first was startTLS's, which go-smtp's Client did not see.
	c := smtp.NewClient(resume(session))
	c.CommandTimeout = cfg.Timeout
	c.SubmissionTimeout = cfg.Timeout
	if err := c.Hello(cfg.LocalName); err != nil {
		return fail(helloStep, "", err)
	}

	if auth != nil {
		_, offered := c.Extension("AUTH")
		mech, err := mechanismFor(auth, offered)
		if err != nil {
			return fail("auth", "", err)
		}
		if err := c.Auth(mech); err != nil {
			if xe := xoauth2Failure(mech); xe != nil {
				err = fmt.Errorf("%w (%w)", err, xe)
			}
			return fail("auth", "", err)
		}
		log.Debug("smtp: signed in")
	}

	// RFC 1870: a server that says how large a message it takes hears
	// this one's size with MAIL FROM, and one too large is not sent at all
	// rather than refused after its upload.
	var opts *smtp.MailOptions
	if sizeKnown {
		if limit, ok := sizeLimit(c); ok && size > limit {
			c.Quit()
			return fail("mail", "", &SizeError{Size: size, Limit: limit})
		}
		opts = &smtp.MailOptions{Size: size}
	}
	if err := c.Mail(sender.Address, opts); err != nil {
		return fail("mail", "", err)
	}
	// A recipient the server refuses for good (5xx, such as an unknown
	// address) does not stop the others; a passing refusal (4xx) or a
	// broken connection fails the whole message, to be sent again.
	var refused []*Error
	for _, rcpt := range rcpts {
		err := c.Rcpt(rcpt, nil)
		if err == nil {
			continue
		}
		var se *smtp.SMTPError
		if !errors.As(err, &se) || se.Temporary() {
			return fail("rcpt", rcpt, err)
		}
		refused = append(refused, v.newError("rcpt", rcpt, err))
	}
	if len(refused) == len(rcpts) {
		log.Debug("smtp: every recipient refused")
		return refused[0]
	}

	// A failed DATA gets no QUIT: the connection is dropped (deferred
	// Close), so that the server throws away a message not ended.
	n, err := sendData(session, cfg.Timeout, composed)
	if err != nil {
		return fail("data", "", err)
	}
	log.Debug("smtp: message accepted", "bytes", n, "recipients", len(rcpts))

	if err := c.Quit(); err != nil {
		log.Debug("smtp: QUIT failed after the message was accepted", "err", detail(err))
	}
	if len(refused) > 0 {
		return &RefusedError{Refused: refused}
	}
	return nil
}

// sizeLimit is the largest message the server takes, as its answer to EHLO
// says (SIZE 37748736); none if it says nothing or SIZE 0.
func sizeLimit(c *smtp.Client) (int64, bool) {
	ok, param := c.Extension("SIZE")
	if !ok {
		return 0, false
	}
	n, err := strconv.ParseInt(param, 10, 64)
	return n, err == nil && n > 0
}

// tlsConfig is the TLS of a session: TLS 1.2 or newer, the server's
// certificate valid for Host, and the client certificate if there is one.
func (cfg Config) tlsConfig() *tls.Config {
	c := &tls.Config{
		ServerName: cfg.Host,
		RootCAs:    cfg.RootCAs,
		MinVersion: tls.VersionTLS12,
	}
	if cert := cfg.ClientCert; cert != nil {
		// Presented whatever CAs the server's request lists (crypto/tls
		// would keep back a certificate of a CA not in the list, and
		// servers list few or none): the connector decides by its name.
		c.GetClientCertificate = func(*tls.CertificateRequestInfo) (*tls.Certificate, error) { return cert, nil }
	}
	return c
}

func (s *Sender) config() Config {
	cfg := s.Config
	if cfg.Port == 0 {
		cfg.Port = defaultPort
	}
	if cfg.LocalName == "" {
		cfg.LocalName = defaultLocalName
	}
	if cfg.Timeout <= 0 {
		cfg.Timeout = defaultTimeout
	}
	if cfg.Logger == nil {
		cfg.Logger = slog.New(slog.DiscardHandler)
	}
	return cfg
}

// timeoutConn keeps every wait on the server within the configured timeout,
// whoever sets the deadline (go-smtp's Client, lockstep, crypto/tls), and
// gives each write a deadline of its own: none is set while the message is
// written.
type timeoutConn struct {
	net.Conn
	timeout time.Duration
}

func (c *timeoutConn) SetDeadline(t time.Time) error {
	if limit := time.Now().Add(c.timeout); !t.IsZero() && t.After(limit) {
		t = limit
	}
	return c.Conn.SetDeadline(t)
}

func (c *timeoutConn) Write(p []byte) (int, error) {
	if err := c.Conn.SetWriteDeadline(time.Now().Add(c.timeout)); err != nil {
		return 0, err
	}
	return c.Conn.Write(p)
}
