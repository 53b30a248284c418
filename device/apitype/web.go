package apitype

import "time"

// Web is the admin's web pages as the status tells them: where they are
// and the fingerprint of their certificate, for the admin to check in the
// browser. Empty when the daemon serves no web pages.
type Web struct {
	URLs []string `json:"urls,omitempty"`
	// Fingerprint is the SHA-256 of the certificate's DER, as browsers
	// show it: upper-case hex bytes joined by colons. Empty over plain
	// HTTP (loopback only).
	Fingerprint string `json:"fingerprint,omitempty"`
}

// PasswordState says whether the web pages' admin password is set, and
// whether wrong tries hold the next one back.
type PasswordState struct {
	Set      bool      `json:"set"`
	Failures int       `json:"failures,omitempty"`
	RetryAt  time.Time `json:"retry_at,omitzero"`
}

// PasswordSet sets the admin password: Old must be the current one,
// unless none is set yet. Every session ends with the change.
type PasswordSet struct {
	Old string `json:"old,omitempty"`
	New string `json:"new"`
}

// Login asks for a web session with the admin password. A wrong one
// answers CodePasswordWrong and holds the next try back, longer after
// each; while held back, CodePasswordLocked with RetryAt.
type Login struct {
	Password string `json:"password"`
}

// Session is a web session. ID is given only when the session is made
// (by a login); it is the cookie's value and is kept only as a hash.
type Session struct {
	ID      string    `json:"id,omitempty"`
	Created time.Time `json:"created"`
	// Expires is when the session ends unless used: the idle timeout
	// from its last use, never past the absolute timeout from Created.
	Expires time.Time `json:"expires"`
}

// SessionCheck names the session a request carries; a check that finds
// it alive counts as a use.
type SessionCheck struct {
	ID string `json:"id"`
}

// ConnTestRequest runs the connection test; with To set it ends by
// sending a test message there.
type ConnTestRequest struct {
	To string `json:"to,omitempty"`
}

// Connection test steps, in the order they run.
const (
	StepMX       = "mx"        // direct send and relay: the domain's MX record names the server
	StepDNS      = "dns"       // the SMTP host's name resolves
	StepTCP      = "tcp"       // its port answers
	StepSTARTTLS = "starttls"  // the server offers STARTTLS and the handshake completes
	StepTLS      = "tls"       // TLS 1.2 or later, a certificate valid for the host
	StepToken    = "token"     // the sign-in gives an access token (refreshed)
	StepAuth     = "auth"      // SASL XOAUTH2, or the password (PLAIN or LOGIN), is accepted
	StepMailFrom = "mail-from" // the device address may send
	StepRcpt     = "rcpt"      // the test recipient is accepted
	StepData     = "data"      // the test message is accepted (only with To)
)

// Connection test step states.
const (
	StepRunning = "running"
	StepOK      = "ok"
	StepFailed  = "failed"
	StepSkipped = "skipped" // a step before it failed, or it was not asked for
)

// ConnTestStep is one step of the connection test as it runs: first
// running, then ok (Detail says what was found: addresses, TLS version,
// certificate's names and expiry) or failed (Error and Hint from the error
// catalogue, ErrorCode for programs).
type ConnTestStep struct {
	Step      string    `json:"step"`
	State     string    `json:"state"`
	Detail    string    `json:"detail,omitempty"`
	Error     string    `json:"error,omitempty"`
	Hint      string    `json:"hint,omitempty"`
	ErrorCode ErrorCode `json:"error_code,omitempty"`
	// Suggest, on a failed step, is the road (RoadDirect...) that fits
	// where this one is closed, such as when SMTP AUTH is turned off
	// (5.7.139) or outgoing port 587 is blocked; Hint says why.
	Suggest string `json:"suggest,omitempty"`
}
