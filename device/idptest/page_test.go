package idptest_test

import (
	"io"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"scanmail/device/idptest"
)

// page fetches the verification page, by GET when form is nil.
func (f *fixture) page(t *testing.T, query string, form url.Values) (int, string) {
	t.Helper()
	var resp *http.Response
	var err error
	if form == nil {
		resp, err = http.Get(f.ts.URL + "/devicelogin" + query)
	} else {
		resp, err = http.PostForm(f.ts.URL+"/devicelogin", form)
	}
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	if ct := resp.Header.Get("Content-Type"); ct != "text/html; charset=utf-8" {
		t.Errorf("Content-Type = %q", ct)
	}
	return resp.StatusCode, string(b)
}

func TestPageSignIn(t *testing.T) {
	t.Parallel()
	f := newFixture(t, idptest.Options{})
	da, err := f.cfg.DeviceAuth(t.Context())
	if err != nil {
		t.Fatal(err)
	}
	if da.VerificationURI != f.ts.URL+"/devicelogin" {
		t.Errorf("verification_uri = %q", da.VerificationURI)
	}

	status, body := f.page(t, "", nil)
	if status != 200 || !strings.Contains(body, `name="code"`) || !strings.Contains(body, "<form") {
		t.Fatalf("GET: %d\n%s", status, body)
	}

	// People type codes in any case and with dashes.
	typed := strings.ToLower(da.UserCode[:4] + "-" + da.UserCode[4:])
	status, body = f.page(t, "", url.Values{"step": {"code"}, "code": {typed}})
	if status != 200 || !strings.Contains(body, `name="username"`) ||
		!strings.Contains(body, `value="`+da.UserCode+`"`) || !strings.Contains(body, "SMTP.Send") {
		t.Fatalf("POST code: %d\n%s", status, body)
	}

	status, body = f.page(t, "", url.Values{"step": {"account"}, "code": {da.UserCode},
		"username": {"scanner@contoso.example"}, "action": {"approve"}})
	if status != 200 || !strings.Contains(body, "You have signed in to scanmail on your device") ||
		!strings.Contains(body, "You may now close this window.") {
		t.Fatalf("POST approve: %d\n%s", status, body)
	}

	tok, err := f.cfg.DeviceAccessToken(t.Context(), da)
	if err != nil {
		t.Fatalf("DeviceAccessToken: %v", err)
	}
	raw, _ := tok.Extra("id_token").(string)
	if _, c := idClaims(t, f.idp, raw); c["preferred_username"] != "scanner@contoso.example" {
		t.Errorf("preferred_username = %v", c["preferred_username"])
	}

	// The code is spent.
	status, body = f.page(t, "", url.Values{"step": {"code"}, "code": {da.UserCode}})
	if status != 400 || !strings.Contains(body, "already used") {
		t.Errorf("spent code: %d\n%s", status, body)
	}
}

func TestPageDeny(t *testing.T) {
	t.Parallel()
	f := newFixture(t, idptest.Options{})
	da, err := f.cfg.DeviceAuth(t.Context())
	if err != nil {
		t.Fatal(err)
	}
	status, body := f.page(t, "", url.Values{"step": {"account"}, "code": {da.UserCode}, "action": {"deny"}})
	if status != 200 || !strings.Contains(body, "You declined") {
		t.Fatalf("POST deny: %d\n%s", status, body)
	}
	_, err = f.cfg.DeviceAccessToken(t.Context(), da)
	retrieveError(t, err, "authorization_declined")
}

func TestPageErrors(t *testing.T) {
	t.Parallel()
	f := newFixture(t, idptest.Options{})
	expired, err := f.cfg.DeviceAuth(t.Context())
	if err != nil {
		t.Fatal(err)
	}
	f.clock.Advance(10 * time.Minute)
	fresh, err := f.cfg.DeviceAuth(t.Context())
	if err != nil {
		t.Fatal(err)
	}
	f.clock.Advance(6 * time.Minute) // expired is now 16 minutes old, fresh 6

	tests := []struct {
		name    string
		form    url.Values
		status  int
		want    []string
		notWant []string
	}{
		{"empty code", url.Values{"step": {"code"}}, 400, []string{"Enter the code"}, nil},
		{"wrong code", url.Values{"step": {"code"}, "code": {"ZZZZZZZZZ"}}, 400, []string{"didn&#39;t work", `value="ZZZZZZZZZ"`}, nil},
		{"expired code", url.Values{"step": {"code"}, "code": {expired.UserCode}}, 400, []string{"expired"}, nil},
		{"code escaped", url.Values{"step": {"code"}, "code": {`"><script>alert(1)</script>`}}, 400,
			[]string{"&#34;&gt;&lt;script&gt;alert(1)&lt;/script&gt;"}, []string{"<script>"}},
		{"bad username escaped", url.Values{"step": {"account"}, "code": {fresh.UserCode}, "action": {"approve"},
			"username": {`"><script>alert(1)</script>`}}, 400,
			[]string{"name@domain", "&#34;&gt;&lt;script&gt;alert(1)&lt;/script&gt;", `name="username"`}, []string{"<script>"}},
		{"plain name", url.Values{"step": {"account"}, "code": {fresh.UserCode}, "action": {"approve"},
			"username": {"scanner"}}, 400, []string{"name@domain"}, nil},
		{"odd but valid name escaped", url.Values{"step": {"account"}, "code": {fresh.UserCode}, "action": {"approve"},
			"username": {"o'brien&co@contoso.example"}}, 200,
			[]string{"You have signed in", "o&#39;brien&amp;co@contoso.example"}, []string{"o'brien&co"}},
		{"no step", url.Values{"code": {fresh.UserCode}}, 400, []string{"could not be read"}, nil},
	}
	for _, tt := range tests {
		status, body := f.page(t, "", tt.form)
		if status != tt.status {
			t.Errorf("%s: status %d, want %d", tt.name, status, tt.status)
		}
		for _, w := range tt.want {
			if !strings.Contains(body, w) {
				t.Errorf("%s: page lacks %q\n%s", tt.name, w, body)
			}
		}
		for _, w := range tt.notWant {
			if strings.Contains(body, w) {
				t.Errorf("%s: page contains %q", tt.name, w)
			}
		}
	}
}

func TestPagePrefill(t *testing.T) {
	t.Parallel()
	f := newFixture(t, idptest.Options{CompleteURI: true})
	da, err := f.cfg.DeviceAuth(t.Context())
	if err != nil {
		t.Fatal(err)
	}
	u, err := url.Parse(da.VerificationURIComplete)
	if err != nil {
		t.Fatal(err)
	}
	status, body := f.page(t, "?"+u.RawQuery, nil)
	if status != 200 || !strings.Contains(body, `value="`+da.UserCode+`"`) {
		t.Errorf("GET %s: %d\n%s", da.VerificationURIComplete, status, body)
	}
	status, body = f.page(t, "?code=%22%3E%3Cb%3E", nil)
	if status != 200 || strings.Contains(body, `"><b>`) {
		t.Errorf("prefill is not escaped: %d\n%s", status, body)
	}
}
