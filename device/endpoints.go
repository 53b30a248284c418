package device

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/pem"
	"slices"
	"strings"
)

// Endpoints are the settings that decide where a sign-in's tokens go: the
// sign-in service's endpoints (the device code and the refresh token are
// posted there), the SMTP server (the access token), the CA bundle that
// decides who may answer for them, and the scopes the tokens are for. A
// sign-in is tied to the endpoints it was made with, so that a changed
// setting never sends its tokens to another host.
//
// The SMTP port is not among them: the server's certificate is checked
// against the host name whatever the port, so a port change does not send
// the token to anyone the host name's certificate does not vouch for.
type Endpoints struct {
	DeviceAuthURL string
	TokenURL      string
	SMTPHost      string
	CABundle      string // SHA-256 of its certificates, so that re-entering it unchanged is no change
	Scopes        []string
}

// endpointsOf are the endpoints the settings s with provider p send tokens to.
func endpointsOf(s Settings, p Provider) Endpoints {
	e := p.Endpoint(s.Tenant)
	return Endpoints{
		DeviceAuthURL: e.DeviceAuthURL,
		TokenURL:      e.TokenURL,
		SMTPHost:      strings.ToLower(p.SMTPHost),
		CABundle:      bundleDigest(p.CABundle),
		Scopes:        slices.Clone(p.Scopes),
	}
}

// bundleDigest identifies the certificates of a PEM bundle, "" for none.
func bundleDigest(bundle string) string {
	h := sha256.New()
	rest, n := []byte(bundle), 0
	for {
		var b *pem.Block
		if b, rest = pem.Decode(rest); b == nil {
			break
		}
		if b.Type == "CERTIFICATE" {
			h.Write(b.Bytes)
			n++
		}
	}
	if n == 0 {
		return ""
	}
	return hex.EncodeToString(h.Sum(nil))
}

// changes names, in words, what differs between e and the endpoints now
// configured.
func (e Endpoints) changes(now Endpoints) []string {
	var what []string
	if e.TokenURL != now.TokenURL {
		what = append(what, "the token endpoint")
	}
	if e.DeviceAuthURL != now.DeviceAuthURL {
		what = append(what, "the device authorization endpoint")
	}
	if e.SMTPHost != now.SMTPHost {
		what = append(what, "the SMTP server")
	}
	if e.CABundle != now.CABundle {
		what = append(what, "the CA bundle")
	}
	if !slices.Equal(e.Scopes, now.Scopes) {
		what = append(what, "the scopes")
	}
	return what
}
