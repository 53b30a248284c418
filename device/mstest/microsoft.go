// Package mstest is a fake Microsoft: the identity provider of idptest and
// the SMTP server of smtptest, wired together so that the server accepts
// the tokens the provider issues, and the settings that point a device at
// them. The device tests, the command-line tests and the demo use it; the
// board build leaves it out.
package mstest

import (
	"fmt"
	"net"
	"net/http"
	"strconv"

	"scanmail/device/idptest"
	"scanmail/mailer/smtptest"
)

// DefaultClientID is the app registration the provider knows when
// Options.IdP.ClientID is empty.
const DefaultClientID = "11111111-2222-3333-4444-555555555555"

// Scopes is what the device asks for: mail submission, a refresh token and
// who signed in.
const Scopes = idptest.DefaultScope + " offline_access openid profile email"

// Options configure a Microsoft.
type Options struct {
	// IdP configures the identity provider; ClientID "" means
	// DefaultClientID.
	IdP idptest.Options
	// SMTP configures the SMTP server; Authenticate nil means the
	// provider's tokens, checked by its Validate.
	SMTP smtptest.Options
	// Front, if set, stands in front of the identity provider, as a proxy
	// or a network would.
	Front func(http.Handler) http.Handler
}

// Microsoft is a running identity provider and SMTP server.
type Microsoft struct {
	IdP    *idptest.Server
	IdPURL string // http://127.0.0.1:port, without a path
	SMTP   *smtptest.Server

	clientID string
	http     *http.Server
}

// Start starts the identity provider and the SMTP server on loopback.
func Start(opts Options) (*Microsoft, error) {
	if opts.IdP.ClientID == "" {
		opts.IdP.ClientID = DefaultClientID
	}
	m := &Microsoft{IdP: idptest.New(opts.IdP), clientID: opts.IdP.ClientID}
	var h http.Handler = m.IdP
	if opts.Front != nil {
		h = opts.Front(h)
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return nil, fmt.Errorf("identity provider: %w", err)
	}
	m.http = &http.Server{Handler: h}
	go m.http.Serve(ln)
	m.IdPURL = "http://" + ln.Addr().String()

	if opts.SMTP.Authenticate == nil {
		opts.SMTP.Authenticate = smtptest.TokenOwner(m.IdP.Validate)
	}
	m.SMTP, err = smtptest.Start(opts.SMTP)
	if err != nil {
		m.http.Close()
		return nil, fmt.Errorf("SMTP server: %w", err)
	}
	return m, nil
}

// Close stops both servers.
func (m *Microsoft) Close() {
	m.http.Close()
	m.SMTP.Close()
}

// ClientID is the app registration the identity provider knows.
func (m *Microsoft) ClientID() string { return m.clientID }

// DeviceAuthURL and TokenURL are the provider's endpoints for the
// organizations tenant, as Microsoft's are named.
func (m *Microsoft) DeviceAuthURL() string {
	return m.IdPURL + "/organizations/oauth2/v2.0/devicecode"
}

func (m *Microsoft) TokenURL() string { return m.IdPURL + "/organizations/oauth2/v2.0/token" }

// Settings are the device settings, in order, that point a device at this
// Microsoft with the custom provider: for the device's SetConfig, for
// the command line's config set or for the local API's batch.
func (m *Microsoft) Settings() [][2]string {
	return [][2]string{
		{"provider", "custom"},
		{"client_id", m.clientID},
		{"custom.smtp_host", "localhost"},
		{"custom.smtp_port", strconv.Itoa(m.SMTP.Port())},
		{"custom.device_auth_url", m.DeviceAuthURL()},
		{"custom.token_url", m.TokenURL()},
		{"custom.scopes", Scopes},
		{"custom.ca_bundle", string(m.SMTP.CertPEM())},
	}
}
