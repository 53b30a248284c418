package smtptest

import (
	"github.com/emersion/go-smtp"
)

// Gmail's answers to a password sign-in, word for word.
var (
	errAppPasswordRequired = &smtp.SMTPError{
		Code:         534,
		EnhancedCode: smtp.EnhancedCode{5, 7, 9},
		Message:      "Application-specific password required. For more information, go to https://support.google.com/mail/?p=InvalidSecondFactor",
	}
	errBadCredentials = &smtp.SMTPError{
		Code:         535,
		EnhancedCode: smtp.EnhancedCode{5, 7, 8},
		Message:      "Username and Password not accepted. For more information, go to https://support.google.com/mail/?p=BadCredentials",
	}
)

// mechanisms are the AUTH mechanisms offered after STARTTLS.
func (s *Server) mechanisms() []string {
	switch {
	case s.opts.Mechanisms != nil:
		return s.opts.Mechanisms
	case s.opts.Passwords != nil:
		return []string{"PLAIN", "LOGIN", "XOAUTH2"}
	}
	return []string{"XOAUTH2"}
}

// signIn checks a password sign-in with mechanism mech (PLAIN or LOGIN)
// and returns nil or the server's answer, an *smtp.SMTPError.
func (ss *session) signIn(mech, user, pass string) error {
	err := ss.fault("auth", nil)
	if err == nil {
		err = ss.s.checkPassword(user, pass)
	}
	if err != nil {
		ss.s.log.Debug("smtptest: sign-in rejected", "user", user, "mechanism", mech, "err", err)
		return err
	}
	ss.user, ss.mech = user, mech
	ss.s.log.Debug("smtptest: signed in", "user", user, "mechanism", mech, "tls", ss.tls)
	return nil
}

func (s *Server) checkPassword(user, pass string) error {
	if want, ok := s.opts.Passwords[user]; ok && pass == want {
		return nil
	}
	if !s.opts.Gmail {
		return errAuthUnsuccessful
	}
	if want, ok := s.opts.AccountPasswords[user]; ok && pass == want {
		return errAppPasswordRequired
	}
	return errBadCredentials
}

// loginServer is the server's side of AUTH LOGIN, which go-sasl no longer
// has: it asks for the user name (unless the AUTH command gave it) and
// then for the password, in base64 challenges, as Exchange Online does.
type loginServer struct {
	ss    *session
	user  []byte
	asked bool // the user name was asked for, or given
}

func (l *loginServer) Next(response []byte) (challenge []byte, done bool, err error) {
	switch {
	case !l.asked && response == nil:
		l.asked = true
		return []byte("Username:"), false, nil
	case l.user == nil:
		l.asked, l.user = true, append([]byte{}, response...)
		return []byte("Password:"), false, nil
	}
	return nil, true, l.ss.signIn("LOGIN", string(l.user), string(response))
}
