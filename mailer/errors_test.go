package mailer

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"fmt"
	"io"
	"net"
	"os"
	"strings"
	"syscall"
	"testing"

	"github.com/emersion/go-smtp"
)

// TestCatalogue classifies failures that the loopback tests cannot produce:
// DNS answers, certificate problems a real server would have, and so on.
func TestCatalogue(t *testing.T) {
	tests := []struct {
		name      string
		step      string
		err       error
		summary   string // a part of the summary
		temporary bool
	}{
		{"name not found", "connect", &net.DNSError{Err: "no such host", Name: "smtp.offce365.com", IsNotFound: true}, "name not found", false},
		{"dns down", "connect", &net.DNSError{Err: "server misbehaving", Name: "smtp.office365.com", IsTemporary: true}, "look up", true},
		{"refused", "connect", &net.OpError{Op: "dial", Net: "tcp", Err: os.NewSyscallError("connect", syscall.ECONNREFUSED)}, "refused the connection", true},
		{"reset", "data", &net.OpError{Op: "write", Net: "tcp", Err: os.NewSyscallError("write", syscall.ECONNRESET)}, "connection to the mail server was lost", true},
		{"closed by server", "mail", io.EOF, "connection to the mail server was lost", true},
		{"wrong name", "starttls", x509.HostnameError{Certificate: &x509.Certificate{}, Host: "10.0.0.5"}, "certificate is for another name", true},
		{"clock wrong", "starttls", x509.CertificateInvalidError{Reason: x509.Expired}, "device's current time", true},
		{"unknown ca", "starttls", x509.UnknownAuthorityError{}, "not trusted", true},
		{"not tls", "starttls", tls.RecordHeaderError{Msg: "first record does not look like a TLS handshake"}, "Could not set up encryption", true},
		{"cancelled", "rcpt", fmt.Errorf("%w (use of closed network connection)", context.Canceled), "cancelled", true},
		{"deadline", "connect", context.DeadlineExceeded, "did not answer in time", true},
		{"no server", "connect", errNoServer, "No mail server", false},
		{"attachment", "data", fmt.Errorf("%w: %w", errReadMessage, os.ErrNotExist), "scanned document", false},
		{"mystery", "data", errors.New("something odd"), "Sending failed", false},
		{"greeting refused", "connect", &smtp.SMTPError{Code: 554, EnhancedCode: smtp.EnhancedCode{5, 7, 1}, Message: "Client host blocked"}, "refused the message", false},
		{"no enhanced code", "mail", &smtp.SMTPError{Code: 451, Message: "try later"}, "busy", true},
		{"concurrent connections", "connect", &smtp.SMTPError{Code: 432, EnhancedCode: smtp.EnhancedCode{4, 3, 2}, Message: "Concurrent connections limit exceeded"}, "Too many connections", true},
		{"daily quota", "data", &smtp.SMTPError{Code: 554, EnhancedCode: smtp.EnhancedCode{5, 2, 0}, Message: "STOREDRV.Submission.Exception:SubmissionQuotaExceededException; Failed to process message due to a permanent exception"}, "mailbox refused to send", false},
		{"too large, mapi", "data", &smtp.SMTPError{Code: 554, EnhancedCode: smtp.EnhancedCode{5, 2, 0}, Message: "STOREDRV.Submission.Exception:MapiExceptionMaxSubmissionExceeded; Failed to process message due to a permanent exception"}, "too large", false},
		{"too large, size exceeded", "data", &smtp.SMTPError{Code: 554, EnhancedCode: smtp.EnhancedCode{5, 2, 0}, Message: "STOREDRV.Submission.Exception:MessageSizeExceededException; Failed to process message due to a permanent exception"}, "too large", false},
		{"too large, 5.3.4", "data", &smtp.SMTPError{Code: 552, EnhancedCode: smtp.EnhancedCode{5, 3, 4}, Message: "Message size exceeds fixed maximum message size"}, "too large", false},
		{"sender blocked", "mail", &smtp.SMTPError{Code: 550, EnhancedCode: smtp.EnhancedCode{5, 1, 8}, Message: "Access denied, bad outbound sender"}, "blocked from sending", false},
		{"5.1.x at mail", "mail", &smtp.SMTPError{Code: 550, EnhancedCode: smtp.EnhancedCode{5, 1, 7}, Message: "Invalid address"}, "Sender address rejected", false},
		{"no xoauth2", "auth", &smtp.SMTPError{Code: 504, EnhancedCode: smtp.EnhancedCode{5, 7, 4}, Message: "Unrecognized authentication type"}, "XOAUTH2", false},
		{"gmail password", "auth", &smtp.SMTPError{Code: 535, EnhancedCode: smtp.EnhancedCode{5, 7, 8}, Message: "Username and Password not accepted"}, "Sign-in rejected", false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e := newError(tt.step, "", tt.err)
			if !strings.Contains(e.Summary, tt.summary) {
				t.Errorf("Summary %q, want it to contain %q", e.Summary, tt.summary)
			}
			if e.Temporary() != tt.temporary {
				t.Errorf("Temporary() = %v, want %v", e.Temporary(), tt.temporary)
			}
			if !errors.Is(e, tt.err) {
				t.Errorf("errors.Is does not reach the cause")
			}
		})
	}
}

