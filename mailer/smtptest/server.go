// Package smtptest runs a real go-smtp submission server that behaves like
// Exchange Online: STARTTLS with TLS 1.2 or newer, AUTH XOAUTH2 only after
// STARTTLS, MAIL FROM only as the signed-in user, and Exchange's answers
// when something is wrong. Options make it the other roads a device
// sends by: password sign-in (AUTH PLAIN and LOGIN, Exchange's or Gmail's
// refusals), and an MX endpoint on which direct send reaches the
// organisation's own domains and a connector recognises a client
// certificate. Tests use it on loopback, and script faults at
// a step of the next submission: an answer (FailNext), a dropped
// connection (DropNext) or silence (StallNext). The daemon's demo mode
// uses it to keep each message as an .eml file.
package smtptest

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"encoding/pem"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"os"
	"path/filepath"
	"slices"
	"sync"
	"sync/atomic"
	"time"

	"github.com/emersion/go-smtp"
)

// DefaultMaxMessageBytes is Exchange Online's default message size limit.
const DefaultMaxMessageBytes = 35 << 20

// Options configure a Server. The zero value is a loopback server that
// accepts any non-empty token.
type Options struct {
	Addr   string // where to listen; "" means "127.0.0.1:0"
	Domain string // the server's name; "" means "localhost"

	// NoStartTLS makes a server without STARTTLS that offers AUTH in the
	// clear, as a misconfigured or downgraded server would: a client that
	// sends credentials without TLS shows up in AuthAttempts.
	NoStartTLS bool

	// Authenticate checks an XOAUTH2 sign-in. An *smtp.SMTPError it returns
	// is the answer; any other error is answered like Exchange Online with
	// 535 5.7.3. nil accepts any non-empty token.
	Authenticate func(user, token string) error

	// Challenge makes sign-in failures Gmail style: a 334 challenge with
	// base64 JSON first, the failure after the client's empty answer.
	Challenge bool

	// Dir, if set, receives each message as <Dir>/<time>-<n>.eml, complete
	// or not at all. Messages then keep no data in memory, so that a
	// server running for days does not grow.
	Dir string

	MaxMessageBytes int64 // 0 means DefaultMaxMessageBytes, advertised as SIZE; over it: 552 5.3.4

	// MailboxLimit, if set, refuses a message larger than it with 552
	// 5.3.4 once the whole message has arrived, without advertising it:
	// Exchange Online applies a mailbox's MaxSendSize so, under the larger
	// SIZE of its EHLO.
	MailboxLimit int64

	// Discard keeps nothing of the messages but their length, so that the
	// server costs a benchmark as little as it can.
	Discard bool

	// ExpiredCertificate makes the server present a certificate that
	// expired yesterday, which a client checking its validity refuses.
	ExpiredCertificate bool

	// CA, if set, issues the server's certificate, which is otherwise
	// self-signed; CertPEM and RootCAs then hold the CA's.
	CA *CA

	// Passwords, if set, lets these users sign in with AUTH PLAIN or LOGIN
	// (user → password or app password), like XOAUTH2 only after
	// STARTTLS. A refused password is answered as Exchange Online does,
	// 535 5.7.3, unless Gmail is set.
	Passwords map[string]string

	// Mechanisms are the AUTH mechanisms the server offers after STARTTLS,
	// and the only ones it takes: {"LOGIN"} is a server that knows LOGIN
	// alone. nil means XOAUTH2, after PLAIN and LOGIN when Passwords is
	// set.
	Mechanisms []string

	// Gmail answers password sign-ins as Gmail does: 535 5.7.8 for a user
	// name or password it does not accept, and 534 5.7.9 for the
	// account's own password (AccountPasswords, user → password), which
	// Gmail refuses once 2-Step Verification makes app passwords the
	// only ones that sign in over SMTP.
	Gmail            bool
	AccountPasswords map[string]string

	// AcceptedDomains makes the server the MX endpoint of an organisation
	// with these domains, as Exchange Online's
	// <domain>.mail.protection.outlook.com on port 25: mail is taken
	// without AUTH (direct send), but a session neither signed in nor
	// recognised by its client certificate (ConnectorDomains) may send
	// only to these domains and their subdomains; another recipient gets
	// 550 5.7.54.
	AcceptedDomains []string

	// DirectSendOff refuses direct send, as a tenant with RejectDirectSend
	// does: a session neither signed in nor recognised by its certificate
	// gets 550 5.7.68 at RCPT for a recipient in an accepted domain.
	DirectSendOff bool

	// ClientCAs, if set, asks each client for a TLS certificate issued by
	// one of these CAs, as a connector that recognises devices by their
	// certificate does: a certificate of another CA fails the handshake;
	// none is allowed, and the SMTP answers say the rest.
	ClientCAs *x509.CertPool

	// ConnectorDomains are the names an inbound connector takes in a client
	// certificate (its DNS names, else its CN): a certificate naming one of
	// them or a name under one makes the server an MX endpoint that lets
	// the session relay to any recipient without AUTH.
	ConnectorDomains []string

	// ConnectorOnly refuses every session that is neither signed in nor
	// recognised by its certificate with 550 5.7.64 at RCPT, as Exchange
	// Online answers when a connector requires a certificate (or IP
	// address) the device's connection does not match.
	ConnectorOnly bool

	// MaxTLSVersion caps the TLS version the server speaks: with
	// tls.VersionTLS11 it speaks TLS 1.1 and nothing newer, which a client
	// that requires TLS 1.2 cannot agree to. 0 means no cap: TLS 1.2 and
	// newer.
	MaxTLSVersion uint16

	Logger *slog.Logger // nil means no logging
}

