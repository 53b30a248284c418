package device

import (
	"context"
	"crypto/x509"
	"fmt"

	"github.com/emersion/go-sasl"

	"scanmail/device/apitype"
	"scanmail/mailer"
)

// route is how a message goes out by one road: the server and its TLS,
// how the device proves who it is, the sender, and the road's limits.
type route struct {
	road   string
	sender mailer.Sender // without a Transcript: each send sets its own
	auth   sasl.Client   // nil: no AUTH (direct send, relay)
	from   string
	limits mailer.Limits
	// maxSize is the largest message in bytes; 0: no limit.
	maxSize int64
	// internal, when not nil, are the only domains recipients may be in
	// (direct send).
	internal []string
}

// routeFor is how mail goes by road with the settings s. For RoadOAuth it
// takes a valid access token, which may mean a refresh, and re-checks the
// UPN rule: nothing connects to the mail server while the device address
// is not the signed-in account.
func (d *Device) routeFor(ctx context.Context, s Settings, road string) (*route, error) {
	switch road {
	case apitype.RoadOAuth, "":
		return d.oauthRoute(ctx, s)
	}
	return nil, &Error{Summary: fmt.Sprintf("Sending by %q is not supported", road), Hint: "Choose how the device sends in its settings.", Code: apitype.CodeSetupNeeded}
}

// oauthRoute is SMTP AUTH client submission with XOAUTH2 as the
// signed-in account.
func (d *Device) oauthRoute(ctx context.Context, s Settings) (*route, error) {
	tok, acct, err := d.token(ctx)
	if err != nil {
		return nil, err
	}
	p, err := s.ResolveProvider()
	if err != nil {
		return nil, err
	}
	var roots *x509.CertPool
	if p.CABundle != "" {
		if roots, err = certPool(p.CABundle); err != nil {
			return nil, err
		}
	}
	return &route{
		road: apitype.RoadOAuth,
		sender: mailer.Sender{Config: mailer.Config{
			Host:    p.SMTPHost,
			Port:    p.SMTPPort,
			RootCAs: roots,
			Timeout: d.smtpTimeout,
			Logger:  d.log,
		}},
		auth:    mailer.NewXOAuth2Client(acct.UPN, tok.AccessToken),
		from:    acct.UPN,
		limits:  s.limits(p),
		maxSize: s.maxMessageSize(p),
	}, nil
}
