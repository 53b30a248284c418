package smtptest

import (
	"crypto/x509"
	"strings"

	"github.com/emersion/go-smtp"
)

// Exchange Online's answers on its MX endpoint, word for word.
var (
	errRelayDenied = &smtp.SMTPError{
		Code:         550,
		EnhancedCode: smtp.EnhancedCode{5, 7, 64},
		Message:      "TenantAttribution; Relay Access Denied",
	}
	errNonAccepted = &smtp.SMTPError{
		Code:         550,
		EnhancedCode: smtp.EnhancedCode{5, 7, 54},
		Message:      "SMTP; Unable to relay recipient in non-accepted domain",
	}
	errDirectSendOff = &smtp.SMTPError{
		Code:         550,
		EnhancedCode: smtp.EnhancedCode{5, 7, 68},
		Message:      "TenantInboundAttribution; Direct Send not allowed for this organization",
	}
)

// mx reports whether the server is an MX endpoint, which takes mail
// without AUTH, rather than a submission server.
func (s *Server) mx() bool {
	o := s.opts
	return len(o.AcceptedDomains) > 0 || len(o.ConnectorDomains) > 0 || o.ConnectorOnly || o.DirectSendOff
}

// recognise returns the name of a client's certificate, and whether a
// connector takes it: its DNS names, else its CN, equal to or under one
// of ConnectorDomains.
func (s *Server) recognise(cert *x509.Certificate) (name string, ok bool) {
	names := cert.DNSNames
	if len(names) == 0 && cert.Subject.CommonName != "" {
		names = []string{cert.Subject.CommonName}
	}
	for _, n := range names {
		if inDomains(n, s.opts.ConnectorDomains) {
			return n, true
		}
	}
	if len(names) > 0 {
		return names[0], false
	}
	return "", false
}

// mayRelay is the MX endpoint's answer to RCPT TO:<to> for a session
// that did not sign in: nil, or why Exchange Online refuses it.
func (ss *session) mayRelay(to string) error {
	if ss.user != "" || ss.connector || !ss.s.mx() {
		return nil
	}
	if ss.s.opts.ConnectorOnly {
		return errRelayDenied
	}
	_, domain, _ := strings.Cut(to, "@")
	if !inDomains(domain, ss.s.opts.AcceptedDomains) {
		return errNonAccepted
	}
	if ss.s.opts.DirectSendOff {
		return errDirectSendOff
	}
	return nil
}

// inDomains reports whether name is one of domains or a name under one.
func inDomains(name string, domains []string) bool {
	name = strings.ToLower(strings.TrimSuffix(name, "."))
	for _, d := range domains {
		d = strings.ToLower(strings.TrimSuffix(d, "."))
		if d != "" && (name == d || strings.HasSuffix(name, "."+d)) {
			return true
		}
	}
	return false
}
