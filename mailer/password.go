package mailer

import (
	"github.com/emersion/go-sasl"
)

// passwordClient signs in with a user name and a password or app
// password: AUTH PLAIN, or LOGIN where the server offers only that.
type passwordClient struct {
	sasl.Client
	user, pass string
}

// Password returns a sasl.Client that signs user in with password (AUTH
// PLAIN). Send, like every Send with an auth client, sends it only inside
// TLS 1.2 or newer.
func Password(user, password string) sasl.Client {
	return &passwordClient{Client: sasl.NewPlainClient("", user, password), user: user, pass: password}
}
