package idptest_test

import (
	"context"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"golang.org/x/oauth2"

	"scanmail/device/idptest"
)

func TestRefreshRotates(t *testing.T) {
	t.Parallel()
	f := newFixture(t, idptest.Options{})
	first := f.quickSignIn(t, "scanner@contoso.example")

	second, err := f.refresh(t, first.RefreshToken)
	if err != nil {
		t.Fatalf("refresh: %v", err)
	}
	if second.RefreshToken == "" || second.RefreshToken == first.RefreshToken {
		t.Errorf("refresh token was not replaced")
	}
	if second.AccessToken == first.AccessToken {
		t.Errorf("access token was not replaced")
	}
	if user, err := f.idp.Validate(second.AccessToken); err != nil || user != "scanner@contoso.example" {
		t.Errorf("Validate(new access token) = %q, %v", user, err)
	}
	// x/oauth2's refresher sends no scope; the server answers but records it.
	if got := f.idp.LastRefreshScope(); got != "" {
		t.Errorf("LastRefreshScope() = %q, want \"\"", got)
	}

	_, err = f.refresh(t, first.RefreshToken)
	re := retrieveError(t, err, "invalid_grant")
	if re.Response.StatusCode != 400 {
		t.Errorf("reuse: status %d", re.Response.StatusCode)
	}
	if _, err := f.refresh(t, second.RefreshToken); err != nil {
		t.Errorf("the newest refresh token should still work: %v", err)
	}
	if f.idp.Refreshes() != 3 {
		t.Errorf("Refreshes() = %d, want 3", f.idp.Refreshes())
	}
}

// scopeAdder puts scope on refresh requests, as the device must for Entra.
type scopeAdder struct{ scope string }

func (a scopeAdder) RoundTrip(r *http.Request) (*http.Response, error) {
	if err := r.ParseForm(); err != nil {
		return nil, err
	}
	form := r.PostForm
	if form.Get("grant_type") == "refresh_token" {
		form.Set("scope", a.scope)
	}
	body := form.Encode()
	r2 := r.Clone(r.Context())
	r2.Body = http.NoBody
	if body != "" {
		r2.Body = readCloser{strings.NewReader(body)}
		r2.ContentLength = int64(len(body))
	}
	return http.DefaultTransport.RoundTrip(r2)
}

type readCloser struct{ *strings.Reader }

func (readCloser) Close() error { return nil }

func TestRefreshScope(t *testing.T) {
	t.Parallel()
	f := newFixture(t, idptest.Options{})
	tok := f.quickSignIn(t, "scanner@contoso.example")

	scope := strings.Join(deviceScopes, " ")
	ctx := context.WithValue(t.Context(), oauth2.HTTPClient, &http.Client{Transport: scopeAdder{scope}})
	old := &oauth2.Token{RefreshToken: tok.RefreshToken, Expiry: time.Now().Add(-time.Minute)}
	next, err := f.cfg.TokenSource(ctx, old).Token()
	if err != nil {
		t.Fatal(err)
	}
	if got := f.idp.LastRefreshScope(); got != scope {
		t.Errorf("LastRefreshScope() = %q, want %q", got, scope)
	}
	if _, ok := next.Extra("id_token").(string); !ok {
		t.Error("refresh with openid gave no id_token")
	}

	// A scope the person never consented to is refused.
	_, m, _ := f.post(t, "/organizations/oauth2/v2.0/token", url.Values{"grant_type": {"refresh_token"},
		"client_id": {clientID}, "refresh_token": {next.RefreshToken}, "scope": {"https://graph.microsoft.com/Mail.Send"}})
	if m["error"] != "invalid_grant" || !strings.HasPrefix(m["error_description"].(string), "AADSTS65001") {
		t.Errorf("refresh for another scope = %v", m)
	}
}

