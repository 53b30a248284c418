package mailer

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"fmt"
	"io"
	"net"
	"slices"
	"strings"
	"syscall"
	"unicode"
	"unicode/utf8"

	"github.com/emersion/go-sasl"
	"github.com/emersion/go-smtp"
)

// ErrNoStartTLS means the server did not offer STARTTLS, so nothing was
// sent: the device never signs in over an unencrypted connection.
var ErrNoStartTLS = errors.New("mailer: server does not offer STARTTLS")

// errReadMessage marks a failure to read the message's own content, such as
// a spool file that has gone: no retry can help.
var errReadMessage = errors.New("reading the message")

// SizeError means the message is larger than the server takes, as it said
// in its answer to EHLO (RFC 1870 SIZE). Send refuses such a message before
// MAIL FROM: nothing of it was sent.
type SizeError struct {
	Size  int64 // the message's length as it would have been sent
	Limit int64 // the largest message the server takes
}

func (e *SizeError) Error() string {
	return fmt.Sprintf("the message has %d bytes, the server takes at most %d", e.Size, e.Limit)
}

// Error is a failed submission: which step failed, the server's answer if
// any, and words for people.
type Error struct {
	// Step is "message" (the message itself is invalid, nothing was sent),
	// "connect" (dial, greeting, EHLO), "starttls" (including the TLS
	// handshake and certificate check), "auth", "mail", "rcpt" or "data";
	// a Probe's also "dns" and "tls" (version and certificate).
	Step string
	Rcpt string // the refused recipient, for the rcpt step

	// Auth is how the session signed in: AuthXOAuth2, AuthPassword, or
	// AuthNone (direct send, relay through a connector); Port is the
	// server's port. The words depend on both.
	Auth string
	Port int

	Summary string // for the person at the panel, e.g. "Sign-in rejected by the mail server"
	Hint    string // what the administrator does about it

	// Err is the cause: often an *smtp.SMTPError carrying the server's
	// Code and EnhancedCode, or a network, TLS or context error.
	Err error
}

func (e *Error) Error() string {
	s := "mailer: " + e.Step
	if e.Rcpt != "" {
		s += " <" + e.Rcpt + ">"
	}
	s += ": " + e.Summary
	if e.Err != nil {
		s += ": " + detail(e.Err)
	}
	return s
}

func (e *Error) Unwrap() error { return e.Err }

// RefusedError means the message was delivered, but not to every
// recipient: the server refused those in Refused for good (each with its
// Rcpt, answer and hint). It is not to be sent again.
type RefusedError struct {
	Refused []*Error
}

func (e *RefusedError) Error() string {
	s := fmt.Sprintf("sent, but %d recipient(s) refused:", len(e.Refused))
	for _, r := range e.Refused {
		s += " " + r.Rcpt + " (" + r.Detail() + ")"
	}
	return s
}

// Detail is the cause in an administrator's terms: the server's answer with
// its enhanced status code, or the network or TLS error.
func (e *Error) Detail() string {
	if e.Err == nil {
		return ""
	}
	return detail(e.Err)
}

// Temporary reports whether sending again later may succeed: true for
// network failures, timeouts, 4xx answers and failed TLS handshakes, false
// for 5xx answers, a server without STARTTLS, a name that does not exist
// and an unreadable message. A handshake is tried again because what
// breaks it often passes by itself: a board's clock not yet set after a
// power cut, a proxy, a server being fixed; the words say what to check
// meanwhile.
func (e *Error) Temporary() bool {
	err := e.Err
	var se *smtp.SMTPError
	switch {
	case err == nil:
		return false
	case errors.As(err, &se):
		return se.Code/100 == 4
	case errors.Is(err, ErrNoStartTLS), errors.Is(err, errReadMessage), isDNSNotFound(err):
		return false
	case isTLSFailure(err):
		return true
	}
	return errors.Is(err, context.Canceled) || isTimeout(err) || isNetwork(err)
}

