package smtptest

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"slices"
	"strings"
	"time"

	"github.com/emersion/go-sasl"
	"github.com/emersion/go-smtp"
)

// Exchange Online's answers, word for word where it matters to people.
var (
	errAuthUnsuccessful = &smtp.SMTPError{
		Code:         535,
		EnhancedCode: smtp.EnhancedCode{5, 7, 3},
		Message:      "Authentication unsuccessful",
	}
	errNotAuthenticated = &smtp.SMTPError{
		Code:         530,
		EnhancedCode: smtp.EnhancedCode{5, 7, 57},
		Message:      "Client not authenticated to send mail",
	}
	errSendAs = &smtp.SMTPError{
		Code:         550,
		EnhancedCode: smtp.EnhancedCode{5, 7, 60},
		Message:      "SMTP; Client does not have permissions to send as this sender",
	}
	errUnrecognizedAuth = &smtp.SMTPError{
		Code:         504,
		EnhancedCode: smtp.EnhancedCode{5, 7, 4},
		Message:      "Unrecognized authentication type",
	}
	errMalformedXOAuth2 = &smtp.SMTPError{
		Code:         501,
		EnhancedCode: smtp.EnhancedCode{5, 5, 2},
		Message:      "Malformed XOAUTH2 response",
	}
	errLocal = &smtp.SMTPError{
		Code:         451,
		EnhancedCode: smtp.EnhancedCode{4, 3, 0},
		Message:      "Local error in processing",
	}
)

// challengeJSON is what Gmail sends in its 334 challenge for a bad token.
var challengeJSON = []byte(`{"status":"401","schemes":"bearer","scope":"https://mail.google.com/"}`)

// session is one client's state between EHLOs. go-smtp starts a new one
// after STARTTLS, so a sign-in never carries over from the clear.
type session struct {
	s    *Server
	conn *smtp.Conn
	tls  bool
	user string
	mech string // of the sign-in
	from string
	to   []string

	certName  string // the client certificate's name, see Received.ClientCert
	connector bool   // the certificate is one a connector recognises

	declaredSize int64     // SIZE= of MAIL FROM
	began        time.Time // MAIL FROM accepted
}

func (s *Server) newSession(c *smtp.Conn) (smtp.Session, error) {
	st, isTLS := c.TLSConnectionState()
	ss := &session{s: s, conn: c, tls: isTLS}
	if isTLS && len(st.PeerCertificates) > 0 {
		ss.certName, ss.connector = s.recognise(st.PeerCertificates[0])
	}
	return ss, nil
}

var _ smtp.AuthSession = (*session)(nil)

// authAllowed is false in the clear unless the server has no STARTTLS.
func (ss *session) authAllowed() bool { return ss.tls || ss.s.opts.NoStartTLS }

func (ss *session) AuthMechanisms() []string {
	if !ss.authAllowed() {
		return nil // like Exchange Online: no AUTH in EHLO before STARTTLS
	}
	return ss.s.mechanisms()
}

// Auth is reached by every AUTH command, in the clear too (go-smtp's
// AllowInsecureAuth is on), so that AuthAttempts sees a client that sends
// credentials before STARTTLS.
func (ss *session) Auth(mech string) (sasl.Server, error) {
	ss.s.countAuth()
	if !ss.authAllowed() || !slices.Contains(ss.s.mechanisms(), mech) {
		return nil, errUnrecognizedAuth
	}
	switch mech {
	case "PLAIN":
		return sasl.NewPlainServer(func(identity, user, pass string) error {
			if identity != "" && identity != user {
				return errAuthUnsuccessful // no signing in as someone else
			}
			return ss.signIn(mech, user, pass)
		}), nil
	case "LOGIN":
		return &loginServer{ss: ss}, nil
	case "XOAUTH2":
		return &xoauth2Server{ss: ss}, nil
	}
	return nil, errUnrecognizedAuth
}

func (ss *session) Mail(from string, opts *smtp.MailOptions) error {
	if err := ss.fault("mail", nil); err != nil {
		return err
	}
	switch {
	case ss.user == "" && !ss.s.mx():
		return errNotAuthenticated
	case ss.user != "" && !strings.EqualFold(from, ss.user):
		return errSendAs
	}
	ss.from = from
	ss.declaredSize = 0
	if opts != nil {
		ss.declaredSize = opts.Size
	}
	ss.began = time.Now()
	return nil
}

func (ss *session) Rcpt(to string, _ *smtp.RcptOptions) error {
	if err := ss.fault("rcpt", nil); err != nil {
		return err
	}
	if err := ss.mayRelay(to); err != nil {
		return err
	}
	ss.to = append(ss.to, to)
	return nil
}

