package webui

import "scanmail/device/apitype"

// road is one way of sending as the settings page compares them, from
// Microsoft's comparison of the options for a device (SMTP AUTH client
// submission, direct send, relay through a connector).
type road struct {
	ID   string
	Name string
	// Facts are the comparison's cells, in the order of roadFacts.
	Facts []string
}

// roadFacts are the comparison's rows.
var roadFacts = []string{
	"Mail server",
	"Recipients",
	"Encryption (TLS)",
	"How the device proves who it is",
	"Limits",
	"A copy in Sent Items",
	"What the organisation sets up",
}

// roads are the roads the device knows, in apitype.Roads' order; a road
// the device adds later is offered by its ID, without facts.
var roads = []road{
	{ID: apitype.RoadOAuth, Name: "Sign-in with a code (OAuth)", Facts: []string{
		"The provider's submission server, port 587 (Exchange Online: smtp.office365.com)",
		"Anyone, inside or outside the organisation",
		"Required: STARTTLS, TLS 1.2 or later",
		"Signs in once with a code entered on a phone; no password is kept",
		"Exchange Online: 30 messages a minute, 10,000 recipients a day",
		"Yes, in the signed-in mailbox",
		"A licensed mailbox for the device with SMTP AUTH allowed, and an app registration with SMTP.Send and admin consent",
	}},
	{ID: apitype.RoadPassword, Name: "User name and password", Facts: []string{
		"The provider's submission server, port 587 (Gmail: smtp.gmail.com)",
		"Anyone, inside or outside the organisation",
		"Required: STARTTLS, TLS 1.2 or later; the password is never sent without it",
		"A user name and password, or an app password (AUTH PLAIN or LOGIN)",
		"The provider's (Exchange Online: 30 messages a minute, 10,000 recipients a day)",
		"Yes with Exchange Online and Gmail; with other servers, it depends on the server",
		"A mailbox with SMTP AUTH allowed. Exchange Online: Microsoft switches password sign-in off by default at the end of 2026 and removes it in 2027. Gmail: an app password",
	}},
	{ID: apitype.RoadDirect, Name: "Direct send", Facts: []string{
		"The organisation's MX endpoint, port 25 (<domain>.mail.protection.outlook.com)",
		"Only the organisation's own: addresses in its accepted domains; the device refuses others before scanning",
		"Used when the server offers it; required if you say so",
		"None: any sender address in an accepted domain",
		"Not bound by the 30-a-minute submission limit",
		"No",
		"Outgoing port 25 open; direct send not switched off for the tenant; the device's public IP address in the domain's SPF record (recommended)",
	}},
	{ID: apitype.RoadRelay, Name: "Relay through a connector", Facts: []string{
		"The organisation's MX endpoint, port 25 (<domain>.mail.protection.outlook.com)",
		"Anyone, inside or outside the organisation",
		"Required: TLS 1.2 or later",
		"The connector recognises the device's static public IP address, or its client certificate (a name in the organisation's domain)",
		"Not bound by the 30-a-minute submission limit",
		"No",
		"Outgoing port 25 open, and a connector in the Exchange admin center for the device's IP address or certificate name",
	}},
}

// roadByID is the road id, or one with only its ID when the device knows
// it and these pages do not.
func roadByID(id string) road {
	for _, r := range roads {
		if r.ID == id {
			return r
		}
	}
	return road{ID: id, Name: id, Facts: make([]string, len(roadFacts))}
}

// roadName is the road id in words.
func roadName(id string) string { return roadByID(id).Name }

// exchangePresets are the providers on which Microsoft retires password
// sign-in for SMTP AUTH (Basic authentication): the settings page warns
// when the password road is chosen with one. The device's own list, the
// providers of password.basic_auth_ok, takes over where it has one.
var exchangePresets = []string{"exchange-online", "21vianet", "gcc-high"}

// gmailProviders are the providers with which the settings page notes
// what Gmail's app passwords need: a Gmail preset when the device has
// one, and the custom provider (smtp.gmail.com typed by hand).
var gmailProviders = []string{"gmail", "custom"}
