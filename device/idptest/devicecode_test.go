package idptest_test

import (
	"net/url"
	"slices"
	"strings"
	"testing"
	"time"

	"golang.org/x/oauth2"

	"scanmail/device/idptest"
)

func TestDeviceFlowWithScriptedPolls(t *testing.T) {
	t.Parallel()
	f := newFixture(t, idptest.Options{})
	f.idp.ScriptPolls("authorization_pending", "slow_down", "authorization_pending")
	f.idp.AutoApprove("scanner@contoso.example")

	da, err := f.cfg.DeviceAuth(t.Context())
	if err != nil {
		t.Fatal(err)
	}
	start := time.Now()
	tok, err := f.cfg.DeviceAccessToken(t.Context(), da)
	if err != nil {
		t.Fatalf("DeviceAccessToken: %v", err)
	}
	// 1 s, 1 s, then 6 s twice after slow_down.
	if d := time.Since(start); d < 13*time.Second {
		t.Errorf("the flow took %v; slow_down should have added 5 s per poll", d)
	}
	if got := f.idp.Polls(); got != 4 {
		t.Errorf("Polls() = %d, want 4 (three scripted answers, then tokens)", got)
	}
	if tok.AccessToken == "" || tok.RefreshToken == "" || tok.TokenType != "Bearer" {
		t.Errorf("token = %+v, want access and refresh tokens", tok)
	}
	raw, _ := tok.Extra("id_token").(string)
	_, claims := idClaims(t, f.idp, raw)
	if got := claims["preferred_username"]; got != "scanner@contoso.example" {
		t.Errorf("preferred_username = %v", got)
	}
	if user, err := f.idp.Validate(tok.AccessToken); err != nil || user != "scanner@contoso.example" {
		t.Errorf("Validate = %q, %v", user, err)
	}
}

func TestScriptedPollErrors(t *testing.T) {
	t.Parallel()
	tests := []struct {
		script    string
		code      string
		aadsts    int
		descStart string
	}{
		{"expired_token", "expired_token", 70020, "AADSTS70020: "},
		{"access_denied", "access_denied", 0, "The user denied"},
		{"authorization_declined", "authorization_declined", 0, "The user declined"},
		{"bad_verification_code", "bad_verification_code", 70000, "AADSTS70000: "},
		{idptest.ConditionalAccessBlocked, "invalid_grant", 53003, "AADSTS53003: Access has been blocked by Conditional Access policies"},
		{"invalid_grant:70043", "invalid_grant", 70043, "AADSTS70043: The refresh token has expired or is invalid due to sign-in frequency"},
	}
	for _, tt := range tests {
		t.Run(tt.script, func(t *testing.T) {
			t.Parallel()
			f := newFixture(t, idptest.Options{})
			f.idp.ScriptPolls(tt.script)
			f.idp.AutoApprove("scanner@contoso.example") // the script must win
			da, err := f.cfg.DeviceAuth(t.Context())
			if err != nil {
				t.Fatal(err)
			}
			_, err = f.cfg.DeviceAccessToken(t.Context(), da)
			re := retrieveError(t, err, tt.code)
			if re.Response.StatusCode != 400 {
				t.Errorf("status = %d, want 400", re.Response.StatusCode)
			}
			if ct := re.Response.Header.Get("Content-Type"); !strings.HasPrefix(ct, "application/json") {
				t.Errorf("Content-Type = %q", ct)
			}
			if !strings.HasPrefix(re.ErrorDescription, tt.descStart) {
				t.Errorf("description = %q, want it to start with %q", re.ErrorDescription, tt.descStart)
			}
			codes := errorCodes(t, re)
			if tt.aadsts != 0 && !slices.Equal(codes, []int{tt.aadsts}) {
				t.Errorf("error_codes = %v, want [%d]", codes, tt.aadsts)
			}
			if f.idp.Polls() != 1 {
				t.Errorf("Polls() = %d, want 1: the client stops at this answer", f.idp.Polls())
			}
		})
	}
}

func TestScriptPollsPanicsOnBadNumber(t *testing.T) {
	defer func() {
		if recover() == nil {
			t.Error("ScriptPolls(\"invalid_grant:x\") did not panic")
		}
	}()
	idptest.New(idptest.Options{}).ScriptPolls("invalid_grant:x")
}

