package mailer

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"fmt"
	"net"
	"strconv"
	"strings"
	"time"

	"github.com/emersion/go-sasl"
	"github.com/emersion/go-smtp"
)

// TLSVersionError means the server speaks only a TLS version older than
// 1.2, which the device never sends anything over.
type TLSVersionError struct {
	Version uint16 // what the server agreed to, e.g. tls.VersionTLS11
}

func (e *TLSVersionError) Error() string {
	return fmt.Sprintf("the server speaks %s at most; the device requires TLS 1.2 or newer", tls.VersionName(e.Version))
}

// errOutOfOrder means a Probe's step was called before the one it follows
// had passed.
var errOutOfOrder = errors.New("mailer: probe: a step before this one has not passed")

// TLSInfo is what the TLS step of a Probe found.
type TLSInfo struct {
	Version     uint16
	CipherSuite uint16
	Names       []string  // the names the server's certificate is valid for
	NotAfter    time.Time // when the server's certificate expires
}

// Probe is a submission session taken one step at a time, for the
// connection test: each step says what it found, or fails with an *Error
// whose Step names it ("dns", "connect", "starttls", "tls", "auth", "mail",
// "rcpt", "data"), and the caller decides whether to go on. The steps run
// in that order; none may be left out, except that Data may be skipped,
// and a step called before the one it follows has passed fails.
//
// It is Send's session cut in steps, with one difference: its TLS
// handshake accepts any version and certificate, so that the starttls step
// tells a server that offers STARTTLS from one whose TLS the device
// refuses, which the tls step then checks as Send's handshake does.
// Nothing is sent inside TLS before CheckTLS has passed. For direct send
// and relay, call SetAuth(AuthNone) first: under TLSIfOffered the session
// then goes on in the clear where STARTTLS is not offered, as Send's does.
//
// The Probe is bound to ctx: cancelling it closes the connection at once.
// Close ends the session; call it in any case.
type Probe struct {
	ctx context.Context
	cfg Config
	via via // how the session signs in, once Auth is called

	addrs   []net.IP
	raw     net.Conn
	stop    func() bool
	under   *bufferedConn
	plain   net.Conn  // under, as the transcript sees it
	clear   bool      // no STARTTLS, and the policy lets the session go on without
	l       *lockstep // the session in the clear
	tc      *tls.Conn
	session net.Conn     // the session inside TLS once checked, or in the clear
	c       *smtp.Client // speaks over session
	dropped bool         // a failed DATA: no QUIT, the connection is dropped
}

// Probe starts a step-wise session with the server of s.Config. Its
// Transcript, if set, receives the session as Send's would; without one
// the Probe keeps its own, which Transcript returns.
func (s *Sender) Probe(ctx context.Context) *Probe {
	cfg := s.config()
	if cfg.Transcript == nil {
		cfg.Transcript = NewTranscript(0, 0, nil)
	}
	return &Probe{ctx: ctx, cfg: cfg, via: via{auth: authOther, port: cfg.Port}}
}

// SetAuth says how the session will sign in: AuthXOAuth2, AuthPassword,
// or AuthNone for direct send and relay, which then call no Auth. The
// starttls step and the words of failures before Auth depend on it;
// without it, a Probe expects a sign-in of some kind. Call it before
// StartTLS.
func (p *Probe) SetAuth(kind string) { p.via.auth = kind }

// Encrypted reports whether the session is inside TLS; false before
// StartTLS, and after it under TLSIfOffered with a server that offers no
// STARTTLS.
func (p *Probe) Encrypted() bool { return p.tc != nil }

// NotEncrypted is StartTLS's answer when the session goes on in the clear.
const NotEncrypted = "STARTTLS not offered: the session goes on unencrypted (direct send without TLS)"

// Transcript is the session so far, without credentials or the message.
func (p *Probe) Transcript() *Transcript { return p.cfg.Transcript }

// Resolve looks the server's name up and returns its addresses.
func (p *Probe) Resolve() ([]net.IP, error) {
	if p.cfg.Host == "" {
		return nil, newError("dns", "", errNoServer)
	}
	addrs, err := net.DefaultResolver.LookupIPAddr(p.ctx, p.cfg.Host)
	if err != nil {
		return nil, p.fail("dns", "", err)
	}
	for _, a := range addrs {
		p.addrs = append(p.addrs, a.IP)
	}
	return p.addrs, nil
}

