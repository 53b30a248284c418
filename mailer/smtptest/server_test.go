package smtptest_test

import (
	"bytes"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"io"
	"net"
	"os"
	"path/filepath"
	"regexp"
	"runtime"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/emersion/go-smtp"

	"scanmail/mailer/smtptest"
)

const (
	user  = "scanner@contoso.com"
	token = "access-token"
)

func start(t *testing.T, opts smtptest.Options) *smtptest.Server {
	t.Helper()
	srv, err := smtptest.Start(opts)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { srv.Close() })
	return srv
}

// xoauth2 is a minimal XOAUTH2 client; it keeps the challenge it got.
type xoauth2 struct {
	user, token string
	challenge   []byte
}

func (x *xoauth2) Start() (string, []byte, error) {
	return "XOAUTH2", []byte("user=" + x.user + "\x01auth=Bearer " + x.token + "\x01\x01"), nil
}

func (x *xoauth2) Next(challenge []byte) ([]byte, error) {
	x.challenge = challenge
	return []byte{}, nil
}

// dialPlain connects without TLS and says EHLO.
func dialPlain(t *testing.T, srv *smtptest.Server) *smtp.Client {
	t.Helper()
	c, err := smtp.Dial(srv.Addr())
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { c.Close() })
	if err := c.Hello("test.example"); err != nil {
		t.Fatal(err)
	}
	return c
}

// dialTLS connects with STARTTLS, trusting the server's certificate.
func dialTLS(t *testing.T, srv *smtptest.Server) *smtp.Client {
	t.Helper()
	c, err := smtp.DialStartTLS(srv.Addr(), &tls.Config{RootCAs: srv.RootCAs(), MinVersion: tls.VersionTLS12})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { c.Close() })
	if err := c.Hello("test.example"); err != nil {
		t.Fatalf("EHLO over TLS: %v", err)
	}
	return c
}

// wantAnswer fails unless err is the server answer code/enhanced.
func wantAnswer(t *testing.T, what string, err error, code int, enh smtp.EnhancedCode) {
	t.Helper()
	var se *smtp.SMTPError
	if !errors.As(err, &se) || se.Code != code || se.EnhancedCode != enh {
		t.Errorf("%s: got %v, want %d %v", what, err, code, enh)
	}
}

func send(c *smtp.Client, from string, to []string, msg string) error {
	if err := c.Mail(from, nil); err != nil {
		return err
	}
	for _, rcpt := range to {
		if err := c.Rcpt(rcpt, nil); err != nil {
			return err
		}
	}
	w, err := c.Data()
	if err != nil {
		return err
	}
	if _, err := io.WriteString(w, msg); err != nil {
		return err
	}
	return w.Close()
}

const testMsg = "From: scanner@contoso.com\r\nTo: bob@example.com\r\nSubject: hi\r\n\r\nHello.\r\n"

func TestSubmission(t *testing.T) {
	var gotUser, gotToken string
	srv := start(t, smtptest.Options{Authenticate: func(u, tok string) error {
		gotUser, gotToken = u, tok
		return nil
	}})
	c := dialTLS(t, srv)
	if err := c.Auth(&xoauth2{user: user, token: token}); err != nil {
		t.Fatalf("AUTH: %v", err)
	}
	if gotUser != user || gotToken != token {
		t.Errorf("Authenticate got %q %q, want %q %q", gotUser, gotToken, user, token)
	}
	// MAIL FROM is compared with the user without regard to case.
	if err := send(c, "Scanner@Contoso.com", []string{"bob@example.com", "carol@example.com"}, testMsg); err != nil {
		t.Fatal(err)
	}
	if err := c.Quit(); err != nil {
		t.Fatal(err)
	}
	got := srv.Messages()
	if len(got) != 1 {
		t.Fatalf("%d messages, want 1", len(got))
	}
	r := got[0]
	if r.From != "Scanner@Contoso.com" || r.User != user || !r.TLS || r.Path != "" {
		t.Errorf("received %+v", r)
	}
	if !slices.Equal(r.To, []string{"bob@example.com", "carol@example.com"}) {
		t.Errorf("To = %q", r.To)
	}
	if string(r.Data) != testMsg {
		t.Errorf("Data = %q, want %q", r.Data, testMsg)
	}
	if n := srv.AuthAttempts(); n != 1 {
		t.Errorf("AuthAttempts = %d, want 1", n)
	}
}

