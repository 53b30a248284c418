package mailer

import (
	"encoding/json"
	"errors"
	"fmt"

	"github.com/emersion/go-sasl"
)

// XOAuth2Error is the failure a Gmail-style server explains in a 334
// challenge before it answers 535: the base64 JSON it sends is kept here.
// Exchange Online fails with 535 directly and never produces one.
type XOAuth2Error struct {
	Status  string `json:"status"`  // an HTTP-like status, e.g. "401" or "400"
	Schemes string `json:"schemes"` // e.g. "bearer"
	Scope   string `json:"scope"`   // the scope the server wanted

	// Raw is the decoded challenge when it was not the expected JSON.
	Raw string `json:"-"`
}

func (e *XOAuth2Error) Error() string {
	if e.Status == "" && e.Raw != "" {
		return fmt.Sprintf("xoauth2: server rejected the token: %q", e.Raw)
	}
	s := "xoauth2: server rejected the token: status " + e.Status
	if e.Schemes != "" {
		s += ", schemes " + e.Schemes
	}
	if e.Scope != "" {
		s += ", scope " + e.Scope
	}
	return s
}

// xoauth2Client is the SASL XOAUTH2 mechanism used by Google and Microsoft.
// It is not in go-sasl because it is not a standard mechanism.
type xoauth2Client struct {
	user, token string
	failure     *XOAuth2Error
}

// NewXOAuth2Client returns a sasl.Client that signs user in with an OAuth 2
// access token. The token is only ever written into the AUTH command.
func NewXOAuth2Client(user, token string) sasl.Client {
	return &xoauth2Client{user: user, token: token}
}

func (c *xoauth2Client) Start() (mech string, ir []byte, err error) {
	if c.user == "" || c.token == "" {
		return "", nil, errors.New("xoauth2: user and token are required")
	}
	c.failure = nil
	return "XOAUTH2", []byte("user=" + c.user + "\x01auth=Bearer " + c.token + "\x01\x01"), nil
}

// Next handles the only challenge XOAUTH2 knows: the server's explanation of
// a failure. The answer must be an empty line, after which the server sends
// its 535; returning nil would make go-smtp stop as if authentication had
// succeeded, and returning an error would hide the server's answer behind
// the client's "*" abort.
func (c *xoauth2Client) Next(challenge []byte) ([]byte, error) {
	if c.failure != nil {
		return nil, errors.New("xoauth2: unexpected second challenge")
	}
	f := &XOAuth2Error{}
	if err := json.Unmarshal(challenge, f); err != nil {
		f = &XOAuth2Error{Raw: string(challenge)}
	}
	// The server's words, shown to people.
	for _, s := range []*string{&f.Status, &f.Schemes, &f.Scope, &f.Raw} {
		*s = printable(*s, maxDetail)
	}
	c.failure = f
	return []byte{}, nil
}

// xoauth2Failure returns what a Gmail-style server said about the token in
// its challenge during the last exchange, or nil.
func xoauth2Failure(a sasl.Client) *XOAuth2Error {
	if c, ok := a.(*xoauth2Client); ok {
		return c.failure
	}
	return nil
}