// Connect connects to the first address that answers, within the timeout
// each, and reads the server's greeting. It returns the address and the
// greeting.
func (p *Probe) Connect() (addr, greeting string, err error) {
	if p.addrs == nil {
		return "", "", newError("connect", "", errOutOfOrder)
	}
	d := net.Dialer{Timeout: p.cfg.Timeout}
	port := strconv.Itoa(p.cfg.Port)
	for _, ip := range p.addrs {
		addr = net.JoinHostPort(ip.String(), port)
		p.raw, err = d.DialContext(p.ctx, "tcp", addr)
		if err == nil {
			break
		}
		p.cfg.Logger.Debug("smtp: connection failed", "addr", addr, "err", err)
	}
	if p.raw == nil {
		if err == nil {
			err = errors.New("the server's name has no address")
		}
		return "", "", p.fail("connect", "", err)
	}
	raw := p.raw
	p.stop = context.AfterFunc(p.ctx, func() { raw.Close() })
	p.under = newBufferedConn(&timeoutConn{Conn: raw, timeout: p.cfg.Timeout})
	p.plain = p.cfg.Transcript.tap(p.under)
	p.l = newLockstep(p.plain, p.cfg.Timeout)
	if _, err := p.l.reply(220); err != nil {
		return addr, "", p.fail("connect", "", err)
	}
	return addr, p.cfg.Transcript.lastReply(), nil
}

// StartTLS says EHLO, asks for STARTTLS and makes the TLS handshake, with
// any version and certificate (see Probe), presenting Config.ClientCert if
// set. It returns the server's answer to STARTTLS. Under TLSIfOffered, a
// server that offers no STARTTLS passes with the answer NotEncrypted when
// SetAuth said AuthNone: the session goes on in the clear, as Send's would.
func (p *Probe) StartTLS() (string, error) {
	if p.l == nil || p.tc != nil || p.clear {
		return "", newError("starttls", "", errOutOfOrder)
	}
	ready, err := requestTLS(p.l, p.cfg.LocalName)
	if errors.Is(err, ErrNoStartTLS) && p.cfg.TLS == TLSIfOffered && p.via.auth == AuthNone {
		p.clear = true
		return NotEncrypted, nil
	}
	if err != nil {
		return "", p.fail("starttls", "", err)
	}
	ready = p.cfg.Transcript.lastReply()
	tc := p.cfg.tlsConfig()
	tc.InsecureSkipVerify = true // CheckTLS verifies, before anything is sent inside
	tc.MinVersion = tls.VersionTLS10
	p.tc = tls.Client(p.under, tc)
	if err := handshake(p.ctx, p.tc, p.cfg.Timeout); err != nil {
		return "", p.fail("starttls", "", err)
	}
	return ready, nil
}

// CheckTLS checks the connection as Send's handshake does: TLS 1.2 or
// newer, a certificate valid now for the server's name and issued by
// Config.RootCAs (or the system's roots). Then it says EHLO inside TLS.
// In a session that goes on in the clear (see StartTLS) it checks
// nothing, says EHLO again and returns the zero TLSInfo.
func (p *Probe) CheckTLS() (TLSInfo, error) {
	if p.clear && p.c == nil {
		p.session = p.plain
		if err := p.hello(); err != nil {
			return TLSInfo{}, p.fail("connect", "", err)
		}
		return TLSInfo{}, nil
	}
	if p.tc == nil || p.c != nil {
		return TLSInfo{}, newError("tls", "", errOutOfOrder)
	}
	st := p.tc.ConnectionState()
	info := TLSInfo{Version: st.Version, CipherSuite: st.CipherSuite}
	if len(st.PeerCertificates) > 0 {
		leaf := st.PeerCertificates[0]
		info.Names, info.NotAfter = leaf.DNSNames, leaf.NotAfter
		for _, ip := range leaf.IPAddresses {
			info.Names = append(info.Names, ip.String())
		}
		if len(info.Names) == 0 && leaf.Subject.CommonName != "" {
			info.Names = []string{leaf.Subject.CommonName}
		}
	}
	if st.Version < tls.VersionTLS12 {
		return info, p.fail("tls", "", &TLSVersionError{Version: st.Version})
	}
	if err := verifyPeer(st.PeerCertificates, p.cfg.Host, p.cfg.RootCAs); err != nil {
		return info, p.fail("tls", "", err)
	}
	p.session = p.cfg.Transcript.tap(p.tc)
	if err := p.hello(); err != nil {
		return info, p.fail("tls", "", err)
	}
	return info, nil
}