func TestCertificate(t *testing.T) {
	srv := start(t, smtptest.Options{Domain: "mail.contoso.test"})
	if srv.Host() != "127.0.0.1" || srv.Addr() != net.JoinHostPort(srv.Host(), strconv.Itoa(srv.Port())) {
		t.Errorf("Host %q Port %d Addr %q", srv.Host(), srv.Port(), srv.Addr())
	}
	c := dialTLS(t, srv)
	state, ok := c.TLSConnectionState()
	if !ok {
		t.Fatal("no TLS")
	}
	if state.Version < tls.VersionTLS12 {
		t.Errorf("TLS version %x", state.Version)
	}
	leaf := state.PeerCertificates[0]
	if key, ok := leaf.PublicKey.(*ecdsa.PublicKey); !ok || key.Curve != elliptic.P256() {
		t.Errorf("key %T, want ECDSA P-256", leaf.PublicKey)
	}
	for _, name := range []string{"mail.contoso.test", "localhost", "127.0.0.1", "::1"} {
		if _, err := leaf.Verify(x509.VerifyOptions{DNSName: name, Roots: srv.RootCAs()}); err != nil {
			t.Errorf("certificate does not verify for %s: %v", name, err)
		}
	}
	if _, err := leaf.Verify(x509.VerifyOptions{DNSName: "smtp.office365.com", Roots: srv.RootCAs()}); err == nil {
		t.Error("certificate verifies for smtp.office365.com")
	}
}

// TestCA: servers started with one CA are trusted through it, a fresh one
// and an expired one alike, as a server whose certificate was renewed.
func TestCA(t *testing.T) {
	ca, err := smtptest.NewCA()
	if err != nil {
		t.Fatal(err)
	}
	roots := x509.NewCertPool()
	if !roots.AppendCertsFromPEM(ca.PEM()) {
		t.Fatal("CA PEM holds no certificate")
	}
	for _, expired := range []bool{false, true} {
		srv := start(t, smtptest.Options{CA: ca, ExpiredCertificate: expired})
		if !bytes.Equal(srv.CertPEM(), ca.PEM()) {
			t.Error("CertPEM is not the CA's")
		}
		// The client checks the chain itself, below.
		c, err := smtp.DialStartTLS(srv.Addr(), &tls.Config{InsecureSkipVerify: true})
		if err != nil {
			t.Fatal(err)
		}
		defer c.Close()
		if err := c.Hello("test.example"); err != nil {
			t.Fatal(err)
		}
		state, _ := c.TLSConnectionState()
		_, err = state.PeerCertificates[0].Verify(x509.VerifyOptions{DNSName: "localhost", Roots: roots})
		var ce x509.CertificateInvalidError
		switch {
		case !expired && err != nil:
			t.Errorf("certificate does not verify through the CA: %v", err)
		case expired && !(errors.As(err, &ce) && ce.Reason == x509.Expired):
			t.Errorf("expired certificate: %v, want it refused as expired", err)
		}
	}
}

func TestTLSMinimumVersion(t *testing.T) {
	srv := start(t, smtptest.Options{})
	c, err := smtp.DialStartTLS(srv.Addr(), &tls.Config{RootCAs: srv.RootCAs(), MaxVersion: tls.VersionTLS11})
	if err == nil {
		err = c.Hello("test.example") // the handshake happens with the first command
		c.Close()
	}
	if err == nil {
		t.Error("server accepted TLS 1.1")
	}
}

func TestAuthOnlyAfterStartTLS(t *testing.T) {
	srv := start(t, smtptest.Options{})
	c := dialPlain(t, srv)
	if ok, _ := c.Extension("STARTTLS"); !ok {
		t.Error("no STARTTLS in EHLO")
	}
	if ok, _ := c.Extension("AUTH"); ok {
		t.Error("AUTH offered in the clear")
	}
	err := c.Auth(&xoauth2{user: user, token: token})
	wantAnswer(t, "AUTH in the clear", err, 504, smtp.EnhancedCode{5, 7, 4})
	if n := srv.AuthAttempts(); n != 1 {
		t.Errorf("AuthAttempts = %d, want 1: the refused AUTH counts", n)
	}
	err = c.Mail(user, nil)
	wantAnswer(t, "MAIL without AUTH", err, 530, smtp.EnhancedCode{5, 7, 57})

	tc := dialTLS(t, srv)
	if _, mechs := tc.Extension("AUTH"); mechs != "XOAUTH2" {
		t.Errorf("AUTH over TLS offers %q, want XOAUTH2", mechs)
	}
}

