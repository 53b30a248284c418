package smtptest_test

import (
	"crypto/tls"
	"testing"

	"github.com/emersion/go-sasl"
	"github.com/emersion/go-smtp"

	"scanmail/mailer/smtptest"
)

const password = "correct horse battery staple"

// loginNoIR is AUTH LOGIN without an initial response: the server asks
// for the user name first.
type loginNoIR struct{ user, pass string }

func (l loginNoIR) Start() (string, []byte, error) { return "LOGIN", nil, nil }
func (l loginNoIR) Next(challenge []byte) ([]byte, error) {
	if string(challenge) == "Username:" {
		return []byte(l.user), nil
	}
	return []byte(l.pass), nil
}

// TestPasswordSignIn: AUTH PLAIN and LOGIN are checked against Passwords
// and refused as Exchange Online or Gmail refuse them; a signed-in
// session's message records the user and the mechanism.
func TestPasswordSignIn(t *testing.T) {
	exchange := smtptest.Options{Passwords: map[string]string{user: password}}
	gmail := smtptest.Options{
		Passwords:        map[string]string{user: "abcdefghijklmnop"}, // the app password
		AccountPasswords: map[string]string{user: password},
		Gmail:            true,
	}
	loginOnly := smtptest.Options{Passwords: map[string]string{user: password}, Mechanisms: []string{"LOGIN"}}
	tests := []struct {
		name  string
		opts  smtptest.Options
		auth  sasl.Client
		mech  string // recorded on success
		code  int
		enh   smtp.EnhancedCode
		mechs string // the AUTH line of EHLO
	}{
		{name: "plain", opts: exchange, auth: sasl.NewPlainClient("", user, password), mech: "PLAIN", mechs: "PLAIN LOGIN XOAUTH2"},
		{name: "login", opts: exchange, auth: sasl.NewLoginClient(user, password), mech: "LOGIN"},
		{name: "login asked for the user", opts: exchange, auth: loginNoIR{user, password}, mech: "LOGIN"},
		{name: "xoauth2 still", opts: exchange, auth: &xoauth2{user: user, token: token}, mech: "XOAUTH2"},
		{name: "wrong password", opts: exchange, auth: sasl.NewPlainClient("", user, "wrong"), code: 535, enh: smtp.EnhancedCode{5, 7, 3}},
		{name: "unknown user", opts: exchange, auth: sasl.NewLoginClient("eve@contoso.com", password), code: 535, enh: smtp.EnhancedCode{5, 7, 3}},
		{name: "someone else's identity", opts: exchange, auth: sasl.NewPlainClient("boss@contoso.com", user, password), code: 535, enh: smtp.EnhancedCode{5, 7, 3}},
		{name: "login only", opts: loginOnly, auth: sasl.NewLoginClient(user, password), mech: "LOGIN", mechs: "LOGIN"},
		{name: "plain on a login only server", opts: loginOnly, auth: sasl.NewPlainClient("", user, password), code: 504, enh: smtp.EnhancedCode{5, 7, 4}},
		{name: "gmail app password", opts: gmail, auth: sasl.NewPlainClient("", user, "abcdefghijklmnop"), mech: "PLAIN"},
		{name: "gmail account password", opts: gmail, auth: sasl.NewPlainClient("", user, password), code: 534, enh: smtp.EnhancedCode{5, 7, 9}},
		{name: "gmail wrong password", opts: gmail, auth: sasl.NewLoginClient(user, "wrong"), code: 535, enh: smtp.EnhancedCode{5, 7, 8}},
		{name: "xoauth2 only by default", opts: smtptest.Options{}, auth: sasl.NewPlainClient("", user, password), code: 504, enh: smtp.EnhancedCode{5, 7, 4}, mechs: "XOAUTH2"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			srv := start(t, tt.opts)
			c := dialTLS(t, srv)
			if tt.mechs != "" {
				if _, mechs := c.Extension("AUTH"); mechs != tt.mechs {
					t.Errorf("AUTH %q, want %q", mechs, tt.mechs)
				}
			}
			err := c.Auth(tt.auth)
			if tt.code != 0 {
				wantAnswer(t, "AUTH", err, tt.code, tt.enh)
				wantAnswer(t, "MAIL after a refused AUTH", c.Mail(user, nil), 530, smtp.EnhancedCode{5, 7, 57})
				return
			}
			if err != nil {
				t.Fatalf("AUTH: %v", err)
			}
			if err := send(c, user, []string{"bob@example.com"}, testMsg); err != nil {
				t.Fatal(err)
			}
			if got := srv.Messages(); len(got) != 1 || got[0].User != user || got[0].Mechanism != tt.mech || !got[0].TLS {
				t.Errorf("received %+v, want one from %s by %s over TLS", got, user, tt.mech)
			}
		})
	}

	t.Run("not in the clear", func(t *testing.T) {
		srv := start(t, exchange)
		c := dialPlain(t, srv)
		if ok, _ := c.Extension("AUTH"); ok {
			t.Error("AUTH offered before STARTTLS")
		}
		wantAnswer(t, "AUTH PLAIN in the clear", c.Auth(sasl.NewPlainClient("", user, password)), 504, smtp.EnhancedCode{5, 7, 4})
		if n := srv.AuthAttempts(); n != 1 {
			t.Errorf("AuthAttempts = %d, want 1", n)
		}
	})
}

