package mailer

import (
	"errors"
	"fmt"
	"slices"
	"strings"

	"github.com/emersion/go-sasl"
)

// ErrNoPasswordMechanism means the server offers neither AUTH PLAIN nor
// AUTH LOGIN after STARTTLS, so a password cannot sign in: nothing of it
// was sent.
var ErrNoPasswordMechanism = errors.New("mailer: the server offers neither AUTH PLAIN nor AUTH LOGIN")

// passwordClient signs in with a user name and a password or app
// password: AUTH PLAIN, or LOGIN where the server offers only that.
type passwordClient struct {
	sasl.Client
	user, pass string
}

// Password returns a sasl.Client that signs user in with password: AUTH
// PLAIN where the server offers it, else AUTH LOGIN. Send and Probe choose
// by the server's answer to EHLO inside TLS 1.2 or newer, the only place
// they ever send it; used elsewhere it is AUTH PLAIN.
func Password(user, password string) sasl.Client {
	return &passwordClient{Client: sasl.NewPlainClient("", user, password), user: user, pass: password}
}

// mechanismFor is the client that signs in with auth on a server that
// offers the AUTH mechanisms in offered (its EHLO line's parameters, ""
// for none): a Password becomes PLAIN or LOGIN, any other client is
// itself.
func mechanismFor(auth sasl.Client, offered string) (sasl.Client, error) {
	p, ok := auth.(*passwordClient)
	if !ok {
		return auth, nil
	}
	mechs := strings.Fields(strings.ToUpper(offered))
	switch {
	case slices.Contains(mechs, sasl.Plain):
		return p.Client, nil
	case slices.Contains(mechs, sasl.Login):
		return sasl.NewLoginClient(p.user, p.pass), nil
	case len(mechs) == 0:
		return nil, fmt.Errorf("%w (it offers no AUTH)", ErrNoPasswordMechanism)
	}
	return nil, fmt.Errorf("%w (it offers %s)", ErrNoPasswordMechanism, printable(strings.Join(mechs, " "), 128))
}
