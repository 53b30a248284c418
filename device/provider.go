package device

import (
	"fmt"
	"net"
	"net/url"
	"slices"
	"strings"

	"golang.org/x/oauth2"

	"scanmail/device/apitype"
	"scanmail/mailer"
)

// Provider is where the device signs in and sends mail. The presets are plain
// values; nothing in the code branches on which one is chosen.
type Provider struct {
	ID   string `json:"id"`
	Name string `json:"name"`

	SMTPHost string `json:"smtp_host"`
	SMTPPort int    `json:"smtp_port"`

	// LoginHost is the sign-in authority's base URL; the endpoints are
	// {LoginHost}/{tenant}/oauth2/v2.0/{devicecode,token}.
	LoginHost string `json:"login_host,omitempty"`
	// FixedTenant is set where the tenant is not the admin's choice
	// (Outlook.com's personal accounts are always "consumers").
	FixedTenant string `json:"fixed_tenant,omitempty"`
	// DeviceAuthURL and TokenURL, when set, are used as they are
	// (the custom provider); otherwise they derive from LoginHost.
	DeviceAuthURL string `json:"device_auth_url,omitempty"`
	TokenURL      string `json:"token_url,omitempty"`

	Scopes []string `json:"scopes"`

	// CABundle is extra PEM certificates trusted for this provider's
	// endpoints, for private clouds and test rigs.
	CABundle string `json:"ca_bundle,omitempty"`

	// AdminConsent is whether an organisation's admin must consent to the
	// app registration (not so for personal accounts).
	AdminConsent bool `json:"admin_consent"`

	// Limits are the provider's sending limits for SMTP AUTH submission;
	// zero fields mean Exchange Online's (30 messages a minute, 10,000
	// recipients a day).
	Limits mailer.Limits `json:"limits"`
	// MaxMessageSize is the largest message the provider takes, in
	// bytes as sent (attachments grow by a third in base64); 0 = no limit.
	MaxMessageSize int64 `json:"max_message_size"`

	// Roads are the ways of sending (apitype.RoadOAuth...) the provider
	// takes, in the order front ends offer them.
	Roads []string `json:"roads"`
	// BasicAuthRetiring marks Exchange Online, where Microsoft is
	// retiring password sign-in (Basic authentication) for SMTP AUTH:
	// the password road needs the admin's explicit yes, and carries a
	// standing warning.
	BasicAuthRetiring bool `json:"basic_auth_retiring,omitempty"`
}

// SupportsRoad reports whether the provider takes road.
func (p Provider) SupportsRoad(road string) bool { return slices.Contains(p.Roads, road) }

// signInScopes are asked for on top of the SMTP scope: offline_access for a
// refresh token, openid for the id_token, profile because Microsoft puts
// preferred_username (the UPN) in the id_token only with it, email as
// Microsoft's guidance for SMTP clients lists it.
var signInScopes = []string{"offline_access", "openid", "profile", "email"}

func scopes(smtpScope string) []string {
	return append([]string{smtpScope}, signInScopes...)
}

// exchangeLimits are Exchange Online's limits for SMTP AUTH client
// submission, which Outlook.com shares.
var exchangeLimits = mailer.Limits{MessagesPerMinute: 30, RecipientsPerDay: 10000}

// exchangeMaxMessage is Exchange Online's default largest message, 35 MB
// (an admin can raise a mailbox's MaxSendSize to 150 MB).
const exchangeMaxMessage = 35 << 20

// exchangeRoads are the roads Microsoft documents for a device sending
// through Exchange Online: SMTP AUTH client submission (signed in, or
// with a password while Basic authentication lasts), direct send and
// relay through a connector.
var exchangeRoads = []string{apitype.RoadOAuth, apitype.RoadPassword, apitype.RoadDirect, apitype.RoadRelay}