// maxDetail bounds the cause as shown: a server's answer is one line of at
// most 512 bytes (RFC 5321), a few with a multiline one.
const maxDetail = 1024

// detail shows a server's answer with its enhanced status code, which
// SMTPError.Error leaves out and which an administrator searches for. It
// is printable whatever the server sent (see printable), since the answer,
// or the malformed line in a textproto.ProtocolError, can be chosen by
// anyone on the path before STARTTLS.
func detail(err error) string {
	return printable(rawDetail(err), maxDetail)
}

func rawDetail(err error) string {
	var se *smtp.SMTPError
	if !errors.As(err, &se) {
		return err.Error()
	}
	s := fmt.Sprintf("server answered %d", se.Code)
	if c := se.EnhancedCode; c != smtp.EnhancedCodeNotSet && c != smtp.NoEnhancedCode {
		s += fmt.Sprintf(" %d.%d.%d", c[0], c[1], c[2])
	}
	if se.Message != "" {
		s += " " + se.Message
	}
	var xe *XOAuth2Error
	if errors.As(err, &xe) {
		s += " (" + xe.Error() + ")"
	}
	return s
}

// How a session signed in, as Error.Auth says.
const (
	AuthNone     = ""         // no AUTH: direct send, or relay through a connector
	AuthXOAuth2  = "xoauth2"  // NewXOAuth2Client: OAuth sign-in
	AuthPassword = "password" // Password: AUTH PLAIN or LOGIN
	authOther    = "other"    // any other sasl.Client
)

// authKind is how a session signs in with auth.
func authKind(auth sasl.Client) string {
	switch auth.(type) {
	case nil:
		return AuthNone
	case *xoauth2Client:
		return AuthXOAuth2
	case *passwordClient:
		return AuthPassword
	}
	return authOther
}

// via is what the words for a session's failure depend on besides the
// failure: how it signed in and the server's port.
type via struct {
	auth string
	port int
}

// newError is a failure outside a session, or before it is known how it
// signs in.
func newError(step, rcpt string, err error) *Error { return via{}.newError(step, rcpt, err) }

func (v via) newError(step, rcpt string, err error) *Error {
	e := &Error{Step: step, Rcpt: rcpt, Auth: v.auth, Port: v.port, Err: err}
	for _, a := range catalogue {
		if a.fits(e) {
			e.Summary, e.Hint = a.summary, a.hint
			break
		}
	}
	cleanReply(err)
	return e
}

// cleanReply makes the text of a server's answer in err printable, for
// callers that read SMTPError.Message themselves. It returns err.
func cleanReply(err error) error {
	var se *smtp.SMTPError
	if errors.As(err, &se) {
		se.Message = printable(se.Message, maxDetail)
	}
	return err
}

// printable is text from the server made safe to show on a terminal, a
// panel or a page, and to log: line breaks and other spaces become a
// space, and control and format characters go (C0 and C1 controls, DEL,
// bidi overrides and isolates, zero-width characters), so that an answer
// cannot move a cursor, clear a screen or reorder the words around it.
// It is cut to at most limit bytes.
func printable(s string, limit int) string {
	s = strings.Map(func(r rune) rune {
		switch {
		case unicode.IsSpace(r):
			return ' '
		case !unicode.IsPrint(r):
			return -1
		}
		return r
	}, s)
	if len(s) <= limit {
		return s
	}
	cut := limit - len("…")
	for cut > 0 && !utf8.RuneStart(s[cut]) {
		cut--
	}
	return s[:cut] + "…"
}

// advice is one row of the catalogue: the first row whose step and match
// fit an error gives its summary and hint.
type advice struct {
	step    string   // "" for any step
	auth    []string // how the session signed in (Error.Auth); nil for any way
	port    int      // the server's port; 0 for any
	match   func(error) bool
	summary string
	hint    string
}

func (a advice) fits(e *Error) bool {
	return (a.step == "" || a.step == e.Step) &&
		(a.auth == nil || slices.Contains(a.auth, e.Auth)) &&
		(a.port == 0 || a.port == e.Port) &&
		a.match(e.Err)
}