func TestDeviceCodeLifecycle(t *testing.T) {
	t.Parallel()
	t.Run("declined", func(t *testing.T) {
		t.Parallel()
		f := newFixture(t, idptest.Options{})
		da, err := f.cfg.DeviceAuth(t.Context())
		if err != nil {
			t.Fatal(err)
		}
		if err := f.idp.Deny(da.UserCode); err != nil {
			t.Fatal(err)
		}
		_, err = f.cfg.DeviceAccessToken(t.Context(), da)
		retrieveError(t, err, "authorization_declined")
		if err := f.idp.Approve(da.UserCode, "scanner@contoso.example"); err != idptest.ErrCodeUsed {
			t.Errorf("Approve after Deny = %v, want ErrCodeUsed", err)
		}
	})
	t.Run("expired", func(t *testing.T) {
		t.Parallel()
		f := newFixture(t, idptest.Options{})
		da, err := f.cfg.DeviceAuth(t.Context())
		if err != nil {
			t.Fatal(err)
		}
		f.clock.Advance(15 * time.Minute)
		if err := f.idp.Approve(da.UserCode, "scanner@contoso.example"); err != idptest.ErrCodeExpired {
			t.Errorf("Approve of an expired code = %v, want ErrCodeExpired", err)
		}
		_, err = f.cfg.DeviceAccessToken(t.Context(), da)
		re := retrieveError(t, err, "expired_token")
		if !slices.Equal(errorCodes(t, re), []int{70020}) {
			t.Errorf("error_codes = %v", errorCodes(t, re))
		}
	})
	t.Run("polled after success", func(t *testing.T) {
		t.Parallel()
		f := newFixture(t, idptest.Options{})
		da, err := f.cfg.DeviceAuth(t.Context())
		if err != nil {
			t.Fatal(err)
		}
		if err := f.idp.Approve(strings.ToLower(da.UserCode), "scanner@contoso.example"); err != nil {
			t.Fatal(err)
		}
		if _, err := f.cfg.DeviceAccessToken(t.Context(), da); err != nil {
			t.Fatal(err)
		}
		_, err = f.cfg.DeviceAccessToken(t.Context(), da)
		retrieveError(t, err, "invalid_grant")
	})
	t.Run("unknown", func(t *testing.T) {
		t.Parallel()
		f := newFixture(t, idptest.Options{})
		_, err := f.cfg.DeviceAccessToken(t.Context(), &oauth2.DeviceAuthResponse{DeviceCode: "never-issued", Interval: 1})
		retrieveError(t, err, "bad_verification_code")
		if err := f.idp.Approve("NOSUCHCOD", "scanner@contoso.example"); err != idptest.ErrUnknownCode {
			t.Errorf("Approve of an unknown code = %v, want ErrUnknownCode", err)
		}
	})
	t.Run("bad username", func(t *testing.T) {
		t.Parallel()
		f := newFixture(t, idptest.Options{})
		da, err := f.cfg.DeviceAuth(t.Context())
		if err != nil {
			t.Fatal(err)
		}
		for _, u := range []string{"", "scanner", "Scanner <scanner@contoso.example>", "a b@contoso.example", "@contoso.example"} {
			if err := f.idp.Approve(da.UserCode, u); err != idptest.ErrBadUsername {
				t.Errorf("Approve(%q) = %v, want ErrBadUsername", u, err)
			}
		}
	})
}

func TestPollingTooFastGetsSlowDown(t *testing.T) {
	t.Parallel()
	for _, ignore := range []bool{false, true} {
		f := newFixture(t, idptest.Options{Interval: 2, IgnoreInterval: ignore})
		da, err := f.cfg.DeviceAuth(t.Context())
		if err != nil {
			t.Fatal(err)
		}
		poll := url.Values{"grant_type": {"urn:ietf:params:oauth:grant-type:device_code"},
			"client_id": {clientID}, "device_code": {da.DeviceCode}}
		var got []string
		for range 3 {
			_, m, _ := f.post(t, "/organizations/oauth2/v2.0/token", poll)
			got = append(got, m["error"].(string))
		}
		want := []string{"authorization_pending", "slow_down", "slow_down"}
		if ignore {
			want = []string{"authorization_pending", "authorization_pending", "authorization_pending"}
		}
		if !slices.Equal(got, want) {
			t.Errorf("IgnoreInterval %v: answers = %v, want %v", ignore, got, want)
		}
	}
}