// gmailLimits are Google's published sending limits for a Gmail account
// (support.google.com/mail/answer/22839: 500 recipients a day; Google
// Workspace accounts get 2,000 messages and 10,000 recipients a day,
// support.google.com/a/answer/166852, which an admin sets with limits.*).
// Google publishes no per-minute limit.
var gmailLimits = mailer.Limits{MessagesPerMinute: -1, RecipientsPerDay: 500}

// gmailMaxMessage is Gmail's largest message, 25 MB (support.google.com/
// mail/answer/6584).
const gmailMaxMessage = 25 << 20

// GmailProviderID is the Gmail preset, whose only road is the password
// (an app password): Google does not allow Gmail's scopes in its device
// flow.
const GmailProviderID = "gmail"

// Presets are the providers the admin picks from by ID.
func Presets() []Provider {
	return []Provider{
		{
			ID:                "exchange-online",
			Name:              "Exchange Online (worldwide)",
			SMTPHost:          "smtp.office365.com",
			SMTPPort:          587,
			LoginHost:         "https://login.microsoftonline.com",
			Scopes:            scopes("https://outlook.office.com/SMTP.Send"),
			AdminConsent:      true,
			Limits:            exchangeLimits,
			MaxMessageSize:    exchangeMaxMessage,
			Roads:             exchangeRoads,
			BasicAuthRetiring: true,
		},
		{
			ID:             "outlook",
			Name:           "Outlook.com (personal Microsoft account)",
			SMTPHost:       "smtp-mail.outlook.com",
			SMTPPort:       587,
			LoginHost:      "https://login.microsoftonline.com",
			FixedTenant:    "consumers",
			Scopes:         scopes("https://outlook.office.com/SMTP.Send"),
			Limits:         exchangeLimits,
			MaxMessageSize: exchangeMaxMessage,
			// Microsoft turned Basic authentication off for Outlook.com
			// in 2024, and a personal account has no MX endpoint of
			// its own: sign-in is the only road.
			Roads: []string{apitype.RoadOAuth},
		},
		{
			ID:                "21vianet",
			Name:              "Exchange Online operated by 21Vianet",
			SMTPHost:          "smtp.partner.outlook.cn",
			SMTPPort:          587,
			LoginHost:         "https://login.partner.microsoftonline.cn",
			Scopes:            scopes("https://partner.outlook.cn/SMTP.Send"),
			AdminConsent:      true,
			Limits:            exchangeLimits,
			MaxMessageSize:    exchangeMaxMessage,
			Roads:             exchangeRoads,
			BasicAuthRetiring: true,
		},
		{
			// Microsoft's documents are thin on GCC High; an admin who
			// finds other values uses the custom provider.
			ID:                "gcc-high",
			Name:              "Exchange Online US Government GCC High",
			SMTPHost:          "smtp.office365.us",
			SMTPPort:          587,
			LoginHost:         "https://login.microsoftonline.us",
			Scopes:            scopes("https://outlook.office365.us/SMTP.Send"),
			AdminConsent:      true,
			Limits:            exchangeLimits,
			MaxMessageSize:    exchangeMaxMessage,
			Roads:             exchangeRoads,
			BasicAuthRetiring: true,
		},
		{
			// Google does not allow Gmail's scopes in its device flow:
			// an app password (which needs 2-Step Verification, and
			// which accounts under Advanced Protection cannot have).
			ID:             GmailProviderID,
			Name:           "Gmail or Google Workspace (app password)",
			SMTPHost:       "smtp.gmail.com",
			SMTPPort:       587,
			Limits:         gmailLimits,
			MaxMessageSize: gmailMaxMessage,
			Roads:          []string{apitype.RoadPassword},
		},
	}
}

// CustomProviderID names the provider whose every endpoint is set by hand.
const CustomProviderID = "custom"

func preset(id string) (Provider, bool) {
	for _, p := range Presets() {
		if p.ID == id {
			return p, true
		}
	}
	return Provider{}, false
}

