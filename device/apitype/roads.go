package apitype

import "time"

// Roads: how the device sends mail. Microsoft documents three for a
// device (SMTP AUTH client submission, direct send, relay through a
// connector); submission comes with OAuth sign-in or a password.
const (
	// RoadOAuth is SMTP AUTH client submission signed in with a device
	// code (XOAUTH2): any recipient, a copy in the account's Sent Items.
	RoadOAuth = "oauth"
	// RoadPassword is SMTP AUTH client submission with a user name and
	// password (AUTH PLAIN or LOGIN) or an app password (Gmail).
	RoadPassword = "password"
	// RoadDirect is direct send to the organisation's MX endpoint on
	// port 25, without authentication: internal recipients only.
	RoadDirect = "direct"
	// RoadRelay is relay through a connector on the organisation's MX
	// endpoint, port 25, TLS, recognised by the device's IP address or
	// client certificate: any recipient.
	RoadRelay = "relay"
)

// Roads lists the roads in the order front ends offer them.
func Roads() []string { return []string{RoadOAuth, RoadPassword, RoadDirect, RoadRelay} }

// Kinds of alert: what makes the device tell the admin that mail is about
// to stop, or has.
const (
	// AlertSignInEnded: the provider refused to renew the sign-in
	// (password changed, account disabled, revoked, 90 days unused).
	AlertSignInEnded = "signin-ended"
	// AlertKeepAliveFailing: the scheduled renewals of the sign-in keep
	// failing, so the sign-in may end unused.
	AlertKeepAliveFailing = "keepalive-failing"
	// AlertJobsFailing: several sending attempts in a row failed.
	AlertJobsFailing = "jobs-failing"
)

// Alert is something the admin must know of, shown on the panel and the
// web pages until acknowledged, and mailed to the admin's address.
type Alert struct {
	Kind    string `json:"kind"`
	Summary string `json:"summary"` // what happened
	Hint    string `json:"hint"`    // what to do
	// First and Last are when it happened first and last since it was
	// acknowledged; Count how often.
	First time.Time `json:"first"`
	Last  time.Time `json:"last"`
	Count int       `json:"count"`
	// Resolved is when the cause went away by itself (a new sign-in, a
	// job sent); zero while it holds. The alert stays until acknowledged.
	Resolved time.Time `json:"resolved,omitzero"`
	// Mailed is when the alert was last mailed to MailedTo; MailError
	// says why the last try to mail it failed, or why it could not be
	// mailed at all (no address, no road that does not need the sign-in).
	Mailed    time.Time `json:"mailed,omitzero"`
	MailedTo  string    `json:"mailed_to,omitempty"`
	MailError string    `json:"mail_error,omitempty"`
}

// AlertAck acknowledges an alert by kind.
type AlertAck struct {
	Kind string `json:"kind"`
}

// RelayCertInstall installs the client certificate the device presents to
// a connector: the certificate chain and its private key, both PEM.
type RelayCertInstall struct {
	Cert string `json:"cert"`
	Key  string `json:"key"`
}

// RelayCert describes the installed client certificate; never its key.
type RelayCert struct {
	Installed   bool      `json:"installed"`
	Subject     string    `json:"subject,omitempty"`
	Names       []string  `json:"names,omitempty"` // DNS names (SAN), else the CN
	Issuer      string    `json:"issuer,omitempty"`
	NotBefore   time.Time `json:"not_before,omitzero"`
	NotAfter    time.Time `json:"not_after,omitzero"`
	Fingerprint string    `json:"fingerprint,omitempty"` // SHA-256 of the DER, hex with colons
}