func TestRefreshFailures(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name   string
		setup  func(f *fixture)
		status int
		code   string // "" for a bare 5xx
		aadsts int
		reused bool // the same refresh token works afterwards
	}{
		{"revoked", func(f *fixture) { f.idp.Revoke("SCANNER@contoso.example") }, 400, "invalid_grant", 50173, false},
		{"inactive 90 days", func(f *fixture) { f.clock.Advance(90 * 24 * time.Hour) }, 400, "invalid_grant", 700082, false},
		{"scripted inactivity", func(f *fixture) {
			f.idp.ScriptRefresh(idptest.RefreshAnswer{Status: 400, Error: "invalid_grant",
				Description: "AADSTS700082: The refresh token has expired due to inactivity.", Codes: []int{700082}})
		}, 400, "invalid_grant", 700082, true},
		{"scripted sign-in frequency", func(f *fixture) {
			f.idp.ScriptRefresh(idptest.RefreshAnswer{Codes: []int{70043}})
		}, 400, "invalid_grant", 70043, true},
		{"scripted 503", func(f *fixture) { f.idp.ScriptRefresh(idptest.RefreshAnswer{Status: 503}) }, 503, "", 0, true},
		{"scripted 500 with JSON", func(f *fixture) {
			f.idp.ScriptRefresh(idptest.RefreshAnswer{Status: 500, Error: "temporarily_unavailable", Codes: []int{90033}})
		}, 500, "temporarily_unavailable", 90033, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			f := newFixture(t, idptest.Options{})
			tok := f.quickSignIn(t, "scanner@contoso.example")
			tt.setup(f)
			_, err := f.refresh(t, tok.RefreshToken)
			re := retrieveError(t, err, tt.code)
			if re.Response.StatusCode != tt.status {
				t.Errorf("status = %d, want %d", re.Response.StatusCode, tt.status)
			}
			if tt.aadsts != 0 {
				if !slices.Equal(errorCodes(t, re), []int{tt.aadsts}) {
					t.Errorf("error_codes = %v, want [%d]", errorCodes(t, re), tt.aadsts)
				}
				if want := "AADSTS" + strconv.Itoa(tt.aadsts) + ": "; !strings.HasPrefix(re.ErrorDescription, want) {
					t.Errorf("description = %q, want prefix %q", re.ErrorDescription, want)
				}
			}
			_, err = f.refresh(t, tok.RefreshToken)
			if tt.reused && err != nil {
				t.Errorf("a scripted answer must leave the refresh token alone: %v", err)
			}
			if !tt.reused && err == nil {
				t.Errorf("the refresh token still works")
			}
		})
	}
}

func TestValidate(t *testing.T) {
	t.Parallel()
	f := newFixture(t, idptest.Options{})
	tok := f.quickSignIn(t, "scanner@contoso.example")

	graph := newFixture(t, idptest.Options{})
	graph.cfg.Scopes = []string{"openid", "offline_access", "User.Read"}
	graphTok := graph.quickSignIn(t, "scanner@contoso.example")
	if _, err := graph.idp.Validate(graphTok.AccessToken); err != idptest.ErrWrongScope {
		t.Errorf("Validate(token without SMTP.Send) = %v, want ErrWrongScope", err)
	}

	if user, err := f.idp.Validate(tok.AccessToken); err != nil || user != "scanner@contoso.example" {
		t.Errorf("Validate(good) = %q, %v", user, err)
	}
	if _, err := f.idp.Validate("not-a-token"); err != idptest.ErrUnknownToken {
		t.Errorf("Validate(unknown) = %v, want ErrUnknownToken", err)
	}
	if _, err := f.idp.Validate(graphTok.AccessToken); err != idptest.ErrUnknownToken {
		t.Errorf("Validate(another server's token) = %v, want ErrUnknownToken", err)
	}
	f.clock.Advance(time.Hour)
	if _, err := f.idp.Validate(tok.AccessToken); err != idptest.ErrTokenExpired {
		t.Errorf("Validate(after an hour) = %v, want ErrTokenExpired", err)
	}
}