// Ways of signing in that rows of the catalogue are for.
var (
	withPassword = []string{AuthPassword}
	withoutAuth  = []string{AuthNone}
	notPassword  = []string{AuthNone, AuthXOAuth2, authOther}
)

// basicAuthRetiring is Microsoft's plan for password sign-in to Exchange
// Online (see EXCHANGE.md), for the hints of a refused password.
const basicAuthRetiring = "Microsoft is retiring Basic authentication (user name and password) for SMTP AUTH in Exchange Online: " +
	"off by default from the end of 2026, removed in 2027. Use sign-in with the device's account (OAuth), direct send or a connector instead."

// catalogue follows the error catalogue of Exchange Online (see
// EXCHANGE.md). Server answers are recognised by their enhanced status
// codes, never by their wording, which differs between servers and changes;
// the one exception is Exchange's 5.2.0 for a message too large (tooLarge).
var catalogue = []advice{
	{match: isErr(errReadMessage),
		summary: "Could not read the scanned document",
		hint:    "The scan's file is missing or unreadable. Scan the document again."},
	{match: isErr(errNoServer),
		summary: "No mail server is configured",
		hint:    "Enter the mail server's name and port (Exchange Online: smtp.office365.com, port 587)."},
	{step: "message", match: anyErr,
		summary: "The message has an invalid address",
		hint:    "Check the device's sender address and the recipients' addresses."},

	// Answers of the server.
	{match: code(smtp.EnhancedCode{5, 7, 139}),
		summary: "SMTP sign-in (SMTP AUTH) is turned off for this mailbox or organization",
		hint: "Turn on Authenticated SMTP for the device's mailbox: Microsoft 365 admin center › Users › Active users › (the user) › Mail › Manage email apps, " +
			"or in Exchange Online PowerShell: Set-CASMailbox -Identity <mailbox> -SmtpClientAuthenticationDisabled $false. " +
			"If it is off for the whole organization: Set-TransportConfig -SmtpClientAuthenticationDisabled $false (security defaults also turn it off). " +
			"Or send without SMTP AUTH: by direct send (to the organization's own addresses) or through a connector."},
	{step: "auth", auth: withPassword, match: code(smtp.EnhancedCode{5, 7, 3}),
		summary: "The mail server refused the user name or password",
		hint: "Check the user name (the mailbox's full address) and the password, and that the mailbox may use SMTP AUTH. " +
			basicAuthRetiring},
	{step: "auth", match: code(smtp.EnhancedCode{5, 7, 9}),
		summary: "Gmail wants an app password, not the account's password",
		hint: "Turn on 2-Step Verification for the Google account, create an app password at myaccount.google.com/apppasswords " +
			"and enter it as the device's password. Accounts under Google's Advanced Protection cannot have app passwords: use another account or another way of sending."},
	{step: "auth", auth: withPassword, match: code(smtp.EnhancedCode{5, 7, 8}),
		summary: "The mail server did not accept the address or app password",
		hint: "Enter the full address as the user name and a current app password (Gmail: myaccount.google.com/apppasswords). " +
			"Changing the account's password revokes its app passwords: create a new one then."},
	{step: "auth", match: code(smtp.EnhancedCode{5, 7, 3}),
		summary: "Sign-in rejected by the mail server",
		hint: "Sign the device in again with a licensed user mailbox (not a shared mailbox). " +
			"In Microsoft Entra ID, check that the app registration has the delegated SMTP.Send permission (Office 365 Exchange Online) and admin consent."},
	{match: code(smtp.EnhancedCode{5, 7, 60}),
		summary: "The signed-in account may not send from the device's sender address",
		hint:    "Make the device's sender address the signed-in account's address (its UPN), or grant that account Send As permission on the sender address."},
	{auth: withoutAuth, match: code(smtp.EnhancedCode{5, 7, 57}),
		summary: "The mail server did not recognise the device as one that may send without signing in",
		hint: "Direct send and relay go to the organization's MX endpoint (<domain with dashes>.mail.protection.outlook.com), port 25, not to smtp.office365.com. " +
			"For relay, the connector must match the device's public IP address or its certificate's name. Or sign the device in."},
	{match: code(smtp.EnhancedCode{5, 7, 57}),
		summary: "The device is not signed in to the mail server",
		hint:    "Sign the device in to its mailbox."},
	{match: code(smtp.EnhancedCode{5, 7, 30}),
		summary: "The mail server no longer accepts password sign-in",
		hint:    "Sign the device in with its Microsoft account (OAuth) instead of a password, or send by direct send or through a connector."},
	{match: code(smtp.EnhancedCode{4, 7, 66}),
		summary: "The mail server refused the TLS version",
		hint:    "Exchange Online requires TLS 1.2 or newer, which the device always uses. Report this message to the device's vendor."},
	{match: code(smtp.EnhancedCode{5, 7, 68}),
		summary: "The organization does not accept direct send",
		hint: "Direct send is switched off for the organization (Exchange Online PowerShell: Set-OrganizationConfig -RejectDirectSend $false switches it back on). " +
			"Or send through a connector, or with sign-in (SMTP AUTH submission to smtp.office365.com:587)."},
	{match: code(smtp.EnhancedCode{5, 7, 64}),
		summary: "The mail server refused to relay: the organization's connector did not recognise the device",
		hint: "Update the connector (Exchange admin center › Mail flow › Connectors, the one from your organization's mail server) so that it matches " +
			"the device's public IP address or the name of the certificate it presents (a name in one of your domains)."},
	{match: code(smtp.EnhancedCode{5, 7, 54}),
		summary: "Without sign-in or a connector, the mail server takes mail only for the organization's own addresses",
		hint: "Direct send reaches only addresses in the organization's accepted domains. For other recipients, send through a connector " +
			"(Exchange admin center › Mail flow › Connectors, matching the device's public IP address or certificate) or with sign-in."},
	{match: codeRange(smtp.EnhancedCode{5, 7, 606}, 649),
		summary: "The device's public IP address is on a block list",
		hint: "Microsoft refuses mail from this address. Ask for it to be removed at sender.office.com, " +
			"or send through a connector or with sign-in, which this block does not stop."},
	{match: tooLarge,
		summary: "The message is too large for the mail server",
		hint: "Exchange Online accepts 35 MB per message by default, and attachments grow by a third on the way. " +
			"Scan fewer pages or at a lower resolution, or raise the mailbox's MaxSendSize (up to 150 MB)."},
	{match: code(smtp.EnhancedCode{4, 3, 2}),
		summary: "Too many connections to the mail server; scan again in a few minutes",
		hint:    "Exchange Online allows only a few connections per mailbox at a time. Other devices or programs may be sending as the same mailbox."},
	{match: code(smtp.EnhancedCode{5, 2, 0}),
		summary: "The mailbox refused to send the message",
		hint:    "Often the daily limit: Exchange Online allows 10,000 recipients per mailbox a day. Wait a day, or send through a connector, which has no such limit."},
	{match: code(smtp.EnhancedCode{5, 1, 8}),
		summary: "The mailbox is blocked from sending",
		hint:    "The mailbox was probably restricted for sending spam. Release it in the Microsoft Defender portal (Restricted entities) and check the account for compromise."},
	{step: "rcpt", match: code(smtp.EnhancedCode{5, 1, -1}),
		summary: "Recipient address rejected",
		hint:    "Check the spelling of the recipient's address."},
	{step: "mail", match: code(smtp.EnhancedCode{5, 1, -1}),
		summary: "Sender address rejected",
		hint:    "Check the device's sender address: it must be the signed-in mailbox's address."},
	{step: "auth", auth: notPassword, match: code(smtp.EnhancedCode{5, 7, 4}),
		summary: "The mail server does not accept OAuth sign-in (XOAUTH2)",
		hint:    "Check the server name and port: Exchange Online is smtp.office365.com, port 587."},
	{step: "auth", auth: withPassword, match: permanentReply,
		summary: "The mail server refused the password sign-in",
		hint:    "Check the user name and the password, and that the account may send over SMTP. The server's answer says more."},
	{step: "auth", match: permanentReply,
		summary: "Sign-in rejected by the mail server",
		hint:    "Sign the device in again. If it keeps failing, check that the mailbox may use SMTP AUTH."},

	{match: isErr(ErrNoPasswordMechanism),
		summary: "The mail server does not take a password sign-in",
		hint: "It offers neither AUTH PLAIN nor AUTH LOGIN. Check the server name and port (Gmail: smtp.gmail.com, 587), " +
			"or choose a way of sending the server takes (Exchange Online: sign-in with the device's account, direct send or a connector)."},

	// The MX lookup of a domain, for direct send and relay.
	{step: "dns", match: isErr(errNoDomain),
		summary: "No e-mail domain is configured",
		hint:    "Enter the organisation's e-mail domain (e.g. contoso.com), or the mail server's name."},
	{step: "dns", match: allOf(isErr(errMXLookup), anyOf(isErr(errNoMX), isDNSNotFound)),
		summary: "The domain has no mail server (no MX record)",
		hint: "Check the spelling of the organisation's e-mail domain. " +
			"Or enter the mail server's name yourself: Exchange Online's is <domain with dashes>.mail.protection.outlook.com (contoso-com.mail.protection.outlook.com)."},
	{step: "dns", match: isErr(errMXLookup),
		summary: "Could not look up the domain's mail server; try again in a few minutes",
		hint:    "Check the network connection and the device's DNS settings."},

	// Failures before the server could answer.
	{auth: withoutAuth, match: isErr(ErrNoStartTLS),
		summary: "The mail server does not offer encryption (STARTTLS)",
		hint: "The device is set to require encryption, as relay through a connector does. Check the server name " +
			"(<domain with dashes>.mail.protection.outlook.com) and port 25; for direct send, encryption may be set to \"when offered\"."},
	{match: isErr(ErrNoStartTLS),
		summary: "The mail server does not offer encryption (STARTTLS)",
		hint: "Check the server name and port: Exchange Online is smtp.office365.com, port 587. " +
			"The device never sends its sign-in over an unencrypted connection."},
	{match: isType[*TLSVersionError],
		summary: "The mail server's TLS is too old (TLS 1.0 or 1.1)",
		hint: "The device requires TLS 1.2 or newer, as Exchange Online does. " +
			"Check the server name and port (Exchange Online: smtp.office365.com, 587), or have the server's TLS updated."},
	{match: isExpiredCertificate,
		summary: "The mail server's certificate is not valid at the device's current time",
		hint:    "Check the device's date and time, or set a time server (NTP)."},
	{match: isType[x509.HostnameError],
		summary: "The mail server's certificate is for another name",
		hint:    "Enter the server's DNS name as its certificate names it (smtp.office365.com), not an IP address or an alias."},
	{match: isUntrusted,
		summary: "The mail server's certificate is not trusted",
		hint: "Check the server name and the device's date and time. " +
			"A firewall or proxy that inspects TLS must let the device's connection through unchanged."},
	{match: isTLSFailure,
		summary: "Could not set up encryption with the mail server",
		hint:    "The server must support TLS 1.2 or newer. Check the server name and port: 587 with STARTTLS (port 465 is not supported)."},
	{match: isDNSNotFound,
		summary: "Mail server name not found",
		hint:    "Check the spelling of the server name and the device's DNS settings."},
	{match: isType[*net.DNSError],
		summary: "Could not look up the mail server's name; scan again in a few minutes",
		hint:    "Check the network connection and the device's DNS settings."},
	{port: 25, match: isErr(syscall.ECONNREFUSED),
		summary: "The mail server refused the connection; scan again in a few minutes",
		hint: "Many internet providers block outgoing port 25, which direct send and relay use: ask yours to open it for the device, " +
			"or send with sign-in (port 587). Check the server name too (<domain with dashes>.mail.protection.outlook.com)."},
	{match: isErr(syscall.ECONNREFUSED),
		summary: "The mail server refused the connection; scan again in a few minutes",
		hint:    "Check the server name and port (Exchange Online: smtp.office365.com, 587). A firewall may block outgoing port 587."},
	{match: isErr(context.Canceled),
		summary: "Sending was cancelled",
		hint:    ""},
	{port: 25, match: isTimeout,
		summary: "The mail server did not answer in time; scan again in a few minutes",
		hint: "Many internet providers block outgoing port 25, which direct send and relay use, by dropping the connection silently: " +
			"ask yours to open it for the device, or send with sign-in (port 587). Check the network connection too."},
	{match: isTimeout,
		summary: "The mail server did not answer in time; scan again in a few minutes",
		hint:    "Check the network connection and that outgoing port 587 is open. Port 465 is not supported."},

	// Whatever is left.
	{match: temporaryReply,
		summary: "The mail server is busy; scan again in a few minutes",
		hint:    "Nothing to do unless this keeps happening."},
	{match: permanentReply,
		summary: "The mail server refused the message",
		hint:    "The server's answer says why."},
	{match: isNetwork,
		summary: "The connection to the mail server was lost; scan again in a few minutes",
		hint:    "Check the network connection."},
	{match: anyErr,
		summary: "Sending failed",
		hint:    ""},
}