// Tenant is the tenant the provider signs in to, given the configured one.
func (p Provider) Tenant(configured string) string {
	switch {
	case p.FixedTenant != "":
		return p.FixedTenant
	case configured != "":
		return configured
	default:
		return "organizations"
	}
}

// Endpoint is the OAuth endpoint for tenant. The device is a public client:
// the client ID goes in the form, never in a Basic header, which would also
// make x/oauth2 send every poll twice while it guesses.
func (p Provider) Endpoint(tenant string) oauth2.Endpoint {
	e := oauth2.Endpoint{
		DeviceAuthURL: p.DeviceAuthURL,
		TokenURL:      p.TokenURL,
		AuthStyle:     oauth2.AuthStyleInParams,
	}
	base := strings.TrimSuffix(p.LoginHost, "/") + "/" + url.PathEscape(p.Tenant(tenant)) + "/oauth2/v2.0/"
	if e.DeviceAuthURL == "" {
		e.DeviceAuthURL = base + "devicecode"
	}
	if e.TokenURL == "" {
		e.TokenURL = base + "token"
	}
	return e
}

// AdminConsentURL is the link an admin opens once to consent to the app
// registration for the whole organisation, or "" where none is needed.
func (p Provider) AdminConsentURL(tenant, clientID string) string {
	if !p.AdminConsent || p.LoginHost == "" || clientID == "" {
		return ""
	}
	t := p.Tenant(tenant)
	if t == "organizations" {
		t = "common"
	}
	return strings.TrimSuffix(p.LoginHost, "/") + "/" + url.PathEscape(t) + "/adminconsent?client_id=" + url.QueryEscape(clientID)
}

// SMTPScope is the scope that lets a token send mail.
func (p Provider) SMTPScope() string {
	if len(p.Scopes) == 0 {
		return ""
	}
	return p.Scopes[0]
}

func (p Provider) validate() error {
	if p.SMTPHost == "" {
		return fmt.Errorf("provider %s: no SMTP host", p.ID)
	}
	if err := checkSMTPHost(p.SMTPHost); err != nil {
		return err
	}
	if err := checkSMTPPort(p.SMTPPort); err != nil {
		return err
	}
	e := p.Endpoint("")
	for _, u := range []string{e.DeviceAuthURL, e.TokenURL} {
		if err := checkEndpointURL(u); err != nil {
			return err
		}
	}
	if len(p.Scopes) == 0 {
		return fmt.Errorf("provider %s: no scopes", p.ID)
	}
	return nil
}

// checkSMTPHost refuses IP addresses: the server's certificate names a DNS
// name, and Microsoft's addresses change. Loopback stays allowed for test rigs.
func checkSMTPHost(host string) error {
	if ip := net.ParseIP(host); ip != nil && !ip.IsLoopback() {
		return fmt.Errorf("SMTP host %s is an IP address: use the server's DNS name (its certificate is checked against it)", host)
	}
	if strings.ContainsAny(host, " /:") {
		return fmt.Errorf("SMTP host %q is not a host name", host)
	}
	return nil
}

func checkSMTPPort(port int) error {
	switch {
	case port == 465:
		return fmt.Errorf("SMTP port 465 is not supported for submission: use 587 (STARTTLS)")
	case port <= 0 || port > 65535:
		return fmt.Errorf("SMTP port %d is out of range", port)
	}
	return nil
}

// checkEndpointURL wants https, except on loopback where a local test
// identity provider runs.
func checkEndpointURL(raw string) error {
	u, err := url.Parse(raw)
	if err != nil || u.Host == "" {
		return fmt.Errorf("%q is not a URL", raw)
	}
	if u.Scheme == "https" {
		return nil
	}
	if u.Scheme == "http" && isLoopback(u.Hostname()) {
		return nil
	}
	return fmt.Errorf("%s: sign-in endpoints must use https", raw)
}

func isLoopback(host string) bool {
	if host == "localhost" {
		return true
	}
	ip := net.ParseIP(host)
	return ip != nil && ip.IsLoopback()
}
