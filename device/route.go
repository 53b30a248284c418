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

// routeFor is how mail goes by road with the settings s, once what the
// road needs is there (readyBy). For RoadOAuth it takes a valid access
// token, which may mean a refresh, and re-checks the UPN rule: nothing
// connects to the mail server while the device address is not the
// signed-in account. For direct send and relay without mx.host it looks
// the MX endpoint up.
func (d *Device) routeFor(ctx context.Context, s Settings, road string) (*route, error) {
	switch road {
	case apitype.RoadOAuth, "":
		return d.oauthRoute(ctx, s)
	case apitype.RoadPassword:
		return d.passwordRoute(s)
	case apitype.RoadDirect, apitype.RoadRelay:
		return d.mxRoute(ctx, s, road)
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
	sender, err := d.submission(p)
	if err != nil {
		return nil, err
	}
	return &route{
		road:    apitype.RoadOAuth,
		sender:  sender,
		auth:    mailer.NewXOAuth2Client(acct.UPN, tok.AccessToken),
		from:    acct.UPN,
		limits:  s.limits(p),
		maxSize: s.maxMessageSize(p),
	}, nil
}

// passwordRoute is SMTP AUTH client submission with a user name and
// password (PLAIN, or LOGIN where only that is offered), inside TLS 1.2+.
func (d *Device) passwordRoute(s Settings) (*route, error) {
	p, err := d.readyBy(s, apitype.RoadPassword, Account{}, false)
	if err != nil {
		return nil, err
	}
	sender, err := d.submission(p)
	if err != nil {
		return nil, err
	}
	return &route{
		road:    apitype.RoadPassword,
		sender:  sender,
		auth:    mailer.Password(s.username(), s.Password.Secret),
		from:    s.DeviceAddress,
		limits:  s.limits(p),
		maxSize: s.maxMessageSize(p),
	}, nil
}

// submission is the sender to provider p's submission server (SMTP AUTH,
// port 587), trusting p's extra CAs.
func (d *Device) submission(p Provider) (mailer.Sender, error) {
	var roots *x509.CertPool
	if p.CABundle != "" {
		var err error
		if roots, err = certPool(p.CABundle); err != nil {
			return mailer.Sender{}, err
		}
	}
	return mailer.Sender{Config: mailer.Config{
		Host:    p.SMTPHost,
		Port:    p.SMTPPort,
		RootCAs: roots,
		Timeout: d.smtpTimeout,
		Logger:  d.log,
	}}, nil
}

// mxRoute is direct send or relay through a connector: the organisation's
// MX endpoint, no AUTH, a sender in an accepted domain. Direct send uses
// STARTTLS where offered (required with mx.require_tls) and reaches only
// the accepted domains; relay requires TLS and presents the client
// certificate when one is installed. Neither is bound by the submission
// limits, unless limits.* set some.
func (d *Device) mxRoute(ctx context.Context, s Settings, road string) (*route, error) {
	p, err := d.readyBy(s, road, Account{}, false)
	if err != nil {
		return nil, err
	}
	host, err := d.mxHost(ctx, s)
	if err != nil {
		return nil, err
	}
	var roots *x509.CertPool
	if s.MX.CABundle != "" {
		if roots, err = certPool(s.MX.CABundle); err != nil {
			return nil, err
		}
	}
	rt := &route{
		road: road,
		sender: mailer.Sender{Config: mailer.Config{
			Host:    host,
			Port:    s.MX.Port,
			RootCAs: roots,
			Timeout: d.smtpTimeout,
			Logger:  d.log,
		}},
		from:    s.DeviceAddress,
		limits:  s.limits(Provider{Limits: unlimited}),
		maxSize: s.maxMessageSize(p),
	}
	if road == apitype.RoadDirect {
		if !s.MX.RequireTLS {
			rt.sender.Config.TLS = mailer.TLSIfOffered
		}
		rt.internal = s.acceptedDomains()
		return rt, nil
	}
	if rt.sender.Config.ClientCert, err = d.relayClientCert(); err != nil {
		return nil, err
	}
	return rt, nil
}

// unlimited are the limits of direct send and relay: Exchange Online's
// 30 a minute and 10,000 a day bind SMTP AUTH submission only.
var unlimited = mailer.Limits{MessagesPerMinute: -1, RecipientsPerDay: -1}

// mxHost is the MX endpoint: mx.host, else the MX record of the device
// address's domain.
func (d *Device) mxHost(ctx context.Context, s Settings) (string, error) {
	if s.MX.Host != "" {
		return s.MX.Host, nil
	}
	domain := domainOf(s.DeviceAddress)
	host, err := mailer.LookupMX(ctx, d.resolver, domain)
	if err != nil {
		return "", &Error{
			Summary:   fmt.Sprintf("The MX endpoint of %s could not be looked up", domain),
			Hint:      "Check the network's DNS, or set the MX endpoint (such as contoso-com.mail.protection.outlook.com) in the settings.",
			Temporary: temporary(err),
			Err:       err,
			Code:      apitype.CodeProviderUnavailable,
		}
	}
	return host, nil
}