// hello starts go-smtp's Client on p.session with EHLO.
func (p *Probe) hello() error {
	p.c = smtp.NewClient(resume(p.session))
	p.c.CommandTimeout = p.cfg.Timeout
	p.c.SubmissionTimeout = p.cfg.Timeout
	return p.c.Hello(p.cfg.LocalName)
}

// verifyPeer is crypto/tls's check of a server's certificates.
func verifyPeer(certs []*x509.Certificate, host string, roots *x509.CertPool) error {
	if len(certs) == 0 {
		return errors.New("tls: the server sent no certificate")
	}
	inter := x509.NewCertPool()
	for _, c := range certs[1:] {
		inter.AddCert(c)
	}
	_, err := certs[0].Verify(x509.VerifyOptions{Roots: roots, DNSName: host, Intermediates: inter})
	return err
}

// Auth signs in with auth and returns the server's answer: a Password
// with PLAIN or LOGIN, as Send chooses. In a session in the clear it
// fails with ErrNoStartTLS and sends nothing.
func (p *Probe) Auth(auth sasl.Client) (string, error) {
	if p.c == nil {
		return "", newError("auth", "", errOutOfOrder)
	}
	p.via.auth = authKind(auth)
	if p.tc == nil {
		return "", p.fail("auth", "", ErrNoStartTLS)
	}
	_, offered := p.c.Extension("AUTH")
	mech, err := mechanismFor(auth, offered)
	if err != nil {
		return "", p.fail("auth", "", err)
	}
	if err := p.c.Auth(mech); err != nil {
		if xe := xoauth2Failure(mech); xe != nil {
			err = fmt.Errorf("%w (%w)", err, xe)
		}
		return "", p.fail("auth", "", err)
	}
	return p.cfg.Transcript.lastReply(), nil
}

// Mail says MAIL FROM with from and returns the server's answer.
func (p *Probe) Mail(from string) (string, error) {
	if p.c == nil {
		return "", newError("mail", "", errOutOfOrder)
	}
	sender, err := ParseAddress(from)
	if err != nil {
		return "", newError("message", "", fmt.Errorf("sender address: %w", err))
	}
	if err := p.c.Mail(sender.Address, nil); err != nil {
		return "", p.fail("mail", "", err)
	}
	return p.cfg.Transcript.lastReply(), nil
}

// Rcpt says RCPT TO with to and returns the server's answer.
func (p *Probe) Rcpt(to string) (string, error) {
	if p.c == nil {
		return "", newError("rcpt", "", errOutOfOrder)
	}
	rcpt, err := ParseAddress(to)
	if err != nil {
		return "", newError("message", to, fmt.Errorf("recipient address: %w", err))
	}
	if err := p.c.Rcpt(rcpt.Address, nil); err != nil {
		return "", p.fail("rcpt", rcpt.Address, err)
	}
	return p.cfg.Transcript.lastReply(), nil
}

// Data sends msg to the recipients Rcpt named and returns the server's
// answer.
func (p *Probe) Data(msg *Message) (string, error) {
	if p.c == nil {
		return "", newError("data", "", errOutOfOrder)
	}
	composed, err := msg.compose()
	if err != nil {
		return "", newError("message", "", err)
	}
	if _, err := sendData(p.session, p.cfg.Timeout, composed); err != nil {
		p.dropped = true
		return "", p.fail("data", "", err)
	}
	return p.cfg.Transcript.lastReply(), nil
}

// Close ends the session: QUIT where the protocol allows it, then the
// connection is closed.
func (p *Probe) Close() {
	if p.raw == nil {
		return
	}
	switch {
	case p.dropped || p.ctx.Err() != nil:
	case p.c != nil:
		p.c.Quit()
	case p.tc == nil && p.l != nil:
		p.l.cmd(221, "QUIT")
	}
	p.stop()
	p.raw.Close()
}

// fail is err as the *Error of step, saying why the connection was closed
// when ctx ended it.
func (p *Probe) fail(step, rcpt string, err error) error {
	var se *smtp.SMTPError
	if p.ctx.Err() != nil && !errors.As(err, &se) {
		err = fmt.Errorf("%w (%v)", p.ctx.Err(), err)
	}
	e := p.via.newError(step, rcpt, err)
	p.cfg.Logger.Debug("smtp: failed", "err", e)
	return e
}

// lastReply is the last line the server sent, as kept (redacted and
// printable), without its time and mark.
func (t *Transcript) lastReply() string {
	lines := t.Lines()
	for i := len(lines) - 1; i >= 0; i-- {
		if _, text, ok := strings.Cut(lines[i], " S: "); ok {
			return text
		}
	}
	return ""
}