// code matches a server answer with one of the enhanced status codes; -1
// in a code matches any number.
func code(codes ...smtp.EnhancedCode) func(error) bool {
	return func(err error) bool {
		var se *smtp.SMTPError
		if !errors.As(err, &se) {
			return false
		}
		for _, c := range codes {
			if matchCode(c, se.EnhancedCode) {
				return true
			}
		}
		return false
	}
}

// tooLarge matches the answers to a message over the size limit: 5.3.4 and
// 5.2.3, and Exchange's 554 5.2.0 naming MapiExceptionMaxSubmissionExceeded
// or MessageSizeExceededException. Only there does the catalogue read an
// answer's words: Exchange gives 5.2.0 to its daily quota too (a row further
// down), and the exception's name is the one thing that tells them apart.
func tooLarge(err error) bool {
	if isType[*SizeError](err) {
		return true
	}
	if code(smtp.EnhancedCode{5, 3, 4}, smtp.EnhancedCode{5, 2, 3})(err) {
		return true
	}
	var se *smtp.SMTPError
	return errors.As(err, &se) && se.EnhancedCode == smtp.EnhancedCode{5, 2, 0} &&
		(strings.Contains(se.Message, "MapiExceptionMaxSubmissionExceeded") || strings.Contains(se.Message, "MessageSizeExceededException"))
}