func TestErrorText(t *testing.T) {
	se := &smtp.SMTPError{Code: 550, EnhancedCode: smtp.EnhancedCode{5, 1, 1}, Message: "RESOLVER.ADR.RecipNotFound; not found"}
	e := newError("rcpt", "bob@example.com", se)
	want := "mailer: rcpt <bob@example.com>: Recipient address rejected: server answered 550 5.1.1 RESOLVER.ADR.RecipNotFound; not found"
	if e.Error() != want {
		t.Errorf("Error() =\n%q, want\n%q", e.Error(), want)
	}
	if e.Unwrap() != se {
		t.Errorf("Unwrap() = %v", e.Unwrap())
	}
	if e := newError("data", "", &smtp.SMTPError{Code: 451, Message: "later"}); !strings.HasSuffix(e.Error(), "server answered 451 later") {
		t.Errorf("Error() without an enhanced code = %q", e.Error())
	}
	if (&Error{Step: "mail"}).Temporary() {
		t.Error("an Error without a cause is temporary")
	}
}

// TestCatalogueComplete makes sure every row has words for people and that
// nothing falls through the table.
func TestCatalogueComplete(t *testing.T) {
	for i, a := range catalogue {
		if a.summary == "" || a.match == nil {
			t.Errorf("row %d has no summary or match", i)
		}
		if strings.HasSuffix(a.summary, ".") {
			t.Errorf("row %d summary %q ends with a full stop", i, a.summary)
		}
	}
	if last := catalogue[len(catalogue)-1]; last.step != "" || !last.match(errors.New("x")) {
		t.Error("the last row does not catch everything")
	}
}

func TestTooLarge(t *testing.T) {
	tests := []struct {
		err  error
		want bool
	}{
		{&smtp.SMTPError{Code: 552, EnhancedCode: smtp.EnhancedCode{5, 3, 4}, Message: "Message size exceeds fixed maximum message size"}, true},
		{&smtp.SMTPError{Code: 554, EnhancedCode: smtp.EnhancedCode{5, 3, 4}}, true},
		{&smtp.SMTPError{Code: 552, EnhancedCode: smtp.EnhancedCode{5, 2, 3}}, true},
		{&smtp.SMTPError{Code: 552, EnhancedCode: smtp.NoEnhancedCode}, true},
		{&smtp.SMTPError{Code: 554, EnhancedCode: smtp.EnhancedCode{5, 2, 0}, Message: "STOREDRV.Submission.Exception:MessageSizeExceededException; Failed to process message"}, true},
		{&smtp.SMTPError{Code: 554, EnhancedCode: smtp.EnhancedCode{5, 2, 0}, Message: "STOREDRV.Submission.Exception:SubmissionQuotaExceededException"}, false},
		{&smtp.SMTPError{Code: 552, EnhancedCode: smtp.EnhancedCode{5, 2, 2}, Message: "Mailbox full"}, false},
		{&smtp.SMTPError{Code: 550, EnhancedCode: smtp.EnhancedCode{5, 7, 60}}, false},
		{&smtp.SMTPError{Code: 452, EnhancedCode: smtp.EnhancedCode{4, 3, 1}}, false},
		{io.ErrUnexpectedEOF, false},
		{&SizeError{Size: 2 << 20, Limit: 1 << 20}, true},
	}
	for _, tt := range tests {
		err := &Error{Step: "data", Err: tt.err}
		if got := TooLarge(err); got != tt.want {
			t.Errorf("TooLarge(%v) = %v, want %v", tt.err, got, tt.want)
		}
	}
}

