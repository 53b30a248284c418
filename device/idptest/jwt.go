package idptest

import (
	"crypto"
	"crypto/rsa"
	"crypto/sha256"
	"crypto/x509"
	"encoding/base64"
	"encoding/json"
	"regexp"
	"strings"
	"time"
)

// consumersTenant is the tenant ID of personal Microsoft accounts.
const consumersTenant = "9188040d-6c67-4c5b-b112-36a304b66dad"

var guid = regexp.MustCompile(`^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$`)

// idClaims are the claims of a v2.0 id_token from the token endpoint.
type idClaims struct {
	Aud               string `json:"aud,omitempty"`
	Iss               string `json:"iss,omitempty"`
	Iat               int64  `json:"iat"`
	Nbf               int64  `json:"nbf"`
	Exp               int64  `json:"exp"`
	Email             string `json:"email,omitempty"`
	Name              string `json:"name,omitempty"`
	OID               string `json:"oid,omitempty"`
	PreferredUsername string `json:"preferred_username,omitempty"`
	Sub               string `json:"sub"`
	TID               string `json:"tid,omitempty"`
	UTI               string `json:"uti"`
	Ver               string `json:"ver"`
}

// tenantID is the tenant a user signs in to: the ID in the path if there is
// one, the personal-account tenant for consumers, else one made up from the
// user's domain so that it stays the same.
func tenantID(tenant, user string) string {
	switch {
	case guid.MatchString(tenant):
		return strings.ToLower(tenant)
	case strings.EqualFold(tenant, "consumers"):
		return consumersTenant
	}
	_, domain, _ := strings.Cut(user, "@")
	return stableUUID("tenant", strings.ToLower(domain))
}

// idToken makes the id_token for g. Which claims it carries follows the
// scope as Entra documents: profile brings preferred_username, name and
// oid; email brings email. s.mu must be held.
func (s *Server) idToken(base string, g grant, scope string, now time.Time) string {
	tid := tenantID(g.tenant, g.user)
	oid := stableUUID("oid", tid, strings.ToLower(g.user))
	pairwise := sha256.Sum256([]byte(tid + "\x00" + oid + "\x00" + g.clientID))
	c := idClaims{
		Aud: g.clientID,
		Iss: base + "/" + tid + "/v2.0",
		Iat: now.Unix(),
		Nbf: now.Unix(),
		Exp: now.Add(time.Hour).Unix(),
		Sub: base64.RawURLEncoding.EncodeToString(pairwise[:]),
		TID: tid,
		UTI: randomToken()[:22],
		Ver: "2.0",
	}
	if hasScope(scope, "profile") {
		c.PreferredUsername = g.user
		c.Name, _, _ = strings.Cut(g.user, "@")
		c.OID = oid
	}
	if hasScope(scope, "email") {
		c.Email = g.user
		if e, ok := s.emails[strings.ToLower(g.user)]; ok {
			c.Email = e
		}
	}
	override(&c.Aud, s.claims.Aud)
	override(&c.Iss, s.claims.Iss)
	override(&c.TID, s.claims.TID)
	return s.signJWT(c)
}

// IDTokenClaims replace claims of the id_tokens the server issues, for
// tests of a client's checks: a claim "" here is as issued, "-" is left
// out, anything else replaces it.
type IDTokenClaims struct {
	Aud, Iss, TID string
}

// SetIDTokenClaims makes the id_tokens issued from now on carry c.
func (s *Server) SetIDTokenClaims(c IDTokenClaims) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.claims = c
}

func override(claim *string, with string) {
	switch with {
	case "":
	case "-":
		*claim = ""
	default:
		*claim = with
	}
}

// signJWT returns claims as a compact JWS signed with RS256.
func (s *Server) signJWT(claims any) string {
	key := s.key()
	header, _ := json.Marshal(map[string]string{"alg": "RS256", "kid": keyID(&key.PublicKey), "typ": "JWT"})
	payload, err := json.Marshal(claims)
	if err != nil {
		panic("idptest: " + err.Error()) // the claims are plain strings and numbers
	}
	enc := base64.RawURLEncoding
	signed := enc.EncodeToString(header) + "." + enc.EncodeToString(payload)
	sum := sha256.Sum256([]byte(signed))
	sig, err := rsa.SignPKCS1v15(nil, key, crypto.SHA256, sum[:])
	if err != nil {
		panic("idptest: signing an id_token: " + err.Error())
	}
	return signed + "." + enc.EncodeToString(sig)
}

// keyID is the kid of a key: a thumbprint of the public key, 27 characters
// like Entra's.
func keyID(pub *rsa.PublicKey) string {
	der, err := x509.MarshalPKIXPublicKey(pub)
	if err != nil {
		panic("idptest: " + err.Error())
	}
	sum := sha256.Sum256(der)
	return base64.RawURLEncoding.EncodeToString(sum[:20])
}

// KeyID is the kid in the header of this server's id_tokens.
func (s *Server) KeyID() string {
	return keyID(s.PublicKey())
}