// codeRange matches a server answer whose enhanced status code is from
// first to first with its last number replaced by last, e.g. 5.7.606 to
// 5.7.649.
func codeRange(first smtp.EnhancedCode, last int) func(error) bool {
	return func(err error) bool {
		var se *smtp.SMTPError
		if !errors.As(err, &se) {
			return false
		}
		c := se.EnhancedCode
		return c[0] == first[0] && c[1] == first[1] && c[2] >= first[2] && c[2] <= last
	}
}

func matchCode(pattern, c smtp.EnhancedCode) bool {
	for i := range pattern {
		if pattern[i] != -1 && pattern[i] != c[i] {
			return false
		}
	}
	return true
}

// allOf matches an error that every match matches.
func allOf(matches ...func(error) bool) func(error) bool {
	return func(err error) bool {
		for _, m := range matches {
			if !m(err) {
				return false
			}
		}
		return true
	}
}

// anyOf matches an error that one of matches matches.
func anyOf(matches ...func(error) bool) func(error) bool {
	return func(err error) bool {
		return slices.ContainsFunc(matches, func(m func(error) bool) bool { return m(err) })
	}
}

func isErr(target error) func(error) bool {
	return func(err error) bool { return errors.Is(err, target) }
}

func isType[T error](err error) bool {
	var t T
	return errors.As(err, &t)
}