// Received is a message the server accepted.
type Received struct {
	From      string   // MAIL FROM
	To        []string // RCPT TO
	Data      []byte   // the message, unless Options.Dir or Discard was set
	Path      string   // the .eml file, if Options.Dir was set
	User      string   // the signed-in user; "" without AUTH
	Mechanism string   // the AUTH mechanism the user signed in with: XOAUTH2, PLAIN or LOGIN
	// ClientCert is the name of the client's TLS certificate: the one a
	// connector recognised (ConnectorDomains), else its first; "" without
	// a certificate.
	ClientCert string
	TLS        bool // whether the message came over TLS

	Size         int64 // the message's length as received, without the dot-stuffing
	DeclaredSize int64 // MAIL FROM's SIZE= (RFC 1870); 0 if the client gave none

	Began    time.Time // when MAIL FROM was accepted
	Accepted time.Time // when the whole message had arrived, just before the server's 250
}

// Server is a running submission server.
type Server struct {
	opts    Options
	log     *slog.Logger
	srv     *smtp.Server
	ln      net.Listener
	pool    *x509.CertPool
	pem     []byte
	served  chan struct{}
	closing chan struct{} // closed by Close; ends stalls

	closeOnce sync.Once
	closeErr  error

	mu           sync.Mutex
	closed       bool
	conns        map[net.Conn]struct{}
	messages     []Received
	authAttempts int
	connections  int
	dataCommands int
	faults       map[string][]fault // scripted, by step
	seq          int
}

// Start listens and serves in the background until Close.
func Start(opts Options) (*Server, error) {
	if opts.Addr == "" {
		opts.Addr = "127.0.0.1:0"
	}
	if opts.Domain == "" {
		opts.Domain = "localhost"
	}
	if opts.MaxMessageBytes == 0 {
		opts.MaxMessageBytes = DefaultMaxMessageBytes
	}
	log := opts.Logger
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	if opts.Dir != "" {
		if err := os.MkdirAll(opts.Dir, 0o755); err != nil {
			return nil, fmt.Errorf("smtptest: %w", err)
		}
	}

	ln, err := net.Listen("tcp", opts.Addr)
	if err != nil {
		return nil, fmt.Errorf("smtptest: %w", err)
	}
	s := &Server{
		opts:    opts,
		log:     log,
		ln:      ln,
		served:  make(chan struct{}),
		closing: make(chan struct{}),
		conns:   make(map[net.Conn]struct{}),
		faults:  make(map[string][]fault),
	}

	names := slices.Compact([]string{opts.Domain, "localhost"})
	ips := []net.IP{net.IPv4(127, 0, 0, 1), net.IPv6loopback}
	if ip := net.ParseIP(s.Host()); !slices.ContainsFunc(ips, ip.Equal) {
		ips = append(ips, ip)
	}
	cert, leaf, err := newCertificate(names, ips, opts.ExpiredCertificate, opts.CA, x509.ExtKeyUsageServerAuth)
	if err != nil {
		ln.Close()
		return nil, fmt.Errorf("smtptest: certificate: %w", err)
	}
	root := leaf
	if opts.CA != nil {
		root = opts.CA.cert
	}
	s.pool = x509.NewCertPool()
	s.pool.AddCert(root)
	s.pem = pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: root.Raw})

	srv := smtp.NewServer(smtp.BackendFunc(s.newSession))
	srv.Domain = opts.Domain
	srv.MaxMessageBytes = opts.MaxMessageBytes
	srv.MaxRecipients = 500 // Exchange Online's limit per message
	srv.ReadTimeout = 5 * time.Minute
	srv.WriteTimeout = time.Minute
	srv.ErrorLog = logAdapter{log}
	srv.AllowInsecureAuth = true // the session refuses AUTH in the clear itself, see session.Auth
	if !opts.NoStartTLS {
		srv.TLSConfig = &tls.Config{
			Certificates: []tls.Certificate{cert},
			MinVersion:   tls.VersionTLS12,
		}
		if opts.ClientCAs != nil {
			srv.TLSConfig.ClientCAs = opts.ClientCAs
			srv.TLSConfig.ClientAuth = tls.VerifyClientCertIfGiven
		}
		if v := opts.MaxTLSVersion; v != 0 {
			srv.TLSConfig.MaxVersion = v
			srv.TLSConfig.MinVersion = min(v, tls.VersionTLS12)
		}
	}
	s.srv = srv

	go func() {
		defer close(s.served)
		srv.Serve(&listener{Listener: ln, s: s})
	}()
	log.Info("smtptest: listening", "addr", s.Addr(), "starttls", !opts.NoStartTLS, "dir", opts.Dir)
	return s, nil
}