func TestNoStartTLS(t *testing.T) {
	srv := start(t, smtptest.Options{NoStartTLS: true})
	c := dialPlain(t, srv)
	if ok, _ := c.Extension("STARTTLS"); ok {
		t.Error("STARTTLS offered")
	}
	if _, mechs := c.Extension("AUTH"); mechs != "XOAUTH2" {
		t.Errorf("AUTH offers %q, want XOAUTH2 in the clear", mechs)
	}
	if err := c.Auth(&xoauth2{user: user, token: token}); err != nil {
		t.Fatal(err)
	}
	if n := srv.AuthAttempts(); n != 1 {
		t.Errorf("AuthAttempts = %d, want 1", n)
	}
	if err := send(c, user, []string{"bob@example.com"}, testMsg); err != nil {
		t.Fatal(err)
	}
	if got := srv.Messages(); len(got) != 1 || got[0].TLS {
		t.Errorf("messages %+v, want one without TLS", got)
	}
}

func TestAuthAnswers(t *testing.T) {
	tests := []struct {
		name      string
		opts      smtptest.Options
		token     string
		code      int
		enh       smtp.EnhancedCode
		challenge string // the 334 challenge the client must have seen
	}{
		{
			name:  "any token by default",
			opts:  smtptest.Options{},
			token: token,
		},
		{
			name:  "empty token",
			opts:  smtptest.Options{},
			token: "",
			code:  535, enh: smtp.EnhancedCode{5, 7, 3},
		},
		{
			name:  "rejected like exchange",
			opts:  smtptest.Options{Authenticate: func(string, string) error { return errors.New("expired") }},
			token: token,
			code:  535, enh: smtp.EnhancedCode{5, 7, 3},
		},
		{
			name: "answer chosen by Authenticate",
			opts: smtptest.Options{Authenticate: func(string, string) error {
				return &smtp.SMTPError{Code: 535, EnhancedCode: smtp.EnhancedCode{5, 7, 139}, Message: "SmtpClientAuthentication is disabled for the Tenant"}
			}},
			token: token,
			code:  535, enh: smtp.EnhancedCode{5, 7, 139},
		},
		{
			name:      "gmail style challenge",
			opts:      smtptest.Options{Challenge: true, Authenticate: func(string, string) error { return errors.New("expired") }},
			token:     token,
			code:      535,
			enh:       smtp.EnhancedCode{5, 7, 3},
			challenge: `{"status":"401","schemes":"bearer","scope":"https://mail.google.com/"}`,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			srv := start(t, tt.opts)
			c := dialTLS(t, srv)
			a := &xoauth2{user: user, token: tt.token}
			err := c.Auth(a)
			if tt.code == 0 {
				if err != nil {
					t.Fatalf("AUTH: %v", err)
				}
			} else {
				wantAnswer(t, "AUTH", err, tt.code, tt.enh)
			}
			if string(a.challenge) != tt.challenge {
				t.Errorf("challenge %q, want %q", a.challenge, tt.challenge)
			}
			if tt.code != 0 {
				// Not signed in: MAIL is refused.
				wantAnswer(t, "MAIL after failed AUTH", c.Mail(user, nil), 530, smtp.EnhancedCode{5, 7, 57})
			}
		})
	}
}

func TestMalformedXOAuth2(t *testing.T) {
	srv := start(t, smtptest.Options{})
	c := dialTLS(t, srv)
	err := c.Auth(rawAuth("auth=Bearer x\x01\x01"))
	wantAnswer(t, "AUTH without user", err, 501, smtp.EnhancedCode{5, 5, 2})
}

type rawAuth string

func (r rawAuth) Start() (string, []byte, error) { return "XOAUTH2", []byte(r), nil }
func (r rawAuth) Next([]byte) ([]byte, error)    { return nil, errors.New("unexpected challenge") }