func (ss *session) Data(r io.Reader) error {
	ss.s.countData()
	if err := ss.fault("data", r); err != nil {
		return err // go-smtp reads the rest of the message before answering
	}
	rec := Received{
		From: ss.from, To: slices.Clone(ss.to), User: ss.user, Mechanism: ss.mech, ClientCert: ss.certName,
		TLS: ss.tls, DeclaredSize: ss.declaredSize, Began: ss.began,
	}
	cr := &countingReader{r: r, limit: ss.s.opts.MailboxLimit}
	var err error
	switch {
	case ss.s.opts.Dir != "":
		rec.Path, err = ss.s.save(cr)
	case ss.s.opts.Discard:
		_, err = io.Copy(io.Discard, cr)
	default:
		rec.Data, err = io.ReadAll(cr)
	}
	rec.Size, rec.Accepted = cr.n, time.Now()
	if err != nil {
		var se *smtp.SMTPError
		if errors.As(err, &se) {
			return se // e.g. 552 5.3.4 over the size limit
		}
		ss.s.log.Info("smtptest: message not received", "from", ss.from, "err", err)
		return errLocal
	}
	ss.s.add(rec)
	ss.s.log.Info("smtptest: message received", "from", rec.From, "to", rec.To, "path", rec.Path)
	return nil
}

func (ss *session) Reset() {
	ss.from = ""
	ss.to = nil
	ss.declaredSize = 0
}

// countingReader counts a message's bytes and fails past limit, if set.
type countingReader struct {
	r     io.Reader
	n     int64
	limit int64
}

func (c *countingReader) Read(p []byte) (int, error) {
	n, err := c.r.Read(p)
	c.n += int64(n)
	if c.limit > 0 && c.n > c.limit {
		return n, smtp.ErrDataTooLarge
	}
	return n, err
}

func (ss *session) Logout() error { return nil }

// xoauth2Server checks one XOAUTH2 sign-in.
type xoauth2Server struct {
	ss     *session
	failed error // the answer owed after the Gmail-style challenge
}

func (x *xoauth2Server) Next(response []byte) (challenge []byte, done bool, err error) {
	if x.failed != nil {
		return nil, false, x.failed
	}
	if response == nil {
		return []byte{}, false, nil // no initial response: ask for it
	}
	user, token, ok := parseXOAuth2(response)
	if !ok {
		return nil, false, errMalformedXOAuth2
	}
	err = x.ss.fault("auth", nil)
	if err == nil {
		err = x.ss.s.authenticate(user, token)
	}
	if err != nil {
		x.ss.s.log.Debug("smtptest: sign-in rejected", "user", user, "err", err)
		if x.ss.s.opts.Challenge {
			x.failed = err
			return challengeJSON, false, nil
		}
		return nil, false, err
	}
	x.ss.user, x.ss.mech = user, "XOAUTH2"
	x.ss.s.log.Debug("smtptest: signed in", "user", user, "tls", x.ss.tls)
	return nil, true, nil
}

// authenticate returns the answer to a sign-in: nil or an *smtp.SMTPError.
func (s *Server) authenticate(user, token string) error {
	if s.opts.Authenticate == nil {
		if token == "" {
			return errAuthUnsuccessful
		}
		return nil
	}
	err := s.opts.Authenticate(user, token)
	var se *smtp.SMTPError
	switch {
	case err == nil:
		return nil
	case errors.As(err, &se):
		return se
	default:
		return errAuthUnsuccessful
	}
}

// parseXOAuth2 reads "user=U\x01auth=Bearer T\x01\x01".
func parseXOAuth2(b []byte) (user, token string, ok bool) {
	rest, found := bytes.CutSuffix(b, []byte("\x01\x01"))
	if !found {
		return "", "", false
	}
	for kv := range bytes.SplitSeq(rest, []byte{1}) {
		k, v, _ := bytes.Cut(kv, []byte("="))
		switch string(k) {
		case "user":
			user = string(v)
		case "auth":
			scheme, t, _ := bytes.Cut(v, []byte(" "))
			if !strings.EqualFold(string(scheme), "Bearer") {
				return "", "", false
			}
			token = string(t)
		}
	}
	return user, token, user != ""
}

// TokenOwner makes an Options.Authenticate from an identity provider's token
// check: the sign-in succeeds when validate accepts the token and names the
// XOAUTH2 user as its owner, as Exchange Online checks a token against the
// mailbox it signs in to.
func TokenOwner(validate func(token string) (owner string, err error)) func(user, token string) error {
	return func(user, token string) error {
		owner, err := validate(token)
		if err != nil {
			return err
		}
		if !strings.EqualFold(owner, user) {
			return fmt.Errorf("token belongs to %s, not %s", owner, user)
		}
		return nil
	}
}
