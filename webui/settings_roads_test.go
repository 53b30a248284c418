package webui_test

import (
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"

	"scanmail/device/apitype"
)

// TestSettingsPasswordRoad: the password road chosen on the form, its
// user name and password saved; the password is never on a page after,
// a form that leaves it empty keeps it, the box ticked clears it.
func TestSettingsPasswordRoad(t *testing.T) {
	r := newRig(t)
	c := r.login(t, r.tls)
	const secret = "app pass word with spaces "
	save := func(form url.Values) string {
		t.Helper()
		res, err := c.PostForm(r.tls.URL+"/settings", form)
		if err != nil {
			t.Fatal(err)
		}
		body := readBody(t, res)
		if res.Request.URL.RequestURI() != "/settings?saved" {
			t.Fatalf("save %v: %s at %s\n%s", form, res.Status, res.Request.URL, body)
		}
		if strings.Contains(body, strings.TrimSpace(secret)) {
			t.Errorf("the password is on the page after saving:\n%s", body)
		}
		return body
	}
	body := save(url.Values{"road": {apitype.RoadPassword}, "password.username": {"scanner@contoso.example"}, "password.secret": {secret}})
	contains(t, body, `id="road-password" checked`, `id="s-password-secret-now">Now: set`, `name="password.secret.clear"`)
	if !regexp.MustCompile(`<div class="field" data-roads="[^"]*password[^"]*">\s*<label for="s-password-username"`).MatchString(body) {
		t.Errorf("the password road's user name is hidden on the password road:\n%s", body)
	}
	if got := r.settingValue(t, "password.username"); got != "scanner@contoso.example" {
		t.Errorf("password.username = %q", got)
	}
	if got := r.settingValue(t, "password.secret"); got == "" || strings.Contains(got, "pass") {
		t.Errorf("password.secret shows %q", got)
	}

	// Saved again with the field empty, as the page leaves it: kept.
	save(url.Values{"subject": {"Scans"}, "password.secret": {""}})
	if got := r.settingValue(t, "password.secret"); got == "" {
		t.Error("an empty password field cleared the password")
	}
	// The box ticked: cleared.
	body = save(url.Values{"password.secret": {""}, "password.secret.clear": {"1"}})
	contains(t, body, `id="s-password-secret-now">Now: not set.`)
	if got := r.settingValue(t, "password.secret"); got != "" {
		t.Errorf("password.secret = %q after clearing", got)
	}

	// On the OAuth road the password road's settings are hidden.
	body = save(url.Values{"road": {apitype.RoadOAuth}})
	if !regexp.MustCompile(`<div class="field" data-roads="[^"]*password[^"]*" hidden>\s*<label for="s-password-username"`).MatchString(body) {
		t.Errorf("the password road's user name is shown on the OAuth road:\n%s", body)
	}
	// A refused save does not keep the password typed: the page says so.
	res, err := c.PostForm(r.tls.URL+"/settings", url.Values{"road": {"password"}, "password.secret": {secret}, "panel.idle_seconds": {"5"}})
	if err != nil {
		t.Fatal(err)
	}
	body = readBody(t, res)
	if res.StatusCode != http.StatusBadRequest {
		t.Errorf("a refused value: %s", res.Status)
	}
	contains(t, body, `id="s-password-secret-retype"`)
	if strings.Contains(body, strings.TrimSpace(secret)) {
		t.Errorf("the password typed is on the refused form:\n%s", body)
	}
}