func TestSendAs(t *testing.T) {
	srv := start(t, smtptest.Options{})
	c := dialTLS(t, srv)
	if err := c.Auth(&xoauth2{user: user, token: token}); err != nil {
		t.Fatal(err)
	}
	wantAnswer(t, "MAIL as another sender", c.Mail("boss@contoso.com", nil), 550, smtp.EnhancedCode{5, 7, 60})
	if err := c.Mail(user, nil); err != nil {
		t.Errorf("MAIL as the user after a refusal: %v", err)
	}
}

func TestFailNext(t *testing.T) {
	srv := start(t, smtptest.Options{})
	busy := &smtp.SMTPError{Code: 421, EnhancedCode: smtp.EnhancedCode{4, 3, 2}, Message: "Concurrent connections limit exceeded"}
	unknown := &smtp.SMTPError{Code: 550, EnhancedCode: smtp.EnhancedCode{5, 1, 1}, Message: "RESOLVER.ADR.RecipNotFound; not found"}
	srv.FailNext("rcpt", nil)
	srv.FailNext("rcpt", unknown)
	srv.FailNext("data", busy)

	c := dialTLS(t, srv)
	if err := c.Auth(&xoauth2{user: user, token: token}); err != nil {
		t.Fatal(err)
	}
	if err := c.Mail(user, nil); err != nil {
		t.Fatal(err)
	}
	if err := c.Rcpt("a@example.com", nil); err != nil {
		t.Errorf("first RCPT: %v, want it let through", err)
	}
	wantAnswer(t, "second RCPT", c.Rcpt("b@example.com", nil), 550, smtp.EnhancedCode{5, 1, 1})
	if err := c.Rcpt("c@example.com", nil); err != nil {
		t.Errorf("third RCPT: %v, want the queue empty", err)
	}
	w, err := c.Data()
	if err != nil {
		t.Fatal(err)
	}
	io.WriteString(w, testMsg)
	wantAnswer(t, "end of DATA", w.Close(), 421, smtp.EnhancedCode{4, 3, 2})
	if n := len(srv.Messages()); n != 0 {
		t.Errorf("%d messages kept after a failed DATA", n)
	}
	// The failure was used up: the next message goes through.
	if err := send(c, user, []string{"a@example.com"}, testMsg); err != nil {
		t.Errorf("second message: %v", err)
	}

	defer func() {
		if recover() == nil {
			t.Error("FailNext with an unknown step did not panic")
		}
	}()
	srv.FailNext("helo", busy)
}

var emlName = regexp.MustCompile(`^\d{8}T\d{6}\.\d{9}Z-\d+\.eml$`)

func TestDir(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "outbox") // created by Start
	srv := start(t, smtptest.Options{Dir: dir})
	c := dialTLS(t, srv)
	if err := c.Auth(&xoauth2{user: user, token: token}); err != nil {
		t.Fatal(err)
	}
	for range 2 {
		if err := send(c, user, []string{"bob@example.com"}, testMsg); err != nil {
			t.Fatal(err)
		}
	}
	got := srv.Messages()
	if len(got) != 2 {
		t.Fatalf("%d messages, want 2", len(got))
	}
	for _, r := range got {
		if r.Data != nil {
			t.Errorf("Data kept in memory (%d bytes) although Dir is set", len(r.Data))
		}
		if filepath.Dir(r.Path) != dir || !emlName.MatchString(filepath.Base(r.Path)) {
			t.Errorf("Path %q, want <time>-<n>.eml in %s", r.Path, dir)
		}
		b, err := os.ReadFile(r.Path)
		if err != nil {
			t.Fatal(err)
		}
		if string(b) != testMsg {
			t.Errorf("file holds %q, want %q", b, testMsg)
		}
	}
	if got[0].Path == got[1].Path {
		t.Errorf("both messages in %s", got[0].Path)
	}
	wantFiles(t, dir, 2)
}