// Addr is the host:port the server listens on.
func (s *Server) Addr() string { return s.ln.Addr().String() }

// Host is the address a client dials; the certificate is valid for it.
func (s *Server) Host() string {
	ip := s.ln.Addr().(*net.TCPAddr).IP
	if ip.IsUnspecified() {
		return "127.0.0.1"
	}
	return ip.String()
}

// Port is the port the server listens on.
func (s *Server) Port() int { return s.ln.Addr().(*net.TCPAddr).Port }

// RootCAs holds the server's self-signed certificate, generated at Start,
// or its CA's.
func (s *Server) RootCAs() *x509.CertPool { return s.pool }

// CertPEM is the server's self-signed certificate, or its CA's, in PEM,
// for clients configured with a CA bundle rather than a pool.
func (s *Server) CertPEM() []byte { return s.pem }

// Connections counts the connections the server accepted.
func (s *Server) Connections() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.connections
}

// Close stops the server: it drops open connections, a message in transfer
// included, and returns once every connection's goroutine has ended.
func (s *Server) Close() error {
	s.closeOnce.Do(func() {
		s.mu.Lock()
		s.closed = true
		close(s.closing)
		conns := make([]net.Conn, 0, len(s.conns))
		for c := range s.conns {
			conns = append(conns, c)
		}
		s.mu.Unlock()

		// Closing the listener here rather than in Shutdown also stops a
		// Serve that has not registered it yet.
		s.closeErr = s.ln.Close()
		for _, c := range conns {
			c.Close()
		}
		// Shutdown waits for the connections' goroutines, which end now
		// that their sockets are closed.
		if err := s.srv.Shutdown(context.Background()); err != nil && !errors.Is(err, net.ErrClosed) && s.closeErr == nil {
			s.closeErr = err
		}
		<-s.served
	})
	return s.closeErr
}

// Messages returns the messages accepted so far. Their Data must not be
// modified.
func (s *Server) Messages() []Received {
	s.mu.Lock()
	defer s.mu.Unlock()
	return slices.Clone(s.messages)
}

// AuthAttempts counts the AUTH commands the server received, with or
// without TLS, refused or not.
func (s *Server) AuthAttempts() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.authAttempts
}

// DataCommands counts the DATA commands the server answered with 354: the
// messages whose upload began, accepted or not.
func (s *Server) DataCommands() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.dataCommands
}

func (s *Server) countData() {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.dataCommands++
}

func (s *Server) countAuth() {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.authAttempts++
}

func (s *Server) add(r Received) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.messages = append(s.messages, r)
}

// save writes a message to Dir under a temporary name and renames it when
// complete, so that a reader of Dir never sees half a message.
func (s *Server) save(r io.Reader) (path string, err error) {
	f, err := os.CreateTemp(s.opts.Dir, ".incoming-*.eml")
	if err != nil {
		return "", err
	}
	defer func() {
		if err != nil {
			f.Close()
			os.Remove(f.Name())
		}
	}()
	if _, err := io.Copy(f, r); err != nil {
		return "", err
	}
	if err := f.Sync(); err != nil {
		return "", err
	}
	if err := f.Close(); err != nil {
		return "", err
	}

	s.mu.Lock()
	s.seq++
	n := s.seq
	s.mu.Unlock()
	name := fmt.Sprintf("%s-%d.eml", time.Now().UTC().Format("20060102T150405.000000000Z"), n)
	path = filepath.Join(s.opts.Dir, name)
	if err := os.Rename(f.Name(), path); err != nil {
		return "", err
	}
	return path, nil
}

// listener keeps the accepted connections, so that Close can end them
// even before go-smtp has registered them.
type listener struct {
	net.Listener
	s *Server
}

func (l *listener) Accept() (net.Conn, error) {
	c, err := l.Listener.Accept()
	if err != nil {
		return nil, err
	}
	tc := &trackedConn{Conn: c, s: l.s}
	l.s.mu.Lock()
	closed := l.s.closed
	if !closed {
		l.s.conns[tc] = struct{}{}
		l.s.connections++
	}
	l.s.mu.Unlock()
	if closed {
		c.Close()
	}
	return tc, nil
}

type trackedConn struct {
	net.Conn
	s       *Server
	greeted atomic.Bool // the first write, the greeting, is past
}

func (c *trackedConn) Write(p []byte) (int, error) {
	if !c.greeted.Swap(true) {
		return c.greet(p)
	}
	return c.Conn.Write(p)
}

func (c *trackedConn) Close() error {
	c.s.mu.Lock()
	delete(c.s.conns, c)
	c.s.mu.Unlock()
	return c.Conn.Close()
}

// logAdapter passes go-smtp's internal errors, such as failed handshakes,
// to the slog logger.
type logAdapter struct{ log *slog.Logger }

func (a logAdapter) Printf(format string, v ...any) {
	a.log.Info("smtptest: " + fmt.Sprintf(format, v...))
}
func (a logAdapter) Println(v ...any) { a.log.Info("smtptest: " + fmt.Sprintln(v...)) }