func TestPrintable(t *testing.T) {
	tests := []struct {
		in    string
		limit int
		want  string
	}{
		{"250 OK", 100, "250 OK"},
		{"a\x1b[2Jb\x00c\x7fd\u009be", 100, "a[2Jbcde"},
		{"one\r\ntwo\tthree\u00a0four\u2028five", 100, "one  two three four five"},
		{"\u202Egnp.exe\u202C \u2066x\u2069 \u200bz\u061c", 100, "gnp.exe x z"},
		{"bad \xff byte", 100, "bad \ufffd byte"},
		{"Ünïcödé stays", 100, "Ünïcödé stays"},
		{"abcdefghij", 8, "abcde…"},
		{"ééééé", 8, "éé…"}, // cut on a rune's start
	}
	for _, tt := range tests {
		got := printable(tt.in, tt.limit)
		if got != tt.want {
			t.Errorf("printable(%q, %d) = %q, want %q", tt.in, tt.limit, got, tt.want)
		}
		if len(got) > tt.limit {
			t.Errorf("printable(%q, %d) is %d bytes", tt.in, tt.limit, len(got))
		}
	}
}

// TestTokenRejected: only a refusal of the token at AUTH asks for a new
// one; other AUTH failures (SMTP AUTH turned off) and 5.7.3 at another step
// do not.
func TestTokenRejected(t *testing.T) {
	t.Parallel()
	reply := func(code int, enh smtp.EnhancedCode) *smtp.SMTPError {
		return &smtp.SMTPError{Code: code, EnhancedCode: enh, Message: "Authentication unsuccessful"}
	}
	tests := []struct {
		name string
		err  error
		want bool
	}{
		{"exchange 5.7.3", newError("auth", "", reply(535, smtp.EnhancedCode{5, 7, 3})), true},
		{"challenge 401", newError("auth", "", fmt.Errorf("%w (%w)", reply(535, smtp.EnhancedCode{5, 7, 8}), &XOAuth2Error{Status: "401", Schemes: "bearer"})), true},
		{"challenge 400", newError("auth", "", fmt.Errorf("%w (%w)", reply(535, smtp.EnhancedCode{5, 7, 8}), &XOAuth2Error{Status: "400"})), false},
		{"smtp auth disabled", newError("auth", "", reply(535, smtp.EnhancedCode{5, 7, 139})), false},
		{"5.7.3 at mail", newError("mail", "", reply(535, smtp.EnhancedCode{5, 7, 3})), false},
		{"a refused password", via{auth: AuthPassword, port: 587}.newError("auth", "", reply(535, smtp.EnhancedCode{5, 7, 3})), false},
		{"network", newError("auth", "", io.ErrUnexpectedEOF), false},
		{"nil", nil, false},
	}
	for _, tt := range tests {
		if got := TokenRejected(tt.err); got != tt.want {
			t.Errorf("%s: TokenRejected = %v, want %v", tt.name, got, tt.want)
		}
	}
}

