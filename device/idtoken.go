package device

import (
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
)

// idClaims are the id_token claims the device reads.
type idClaims struct {
	PreferredUsername string `json:"preferred_username"`
	UPN               string `json:"upn"`
	Audience          any    `json:"aud"`
}

// upnFromIDToken reads the account's UPN from an id_token: preferred_username,
// else upn. The email claim is deliberately ignored: it can name another
// mailbox than the one the token may send as.
//
// The signature is not checked: the token came straight from the token
// endpoint over a connection the device authenticated (OpenID Connect Core
// 3.1.3.7), and it only names the account; the SMTP server checks the access
// token itself.
func upnFromIDToken(raw, clientID string) (string, error) {
	if raw == "" {
		return "", errors.New("the sign-in service returned no id_token (is \"openid\" among the scopes?)")
	}
	parts := strings.Split(raw, ".")
	if len(parts) != 3 {
		return "", errors.New("id_token is not a JWT")
	}
	payload, err := base64.RawURLEncoding.DecodeString(strings.TrimRight(parts[1], "="))
	if err != nil {
		return "", fmt.Errorf("id_token payload: %w", err)
	}
	var c idClaims
	if err := json.Unmarshal(payload, &c); err != nil {
		return "", fmt.Errorf("id_token payload: %w", err)
	}
	if clientID != "" && !audienceHas(c.Audience, clientID) {
		return "", fmt.Errorf("id_token was issued for another application (aud %v, want %s)", c.Audience, clientID)
	}
	upn := c.PreferredUsername
	if upn == "" {
		upn = c.UPN
	}
	if upn == "" {
		return "", errors.New("id_token names no account (no preferred_username or upn claim; is \"profile\" among the scopes?)")
	}
	addr, err := parseBareAddress(upn)
	if err != nil {
		return "", fmt.Errorf("account name in id_token: %w", err)
	}
	return addr, nil
}

func audienceHas(aud any, clientID string) bool {
	switch a := aud.(type) {
	case nil:
		return true
	case string:
		return a == clientID
	case []any:
		for _, v := range a {
			if s, ok := v.(string); ok && s == clientID {
				return true
			}
		}
	}
	return false
}