func TestIDTokenClaims(t *testing.T) {
	t.Parallel()
	const user = "Scanner@Contoso.example"
	tests := []struct {
		name       string
		scopes     []string
		tenant     string
		wantID     bool
		wantRT     bool
		wantUPN    bool
		wantEmail  string
		wantTenant string
	}{
		{"device scopes", deviceScopes, "organizations", true, true, true, "mailroom@contoso.example", ""},
		{"tenant id", deviceScopes, "72F988BF-86F1-41AF-91AB-2D7CD011DB47", true, true, true, "mailroom@contoso.example", "72f988bf-86f1-41af-91ab-2d7cd011db47"},
		{"consumers", deviceScopes, "consumers", true, true, true, "mailroom@contoso.example", "9188040d-6c67-4c5b-b112-36a304b66dad"},
		{"no profile", []string{idptest.DefaultScope, "offline_access", "openid", "email"}, "organizations", true, true, false, "mailroom@contoso.example", ""},
		{"no email", []string{idptest.DefaultScope, "offline_access", "openid", "profile"}, "organizations", true, true, true, "", ""},
		{"no openid", []string{idptest.DefaultScope, "offline_access"}, "organizations", false, true, false, "", ""},
		{"no offline_access", []string{idptest.DefaultScope, "openid", "profile"}, "organizations", true, false, true, "", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			f := newFixture(t, idptest.Options{})
			f.cfg.Scopes = tt.scopes
			f.cfg.Endpoint = endpoint(f.ts.URL, tt.tenant)
			f.idp.SetEmail(strings.ToLower(user), "mailroom@contoso.example")
			tok := f.quickSignIn(t, user)

			if (tok.RefreshToken != "") != tt.wantRT {
				t.Errorf("refresh token present = %v, want %v", tok.RefreshToken != "", tt.wantRT)
			}
			raw, _ := tok.Extra("id_token").(string)
			if (raw != "") != tt.wantID {
				t.Fatalf("id_token present = %v, want %v", raw != "", tt.wantID)
			}
			if raw == "" {
				return
			}
			kid, c := idClaims(t, f.idp, raw)
			if kid != f.idp.KeyID() || len(kid) != 27 {
				t.Errorf("kid = %q, want %q", kid, f.idp.KeyID())
			}
			upn, hasUPN := c["preferred_username"]
			if hasUPN != tt.wantUPN || (hasUPN && upn != user) {
				t.Errorf("preferred_username = %v (present %v), want %q present %v", upn, hasUPN, user, tt.wantUPN)
			}
			if email, _ := c["email"].(string); email != tt.wantEmail {
				t.Errorf("email = %q, want %q", email, tt.wantEmail)
			}
			tid, _ := c["tid"].(string)
			if tt.wantTenant != "" && tid != tt.wantTenant {
				t.Errorf("tid = %q, want %q", tid, tt.wantTenant)
			}
			if c["aud"] != clientID || c["iss"] != f.ts.URL+"/"+tid+"/v2.0" || c["ver"] != "2.0" || c["sub"] == "" {
				t.Errorf("claims = %v", c)
			}
			now := f.clock.Now().Unix()
			if iat, exp := c["iat"].(float64), c["exp"].(float64); int64(iat) != now || int64(exp) != now+3600 {
				t.Errorf("iat %v exp %v, want %d and an hour later", iat, exp, now)
			}
		})
	}
}

func TestStableIDs(t *testing.T) {
	t.Parallel()
	f := newFixture(t, idptest.Options{})
	claims := func(user string) map[string]any {
		raw, _ := f.quickSignIn(t, user).Extra("id_token").(string)
		_, c := idClaims(t, f.idp, raw)
		return c
	}
	a, b, other := claims("scanner@contoso.example"), claims("scanner@contoso.example"), claims("mailroom@contoso.example")
	if a["oid"] != b["oid"] || a["sub"] != b["sub"] || a["tid"] != b["tid"] {
		t.Errorf("the same account got different IDs: %v / %v", a, b)
	}
	if a["oid"] == other["oid"] || a["tid"] != other["tid"] {
		t.Errorf("accounts of one domain: oid %v / %v, tid %v / %v", a["oid"], other["oid"], a["tid"], other["tid"])
	}
}

func TestClientAuthentication(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name      string
		opts      idptest.Options
		secret    string
		style     oauth2.AuthStyle
		status    int
		code      string // "" means tokens
		aadsts    int
		wantPolls int
	}{
		{"public", idptest.Options{}, "", oauth2.AuthStyleInParams, 200, "", 0, 1},
		{"secret in body", idptest.Options{}, "s3cret", oauth2.AuthStyleInParams, 401, "invalid_client", 700025, 1},
		{"secret in header", idptest.Options{}, "s3cret", oauth2.AuthStyleInHeader, 401, "invalid_client", 700025, 1},
		// Auto-detection tries Basic first and the body second: every
		// poll is sent twice.
		{"auto-detected style", idptest.Options{}, "", oauth2.AuthStyleAutoDetect, 200, "", 0, 2},
		{"confidential without secret", idptest.Options{RequireClientSecret: true}, "", oauth2.AuthStyleInParams, 401, "invalid_client", 7000218, 1},
		{"confidential with secret", idptest.Options{RequireClientSecret: true}, "s3cret", oauth2.AuthStyleInParams, 200, "", 0, 1},
		{"unknown client", idptest.Options{ClientID: "another-app"}, "", oauth2.AuthStyleInParams, 400, "unauthorized_client", 700016, 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			f := newFixture(t, tt.opts)
			f.idp.AutoApprove("scanner@contoso.example")
			f.cfg.ClientSecret = tt.secret
			f.cfg.Endpoint.AuthStyle = tt.style
			da, err := f.cfg.DeviceAuth(t.Context())
			if err == nil {
				_, err = f.cfg.DeviceAccessToken(t.Context(), da)
			}
			if tt.code == "" {
				if err != nil {
					t.Fatalf("want tokens, got %v", err)
				}
			} else {
				re := retrieveError(t, err, tt.code)
				if re.Response.StatusCode != tt.status || !slices.Equal(errorCodes(t, re), []int{tt.aadsts}) {
					t.Errorf("status %d codes %v, want %d [%d]", re.Response.StatusCode, errorCodes(t, re), tt.status, tt.aadsts)
				}
			}
			if got := f.idp.Polls(); got != tt.wantPolls {
				t.Errorf("Polls() = %d, want %d", got, tt.wantPolls)
			}
		})
	}
}