// TestCatalogueRoads: the words for a failure fit the road it happened
// on: how the session signed in (XOAUTH2, a password, none) and the port.
func TestCatalogueRoads(t *testing.T) {
	answer := func(code int, enh smtp.EnhancedCode) error {
		return &smtp.SMTPError{Code: code, EnhancedCode: enh, Message: "words of the server"}
	}
	refused := &net.OpError{Op: "dial", Net: "tcp", Err: os.NewSyscallError("connect", syscall.ECONNREFUSED)}
	timeout := fmt.Errorf("dial: %w", context.DeadlineExceeded)
	tests := []struct {
		name      string
		step      string
		auth      string
		port      int
		err       error
		summary   string   // a part of the summary
		hint      []string // parts of the hint
		notInHint string
	}{
		{"password refused", "auth", AuthPassword, 587, answer(535, smtp.EnhancedCode{5, 7, 3}),
			"user name or password", []string{"Basic authentication", "end of 2026", "2027", "direct send", "connector"}, "SMTP.Send"},
		{"token refused", "auth", AuthXOAuth2, 587, answer(535, smtp.EnhancedCode{5, 7, 3}),
			"Sign-in rejected", []string{"SMTP.Send"}, "Basic authentication"},
		{"gmail wants an app password", "auth", AuthPassword, 587, answer(534, smtp.EnhancedCode{5, 7, 9}),
			"app password", []string{"2-Step Verification", "myaccount.google.com/apppasswords", "Advanced Protection"}, ""},
		{"gmail refuses the app password", "auth", AuthPassword, 587, answer(535, smtp.EnhancedCode{5, 7, 8}),
			"address or app password", []string{"myaccount.google.com/apppasswords"}, ""},
		{"gmail refuses the token", "auth", AuthXOAuth2, 587, answer(535, smtp.EnhancedCode{5, 7, 8}),
			"Sign-in rejected", nil, "app password"},
		{"other password refusal", "auth", AuthPassword, 587, answer(535, smtp.EnhancedCode{5, 7, 0}),
			"refused the password sign-in", []string{"user name"}, ""},
		{"no password mechanism", "auth", AuthPassword, 587, fmt.Errorf("%w (it offers XOAUTH2)", ErrNoPasswordMechanism),
			"does not take a password sign-in", []string{"AUTH PLAIN"}, ""},
		{"smtp auth off, token", "auth", AuthXOAuth2, 587, answer(535, smtp.EnhancedCode{5, 7, 139}),
			"turned off", []string{"Set-CASMailbox", "direct send", "connector"}, ""},
		{"smtp auth off, password", "auth", AuthPassword, 587, answer(535, smtp.EnhancedCode{5, 7, 139}),
			"turned off", []string{"Set-CASMailbox", "direct send", "connector"}, ""},
		{"basic auth removed", "auth", AuthPassword, 587, answer(550, smtp.EnhancedCode{5, 7, 30}),
			"no longer accepts password", []string{"OAuth", "direct send"}, ""},
		{"direct send off", "rcpt", AuthNone, 25, answer(550, smtp.EnhancedCode{5, 7, 68}),
			"does not accept direct send", []string{"RejectDirectSend", "connector"}, ""},
		{"connector mismatch", "rcpt", AuthNone, 25, answer(550, smtp.EnhancedCode{5, 7, 64}),
			"connector", []string{"Exchange admin center › Mail flow › Connectors", "public IP address", "certificate"}, ""},
		{"outside recipient by direct send", "rcpt", AuthNone, 25, answer(550, smtp.EnhancedCode{5, 7, 54}),
			"own addresses", []string{"accepted domains", "connector", "sign-in"}, ""},
		{"block list, first", "mail", AuthNone, 25, answer(550, smtp.EnhancedCode{5, 7, 606}),
			"block list", []string{"sender.office.com", "connector"}, ""},
		{"block list, last", "rcpt", AuthNone, 25, answer(550, smtp.EnhancedCode{5, 7, 649}),
			"block list", []string{"sender.office.com"}, ""},
		{"not a block list", "rcpt", AuthNone, 25, answer(550, smtp.EnhancedCode{5, 7, 650}),
			"refused the message", nil, "sender.office.com"},
		{"not recognised without auth", "mail", AuthNone, 25, answer(530, smtp.EnhancedCode{5, 7, 57}),
			"did not recognise the device", []string{"mail.protection.outlook.com", "port 25", "connector"}, ""},
		{"not signed in", "mail", AuthXOAuth2, 587, answer(530, smtp.EnhancedCode{5, 7, 57}),
			"not signed in", nil, ""},
		{"port 25 refused", "connect", AuthNone, 25, refused,
			"refused the connection", []string{"port 25", "internet providers", "587"}, ""},
		{"port 587 refused", "connect", AuthXOAuth2, 587, refused,
			"refused the connection", []string{"port 587"}, "internet providers"},
		{"port 25 silent", "connect", AuthNone, 25, timeout,
			"did not answer in time", []string{"port 25", "internet providers"}, ""},
		{"port 587 silent", "connect", AuthPassword, 587, timeout,
			"did not answer in time", []string{"port 587"}, "internet providers"},
		{"relay without starttls", "starttls", AuthNone, 25, ErrNoStartTLS,
			"does not offer encryption", []string{"port 25"}, "sign-in"},
		{"submission without starttls", "starttls", AuthPassword, 587, ErrNoStartTLS,
			"does not offer encryption", []string{"587", "never sends its sign-in"}, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e := via{auth: tt.auth, port: tt.port}.newError(tt.step, "", tt.err)
			if e.Auth != tt.auth || e.Port != tt.port {
				t.Errorf("Auth %q Port %d, want %q %d", e.Auth, e.Port, tt.auth, tt.port)
			}
			if !strings.Contains(e.Summary, tt.summary) {
				t.Errorf("Summary %q, want it to contain %q", e.Summary, tt.summary)
			}
			for _, h := range tt.hint {
				if !strings.Contains(e.Hint, h) {
					t.Errorf("Hint %q, want it to contain %q", e.Hint, h)
				}
			}
			if tt.notInHint != "" && strings.Contains(e.Hint, tt.notInHint) {
				t.Errorf("Hint %q contains %q", e.Hint, tt.notInHint)
			}
		})
	}
}
