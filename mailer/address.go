package mailer

import (
	"fmt"

	"github.com/emersion/go-message/mail"
)

// ParseAddress parses one address as net/mail does, with or without a
// display name ("Bob <bob@example.com>"), and refuses an address that the
// SMTP envelope would not carry as written. net/mail unquotes a quoted
// local part, so "a b"@example.com comes back as a b@example.com, which no
// server takes in RCPT TO; the address part must therefore parse back to
// itself. It must also be printable ASCII without spaces: the device does
// not ask for SMTPUTF8, and a control, bidi or zero-width character in an
// address could make it look like another one.
func ParseAddress(s string) (*mail.Address, error) {
	a, err := mail.ParseAddress(s)
	if err != nil {
		return nil, fmt.Errorf("%q: %w", s, err)
	}
	for i := 0; i < len(a.Address); i++ {
		if c := a.Address[i]; c <= ' ' || c > '~' {
			return nil, fmt.Errorf("%q holds a space, a control character or a character other than ASCII", a.Address)
		}
	}
	if b, err := mail.ParseAddress(a.Address); err != nil || b.Name != "" || b.Address != a.Address {
		return nil, fmt.Errorf("%q does not read back as itself (a quoted local part?)", a.Address)
	}
	return a, nil
}