// dialCert connects with STARTTLS presenting cert, if any.
func dialCert(t *testing.T, srv *smtptest.Server, cert *tls.Certificate) *smtp.Client {
	t.Helper()
	cfg := &tls.Config{RootCAs: srv.RootCAs(), MinVersion: tls.VersionTLS12}
	if cert != nil {
		cfg.Certificates = []tls.Certificate{*cert}
	}
	c, err := smtp.DialStartTLS(srv.Addr(), cfg)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { c.Close() })
	if err := c.Hello("test.example"); err != nil {
		t.Fatalf("EHLO over TLS: %v", err)
	}
	return c
}

// TestMXEndpoint: a server with accepted domains or a connector takes
// mail without AUTH as Exchange Online's MX endpoint does: direct send to
// the organisation's own addresses, relay to others for a certificate the
// connector recognises, and Exchange's refusals otherwise.
func TestMXEndpoint(t *testing.T) {
	ca, err := smtptest.NewCA()
	if err != nil {
		t.Fatal(err)
	}
	issue := func(names ...string) *tls.Certificate {
		c, err := ca.ClientCertificate(names...)
		if err != nil {
			t.Fatal(err)
		}
		return &c
	}
	device, wildcard, other := issue("scanner.contoso.com"), issue("*.contoso.com"), issue("scanner.fabrikam.com")
	direct := smtptest.Options{AcceptedDomains: []string{"contoso.com"}}
	connector := smtptest.Options{AcceptedDomains: []string{"contoso.com"}, ClientCAs: ca.Pool(), ConnectorDomains: []string{"contoso.com"}}
	connectorOnly := connector
	connectorOnly.ConnectorOnly = true
	off := direct
	off.DirectSendOff = true

	const inside, outside = "alice@contoso.com", "bob@example.com"
	tests := []struct {
		name     string
		opts     smtptest.Options
		clear    bool // no STARTTLS
		cert     *tls.Certificate
		rcpt     string
		code     int
		enh      smtp.EnhancedCode
		certName string // recorded
	}{
		{name: "direct send in the clear", opts: direct, clear: true, rcpt: inside},
		{name: "direct send over TLS", opts: direct, rcpt: inside},
		{name: "direct send to a subdomain", opts: direct, rcpt: "carol@eu.contoso.com"},
		{name: "direct send outside", opts: direct, rcpt: outside, code: 550, enh: smtp.EnhancedCode{5, 7, 54}},
		{name: "direct send switched off", opts: off, rcpt: inside, code: 550, enh: smtp.EnhancedCode{5, 7, 68}},
		{name: "connector certificate", opts: connector, cert: device, rcpt: outside, certName: "scanner.contoso.com"},
		{name: "connector wildcard certificate", opts: connector, cert: wildcard, rcpt: outside, certName: "*.contoso.com"},
		{name: "unknown certificate is direct send", opts: connector, cert: other, rcpt: inside, certName: "scanner.fabrikam.com"},
		{name: "unknown certificate outside", opts: connector, cert: other, rcpt: outside, code: 550, enh: smtp.EnhancedCode{5, 7, 54}},
		{name: "connector only", opts: connectorOnly, cert: device, rcpt: outside, certName: "scanner.contoso.com"},
		{name: "connector only, other name", opts: connectorOnly, cert: other, rcpt: inside, code: 550, enh: smtp.EnhancedCode{5, 7, 64}},
		{name: "connector only, no certificate", opts: connectorOnly, rcpt: outside, code: 550, enh: smtp.EnhancedCode{5, 7, 64}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			opts := tt.opts
			opts.NoStartTLS = tt.clear
			srv := start(t, opts)
			var c *smtp.Client
			if tt.clear {
				c = dialPlain(t, srv)
			} else {
				c = dialCert(t, srv, tt.cert)
			}
			err := send(c, "scanner@contoso.com", []string{tt.rcpt}, testMsg)
			if tt.code != 0 {
				wantAnswer(t, "RCPT", err, tt.code, tt.enh)
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			got := srv.Messages()
			if len(got) != 1 || got[0].User != "" || got[0].Mechanism != "" || got[0].TLS == tt.clear || got[0].ClientCert != tt.certName {
				t.Errorf("received %+v, want one without AUTH, TLS %v, certificate %q", got, !tt.clear, tt.certName)
			}
		})
	}

	t.Run("signed in relays", func(t *testing.T) {
		o := connectorOnly
		o.Passwords = map[string]string{user: password}
		srv := start(t, o)
		c := dialCert(t, srv, nil)
		if err := c.Auth(sasl.NewPlainClient("", user, password)); err != nil {
			t.Fatal(err)
		}
		if err := send(c, user, []string{outside}, testMsg); err != nil {
			t.Errorf("signed in, to %s: %v", outside, err)
		}
	})

	t.Run("submission server wants AUTH", func(t *testing.T) {
		srv := start(t, smtptest.Options{ClientCAs: ca.Pool()})
		c := dialCert(t, srv, device)
		wantAnswer(t, "MAIL", c.Mail("scanner@contoso.com", nil), 530, smtp.EnhancedCode{5, 7, 57})
	})
}