func TestSizeLimit(t *testing.T) {
	dir := t.TempDir()
	srv := start(t, smtptest.Options{Dir: dir, MaxMessageBytes: 1024})
	c := dialTLS(t, srv)
	if err := c.Auth(&xoauth2{user: user, token: token}); err != nil {
		t.Fatal(err)
	}
	big := testMsg + strings.Repeat(strings.Repeat("x", 98)+"\r\n", 20)
	wantAnswer(t, "too large", send(c, user, []string{"bob@example.com"}, big), 552, smtp.EnhancedCode{5, 3, 4})
	if n := len(srv.Messages()); n != 0 {
		t.Errorf("%d messages kept", n)
	}
	wantFiles(t, dir, 0)
	if _, ext := c.Extension("SIZE"); ext != "1024" {
		t.Errorf("SIZE %q, want 1024", ext)
	}
}

// TestCloseDuringData closes the server while a client is half way through
// a message: Close must end the connection rather than wait for it, keep
// nothing of the message, and leave no goroutine behind.
func TestCloseDuringData(t *testing.T) {
	before := runtime.NumGoroutine()
	dir := t.TempDir()
	srv, err := smtptest.Start(smtptest.Options{Dir: dir})
	if err != nil {
		t.Fatal(err)
	}
	c, err := smtp.DialStartTLS(srv.Addr(), &tls.Config{RootCAs: srv.RootCAs()})
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	if err := c.Auth(&xoauth2{user: user, token: token}); err != nil {
		t.Fatal(err)
	}
	if err := c.Mail(user, nil); err != nil {
		t.Fatal(err)
	}
	if err := c.Rcpt("bob@example.com", nil); err != nil {
		t.Fatal(err)
	}
	w, err := c.Data()
	if err != nil {
		t.Fatal(err)
	}
	io.WriteString(w, testMsg+strings.Repeat(strings.Repeat("x", 98)+"\r\n", 600))

	if err := srv.Close(); err != nil {
		t.Fatalf("Close: %v", err)
	}
	if err := srv.Close(); err != nil {
		t.Errorf("second Close: %v", err)
	}
	if err := w.Close(); err == nil {
		t.Error("the message was accepted by a closed server")
	}
	if n := len(srv.Messages()); n != 0 {
		t.Errorf("%d messages kept", n)
	}
	wantFiles(t, dir, 0)
	if _, err := net.Dial("tcp", srv.Addr()); err == nil {
		t.Error("the server still accepts connections")
	}

	// Goroutines end just after they signal the end; give them a moment.
	deadline := time.Now().Add(5 * time.Second)
	for runtime.NumGoroutine() > before && time.Now().Before(deadline) {
		time.Sleep(10 * time.Millisecond)
	}
	if n := runtime.NumGoroutine(); n > before {
		buf := make([]byte, 1<<16)
		t.Errorf("%d goroutines left over:\n%s", n-before, buf[:runtime.Stack(buf, true)])
	}
}

func wantFiles(t *testing.T, dir string, n int) {
	t.Helper()
	entries, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, e := range entries {
		names = append(names, e.Name())
	}
	if len(names) != n || slices.ContainsFunc(names, func(s string) bool { return !emlName.MatchString(s) }) {
		t.Errorf("%s holds %q, want %d .eml files and nothing else", dir, names, n)
	}
}

// TestCloseRightAfterStart closes before the serving goroutine may have
// started: Close must neither hang nor fail.
func TestCloseRightAfterStart(t *testing.T) {
	for range 50 {
		srv, err := smtptest.Start(smtptest.Options{})
		if err != nil {
			t.Fatal(err)
		}
		if err := srv.Close(); err != nil {
			t.Fatalf("Close: %v", err)
		}
	}
}

func TestTokenOwner(t *testing.T) {
	validate := func(tok string) (string, error) {
		if tok != "good" {
			return "", errors.New("unknown token")
		}
		return "Scanner@Contoso.com", nil
	}
	check := smtptest.TokenOwner(validate)
	tests := []struct {
		user, token string
		ok          bool
	}{
		{"scanner@contoso.com", "good", true},
		{"other@contoso.com", "good", false},
		{"scanner@contoso.com", "bad", false},
	}
	for _, tt := range tests {
		if err := check(tt.user, tt.token); (err == nil) != tt.ok {
			t.Errorf("TokenOwner(%s, %s) = %v, want ok %v", tt.user, tt.token, err, tt.ok)
		}
	}
}