func TestTokenRequestErrors(t *testing.T) {
	t.Parallel()
	f := newFixture(t, idptest.Options{})
	tests := []struct {
		name string
		form url.Values
		code string
	}{
		{"no client_id", url.Values{"grant_type": {"refresh_token"}, "refresh_token": {"x"}}, "invalid_request"},
		{"no grant_type", url.Values{"client_id": {clientID}}, "invalid_request"},
		{"other grant", url.Values{"client_id": {clientID}, "grant_type": {"password"}}, "unsupported_grant_type"},
		{"no device_code", url.Values{"client_id": {clientID}, "grant_type": {"urn:ietf:params:oauth:grant-type:device_code"}}, "invalid_request"},
		{"unknown refresh token", url.Values{"client_id": {clientID}, "grant_type": {"refresh_token"}, "refresh_token": {"x"}}, "invalid_grant"},
	}
	for _, tt := range tests {
		status, m, _ := f.post(t, "/organizations/oauth2/v2.0/token", tt.form)
		if status != 400 || m["error"] != tt.code {
			t.Errorf("%s: %d %v, want 400 %s", tt.name, status, m, tt.code)
		}
	}
}

func TestConcurrentSignIns(t *testing.T) {
	t.Parallel()
	f := newFixture(t, idptest.Options{})
	var wg sync.WaitGroup
	for i := range 8 {
		wg.Go(func() {
			user := "scanner" + strconv.Itoa(i) + "@contoso.example"
			da, err := f.cfg.DeviceAuth(t.Context())
			if err != nil {
				t.Error(err)
				return
			}
			if err := f.idp.Approve(da.UserCode, user); err != nil {
				t.Error(err)
				return
			}
			tok, err := f.cfg.DeviceAccessToken(t.Context(), da)
			if err != nil {
				t.Error(err)
				return
			}
			if got, err := f.idp.Validate(tok.AccessToken); got != user || err != nil {
				t.Errorf("Validate = %q, %v, want %q", got, err, user)
			}
			if _, err := f.refresh(t, tok.RefreshToken); err != nil {
				t.Error(err)
			}
		})
	}
	wg.Wait()
}

// TestIssued: every credential handed out is listed, spent ones too, in
// the order issued.
func TestIssued(t *testing.T) {
	t.Parallel()
	f := newFixture(t, idptest.Options{})
	da, err := f.cfg.DeviceAuth(t.Context())
	if err != nil {
		t.Fatal(err)
	}
	f.idp.AutoApprove("scanner@contoso.example")
	first, err := f.cfg.DeviceAccessToken(t.Context(), da)
	if err != nil {
		t.Fatal(err)
	}
	second, err := f.refresh(t, first.RefreshToken)
	if err != nil {
		t.Fatal(err)
	}
	idToken := func(tok *oauth2.Token) string { s, _ := tok.Extra("id_token").(string); return s }
	want := []idptest.Credential{
		{Kind: "device_code", Value: da.DeviceCode},
		{Kind: "access_token", Value: first.AccessToken},
		{Kind: "refresh_token", Value: first.RefreshToken},
		{Kind: "id_token", Value: idToken(first)},
		{Kind: "access_token", Value: second.AccessToken},
		{Kind: "refresh_token", Value: second.RefreshToken},
		{Kind: "id_token", Value: idToken(second)},
	}
	if got := f.idp.Issued(); !slices.Equal(got, want) {
		t.Errorf("Issued() =\n%v\nwant\n%v", got, want)
	}
	for _, c := range want {
		if c.Value == "" {
			t.Errorf("no %s was handed out", c.Kind)
		}
	}
}