func TestDeviceCodeResponse(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name         string
		opts         idptest.Options
		uri          string // "" means the server's own page
		wantComplete bool
	}{
		{"microsoft", idptest.Options{}, "", false},
		{"complete", idptest.Options{CompleteURI: true}, "", true},
		{"own uri", idptest.Options{VerificationURI: "http://192.0.2.7:8080/devicelogin"}, "http://192.0.2.7:8080/devicelogin", false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			f := newFixture(t, tt.opts)
			status, m, h := f.post(t, "/contoso.example/oauth2/v2.0/devicecode",
				url.Values{"client_id": {clientID}, "scope": {strings.Join(deviceScopes, " ")}})
			if status != 200 || !strings.HasPrefix(h.Get("Content-Type"), "application/json") {
				t.Fatalf("status %d, Content-Type %q: %v", status, h.Get("Content-Type"), m)
			}
			uri := tt.uri
			if uri == "" {
				uri = f.ts.URL + "/devicelogin"
			}
			code, _ := m["user_code"].(string)
			if len(code) != 9 || strings.ToUpper(code) != code {
				t.Errorf("user_code = %q, want nine upper-case characters", code)
			}
			if m["verification_uri"] != uri || m["expires_in"] != 900.0 || m["interval"] != 1.0 || m["device_code"] == "" {
				t.Errorf("answer = %v", m)
			}
			if msg, _ := m["message"].(string); !strings.Contains(msg, uri) || !strings.Contains(msg, code) {
				t.Errorf("message = %q", msg)
			}
			complete, has := m["verification_uri_complete"]
			if has != tt.wantComplete || (has && complete != uri+"?code="+code) {
				t.Errorf("verification_uri_complete = %v (present %v), want present %v", complete, has, tt.wantComplete)
			}
		})
	}
}

func TestDeviceCodeRequestErrors(t *testing.T) {
	t.Parallel()
	f := newFixture(t, idptest.Options{ClientID: clientID})
	tests := []struct {
		name   string
		form   url.Values
		code   string
		aadsts float64
	}{
		{"no client_id", url.Values{"scope": {"openid"}}, "invalid_request", 900144},
		{"unknown client", url.Values{"client_id": {"someone-else"}, "scope": {"openid"}}, "unauthorized_client", 700016},
		{"no scope", url.Values{"client_id": {clientID}}, "invalid_request", 900144},
		{"two resources", url.Values{"client_id": {clientID}, "scope": {idptest.DefaultScope + " Mail.Send openid"}}, "invalid_scope", 70011},
	}
	for _, tt := range tests {
		status, m, _ := f.post(t, "/organizations/oauth2/v2.0/devicecode", tt.form)
		codes, _ := m["error_codes"].([]any)
		if status != 400 || m["error"] != tt.code || len(codes) != 1 || codes[0] != tt.aadsts {
			t.Errorf("%s: %d %v, want 400 %s [%v]", tt.name, status, m, tt.code, tt.aadsts)
		}
	}
}

func TestErrorAnswerLooksLikeEntra(t *testing.T) {
	t.Parallel()
	f := newFixture(t, idptest.Options{})
	f.idp.ScriptPolls("authorization_pending")
	da, err := f.cfg.DeviceAuth(t.Context())
	if err != nil {
		t.Fatal(err)
	}
	status, m, h := f.post(t, "/organizations/oauth2/v2.0/token", url.Values{
		"grant_type": {"urn:ietf:params:oauth:grant-type:device_code"}, "client_id": {clientID}, "device_code": {da.DeviceCode}})
	if status != 400 || h.Get("Content-Type") != "application/json; charset=utf-8" || h.Get("Cache-Control") == "" {
		t.Errorf("status %d, headers %v", status, h)
	}
	for _, k := range []string{"error", "error_description", "error_codes", "timestamp", "trace_id", "correlation_id"} {
		if _, ok := m[k]; !ok {
			t.Errorf("answer lacks %q: %v", k, m)
		}
	}
	desc, _ := m["error_description"].(string)
	lines := strings.Split(desc, "\r\n")
	if len(lines) != 4 || !strings.HasPrefix(lines[0], "AADSTS70016: ") ||
		lines[1] != "Trace ID: "+m["trace_id"].(string) ||
		lines[2] != "Correlation ID: "+m["correlation_id"].(string) ||
		lines[3] != "Timestamp: "+m["timestamp"].(string) {
		t.Errorf("error_description = %q", desc)
	}
}
