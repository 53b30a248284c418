package idptest_test

import (
	"crypto"
	"crypto/rsa"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"

	"golang.org/x/oauth2"

	"scanmail/device/idptest"
)

const clientID = "0f5b4cc1-6c34-4b53-a7e2-9d1c4b8b7c21"

// deviceScopes are what the device asks for.
var deviceScopes = []string{idptest.DefaultScope, "offline_access", "openid", "profile", "email"}

// clock is a settable clock for expiry.
type clock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *clock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.t
}

func (c *clock) Advance(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.t = c.t.Add(d)
}

type fixture struct {
	idp   *idptest.Server
	ts    *httptest.Server
	cfg   *oauth2.Config
	clock *clock
}

// newFixture starts the server on loopback with a one-second interval and a
// settable clock, and a public-client x/oauth2 config for it.
func newFixture(t *testing.T, opts idptest.Options) *fixture {
	t.Helper()
	f := &fixture{clock: &clock{t: time.Now()}}
	if opts.Interval == 0 {
		opts.Interval = 1
	}
	if opts.Now == nil {
		opts.Now = f.clock.Now
	}
	f.idp = idptest.New(opts)
	f.ts = httptest.NewServer(f.idp)
	t.Cleanup(f.ts.Close)
	f.cfg = &oauth2.Config{
		ClientID: clientID,
		Scopes:   deviceScopes,
		Endpoint: endpoint(f.ts.URL, "organizations"),
	}
	return f
}

func endpoint(base, tenant string) oauth2.Endpoint {
	return oauth2.Endpoint{
		DeviceAuthURL: base + "/" + tenant + "/oauth2/v2.0/devicecode",
		TokenURL:      base + "/" + tenant + "/oauth2/v2.0/token",
		AuthStyle:     oauth2.AuthStyleInParams,
	}
}

// quickSignIn signs user in through the device flow, polling once by hand
// instead of with x/oauth2's DeviceAccessToken, which waits a second before
// its first poll: for tests about the tokens rather than the polling.
func (f *fixture) quickSignIn(t *testing.T, user string) *oauth2.Token {
	t.Helper()
	da, err := f.cfg.DeviceAuth(t.Context())
	if err != nil {
		t.Fatalf("DeviceAuth: %v", err)
	}
	if err := f.idp.Approve(da.UserCode, user); err != nil {
		t.Fatalf("Approve: %v", err)
	}
	status, m, _ := f.post(t, tokenPath(f.cfg), url.Values{
		"grant_type": {"urn:ietf:params:oauth:grant-type:device_code"}, "client_id": {clientID}, "device_code": {da.DeviceCode}})
	if status != http.StatusOK {
		t.Fatalf("device token request: %d %v", status, m)
	}
	str := func(k string) string { s, _ := m[k].(string); return s }
	secs, _ := m["expires_in"].(float64)
	tok := &oauth2.Token{
		AccessToken:  str("access_token"),
		TokenType:    str("token_type"),
		RefreshToken: str("refresh_token"),
		Expiry:       time.Now().Add(time.Duration(secs) * time.Second),
	}
	return tok.WithExtra(m)
}

func tokenPath(cfg *oauth2.Config) string {
	u, _ := url.Parse(cfg.Endpoint.TokenURL)
	return u.Path
}

// refresh makes x/oauth2 refresh tok, as the device's TokenSource does.
func (f *fixture) refresh(t *testing.T, refreshToken string) (*oauth2.Token, error) {
	t.Helper()
	old := &oauth2.Token{RefreshToken: refreshToken, Expiry: time.Now().Add(-time.Minute)}
	return f.cfg.TokenSource(t.Context(), old).Token()
}

// post sends a form to path and decodes the JSON answer.
func (f *fixture) post(t *testing.T, path string, form url.Values) (int, map[string]any, http.Header) {
	t.Helper()
	resp, err := http.PostForm(f.ts.URL+path, form)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	var m map[string]any
	if err := json.Unmarshal(body, &m); err != nil {
		t.Fatalf("POST %s: answer is not JSON: %v\n%s", path, err, body)
	}
	return resp.StatusCode, m, resp.Header
}

// retrieveError asserts err is an *oauth2.RetrieveError with code.
func retrieveError(t *testing.T, err error, code string) *oauth2.RetrieveError {
	t.Helper()
	var re *oauth2.RetrieveError
	if !errors.As(err, &re) {
		t.Fatalf("error = %v (%T), want *oauth2.RetrieveError %q", err, err, code)
	}
	if re.ErrorCode != code {
		t.Fatalf("ErrorCode = %q, want %q (%s)", re.ErrorCode, code, re.ErrorDescription)
	}
	return re
}

// errorCodes are the AADSTS numbers in the body of an error answer.
func errorCodes(t *testing.T, re *oauth2.RetrieveError) []int {
	t.Helper()
	var b struct {
		Codes []int `json:"error_codes"`
	}
	if err := json.Unmarshal(re.Body, &b); err != nil {
		t.Fatalf("error body: %v\n%s", err, re.Body)
	}
	return b.Codes
}

// idClaims verifies raw's RS256 signature with the server's key and
// returns its header kid and claims.
func idClaims(t *testing.T, idp *idptest.Server, raw string) (string, map[string]any) {
	t.Helper()
	parts := strings.Split(raw, ".")
	if len(parts) != 3 {
		t.Fatalf("id_token has %d parts", len(parts))
	}
	enc := base64.RawURLEncoding
	sig, err := enc.DecodeString(parts[2])
	if err != nil {
		t.Fatal(err)
	}
	sum := sha256.Sum256([]byte(parts[0] + "." + parts[1]))
	if err := rsa.VerifyPKCS1v15(idp.PublicKey(), crypto.SHA256, sum[:], sig); err != nil {
		t.Fatalf("id_token signature: %v", err)
	}
	var header struct{ Alg, Kid, Typ string }
	var claims map[string]any
	for i, v := range []any{&header, &claims} {
		b, err := enc.DecodeString(parts[i])
		if err != nil {
			t.Fatal(err)
		}
		if err := json.Unmarshal(b, v); err != nil {
			t.Fatal(err)
		}
	}
	if header.Alg != "RS256" || header.Typ != "JWT" {
		t.Errorf("id_token header = %+v", header)
	}
	return header.Kid, claims
}
