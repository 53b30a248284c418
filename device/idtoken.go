package device

import (
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"net/url"
	"regexp"
	"strings"

	"scanmail/device/apitype"
)

// consumersTenantID is the tenant of every personal Microsoft account.
const consumersTenantID = "9188040d-6c67-4c5b-b112-36a304b66dad"

var tenantGUID = regexp.MustCompile(`^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$`)

// idClaims are the id_token claims the device reads.
type idClaims struct {
	PreferredUsername string `json:"preferred_username"`
	UPN               string `json:"upn"`
	Audience          any    `json:"aud"`
	Issuer            string `json:"iss"`
	TenantID          string `json:"tid"`
}

// idTokenWant is what an id_token must say for the device to take the
// sign-in.
type idTokenWant struct {
	clientID string
	// tokenURL is the endpoint the id_token came from; the issuer is
	// its origin, the tenant and "v2.0", as with Microsoft's.
	tokenURL string
	// tenant is the tenant signed in to: an ID, a domain, or
	// organizations, common or consumers.
	tenant string
	// knownTID is, for a domain tenant, the tenant ID its first sign-in
	// had; "" before that.
	knownTID string
}

// signedInAs is whom an id_token names.
type signedInAs struct {
	upn, tenantID string
}

// readIDToken checks an id_token against w and reads the account's UPN:
// preferred_username, else upn. The email claim is deliberately ignored:
// it can name another mailbox than the one the token may send as.
//
// The signature is not checked: the token came straight from the token
// endpoint over a connection the device authenticated (OpenID Connect Core
// 3.1.3.7), and it only names the account; the SMTP server checks the access
// token itself. The audience, issuer and tenant are, so that a sign-in for
// another app or in another organisation is not taken.
func readIDToken(raw string, w idTokenWant) (signedInAs, error) {
	c, err := parseIDToken(raw)
	if err != nil {
		return signedInAs{}, &Error{Summary: "Signed in, but the account name could not be read", Hint: "Check that the scopes include openid and profile.", Err: err, Code: apitype.CodeSignInFailed}
	}
	if err := c.check(w); err != nil {
		return signedInAs{}, err
	}
	upn := c.PreferredUsername
	if upn == "" {
		upn = c.UPN
	}
	if upn == "" {
		return signedInAs{}, &Error{Summary: "Signed in, but the account name could not be read", Hint: "Check that the scopes include openid and profile.",
			Err: errors.New("id_token names no account (no preferred_username or upn claim; is \"profile\" among the scopes?)"), Code: apitype.CodeSignInFailed}
	}
	addr, err := parseBareAddress(upn)
	if err != nil {
		return signedInAs{}, &Error{Summary: "Signed in, but the account name is not an e-mail address", Hint: "Sign in with the mailbox's user name (its UPN).",
			Err: fmt.Errorf("account name in id_token: %w", err), Code: apitype.CodeSignInFailed}
	}
	return signedInAs{upn: addr, tenantID: strings.ToLower(c.TenantID)}, nil
}

func parseIDToken(raw string) (idClaims, error) {
	var c idClaims
	if raw == "" {
		return c, errors.New("the sign-in service returned no id_token (is \"openid\" among the scopes?)")
	}
	parts := strings.Split(raw, ".")
	if len(parts) != 3 {
		return c, errors.New("id_token is not a JWT")
	}
	payload, err := base64.RawURLEncoding.DecodeString(strings.TrimRight(parts[1], "="))
	if err != nil {
		return c, fmt.Errorf("id_token payload: %w", err)
	}
	if err := json.Unmarshal(payload, &c); err != nil {
		return c, fmt.Errorf("id_token payload: %w", err)
	}
	return c, nil
}

// check compares the audience, issuer and tenant with w; the error names
// the check that failed.
func (c idClaims) check(w idTokenWant) error {
	refused := func(hint string, format string, args ...any) error {
		return &Error{Summary: "The sign-in was not taken: " + fmt.Sprintf(format, args...), Hint: hint, Code: apitype.CodeSignInFailed}
	}
	const appHint = "Check the Application (client) ID in the mail provider settings: it must be the one of the device's app registration."
	switch a := c.Audience.(type) {
	case nil:
		return refused(appHint, "the id_token names no application (no aud claim)")
	case string:
		if a != w.clientID {
			return refused(appHint, "the id_token was issued for another application (aud %s, the device's app %s)", a, w.clientID)
		}
	default:
		return refused(appHint, "the id_token's audience is not the app alone (aud %v)", a)
	}
	const tenantHint = "Check the tenant setting, and sign in with an account of that organisation."
	tid := strings.ToLower(c.TenantID)
	if tid == "" {
		return refused(tenantHint, "the id_token names no tenant (no tid claim)")
	}
	if want := issuer(w.tokenURL, tid); c.Issuer != want {
		return refused(tenantHint, "the id_token's issuer is %q, not the sign-in service's %q", c.Issuer, want)
	}
	t := strings.ToLower(w.tenant)
	switch {
	case t == "common":
	case t == "consumers":
		if tid != consumersTenantID {
			return refused(tenantHint, "the account is a work or school account (tenant %s), and the tenant is consumers (personal Microsoft accounts)", tid)
		}
	case t == "organizations":
		if tid == consumersTenantID {
			return refused(tenantHint, "the account is a personal Microsoft account, and the tenant is organizations (work or school accounts)")
		}
	case tenantGUID.MatchString(t):
		if tid != t {
			return refused(tenantHint, "the account is in tenant %s, not in the configured tenant %s", tid, t)
		}
	case w.knownTID != "" && tid != w.knownTID:
		return refused("Sign in with an account of "+w.tenant+"'s organisation. If the domain moved to another tenant, set the tenant to that tenant's ID.",
			"the account is in tenant %s, but %s was tenant %s at its first sign-in", tid, w.tenant, w.knownTID)
	}
	return nil
}

// issuer is the iss of an id_token of tenant tid from the token endpoint
// tokenURL: https://login.microsoftonline.com/{tid}/v2.0 for Microsoft's.
func issuer(tokenURL, tid string) string {
	u, err := url.Parse(tokenURL)
	if err != nil {
		return ""
	}
	return u.Scheme + "://" + u.Host + "/" + tid + "/v2.0"
}

// domainTenant reports whether tenant is a domain, whose tenant ID the
// device learns at its first sign-in.
func domainTenant(tenant string) bool {
	switch t := strings.ToLower(tenant); {
	case t == "", t == "common", t == "organizations", t == "consumers", tenantGUID.MatchString(t):
		return false
	}
	return true
}