func anyErr(error) bool { return true }

func temporaryReply(err error) bool {
	var se *smtp.SMTPError
	return errors.As(err, &se) && se.Code/100 == 4
}

func permanentReply(err error) bool {
	var se *smtp.SMTPError
	return errors.As(err, &se) && se.Code/100 == 5
}

func isExpiredCertificate(err error) bool {
	var ce x509.CertificateInvalidError
	return errors.As(err, &ce) && ce.Reason == x509.Expired
}

// isTLSFailure reports a failed TLS handshake: a certificate the device does
// not accept, or a server that does not speak TLS as expected.
func isTLSFailure(err error) bool {
	return isType[*tls.CertificateVerificationError](err) ||
		isType[x509.UnknownAuthorityError](err) ||
		isType[x509.HostnameError](err) ||
		isType[x509.CertificateInvalidError](err) ||
		isType[tls.AlertError](err) ||
		isType[tls.RecordHeaderError](err) ||
		isTLSAlert(err)
}

// isTLSAlert reports an alert the server sent, such as "protocol version
// not supported" from a server without TLS 1.2. Over TCP crypto/tls gives
// it as a *net.OpError whose Op is "remote error" (tls.AlertError is only
// for QUIC), which is otherwise taken for a lost connection.
func isTLSAlert(err error) bool {
	var oe *net.OpError
	return errors.As(err, &oe) && oe.Op == "remote error"
}

