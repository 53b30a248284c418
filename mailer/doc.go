// Package mailer submits scanned documents by e-mail.
//
// It builds a MIME message whose attachments are streamed from their files
// (message.go), and submits it to a mail server such as Exchange Online
// (smtp.office365.com:587) with go-smtp (send.go). The submission always
// upgrades the connection with STARTTLS (TLS 1.2 or newer, certificate
// verified) before any credential leaves the device, and signs in with SASL
// XOAUTH2 (xoauth2.go), since go-sasl has no XOAUTH2 client. Send says the
// part in the clear (starttls.go) and the DATA command (data.go) itself,
// to write the message on the TLS connection with a dot-stuffing that is
// not a byte at a time (dotwriter.go); go-smtp's Client says the rest.
//
// Every failure is an *Error (errors.go): the step that failed, the server's
// answer (an *smtp.SMTPError with its enhanced status code, reachable with
// errors.As), a short summary for the person at the panel, and a hint for the
// administrator taken from a catalogue of Exchange Online answers. Temporary
// tells a retrying outbox whether trying again later can help.
//
// Throttle (throttle.go) keeps an account within Exchange Online's sending
// limits (30 messages a minute, 10,000 recipients a day), and Transcript
// (transcript.go) keeps a bounded SMTP transcript for the administrator,
// with credentials and the message body left out.
//
// Package smtptest holds a real go-smtp server on loopback that behaves like
// Exchange Online, for tests and for the daemon's demo mode.
package mailer