func isUntrusted(err error) bool {
	return isType[*tls.CertificateVerificationError](err) || isType[x509.UnknownAuthorityError](err)
}

func isDNSNotFound(err error) bool {
	var dns *net.DNSError
	return errors.As(err, &dns) && dns.IsNotFound
}

func isTimeout(err error) bool {
	var ne net.Error
	return errors.Is(err, context.DeadlineExceeded) || errors.As(err, &ne) && ne.Timeout()
}

func isNetwork(err error) bool {
	var ne net.Error
	return errors.As(err, &ne) || errors.Is(err, io.EOF) || errors.Is(err, io.ErrUnexpectedEOF) ||
		errors.Is(err, net.ErrClosed) || errors.Is(err, syscall.ECONNRESET)
}

// TooLarge reports whether the server refused a message for its size
// (5.3.4, 5.2.3, Exchange's 5.2.0 size exceptions, or a bare 552), or Send
// did, for a *SizeError, before sending it: the
// same content cut into smaller messages may go. A 552 with another
// enhanced code, such as 5.2.2 for a full mailbox, is not about this
// message's size.
func TooLarge(err error) bool {
	if isType[*SizeError](err) {
		return true
	}
	var se *smtp.SMTPError
	if !errors.As(err, &se) {
		return false
	}
	if c := se.EnhancedCode; c != smtp.EnhancedCodeNotSet && c != smtp.NoEnhancedCode {
		return tooLarge(err)
	}
	return se.Code == 552
}

// TokenRejected reports whether the server refused the access token at
// AUTH: Exchange Online's 535 5.7.3, or a Gmail-style challenge with
// status 401; never for a Password's sign-in. A new token may pass where this one failed: the server's
// clock may have ended it before the device's did, or it was revoked.
func TokenRejected(err error) bool {
	var me *Error
	if !errors.As(err, &me) || me.Step != "auth" || me.Auth == AuthPassword {
		return false // a password is no token: a refresh cannot help it
	}
	var xe *XOAuth2Error
	if errors.As(err, &xe) && xe.Status == "401" {
		return true
	}
	var se *smtp.SMTPError
	return errors.As(err, &se) && se.Code == 535 && se.EnhancedCode == smtp.EnhancedCode{5, 7, 3}
}
