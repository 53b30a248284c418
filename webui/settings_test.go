package webui_test

import (
	"context"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"
)

// settingValue is the device's value of key, through the local API.
func (r *rig) settingValue(t *testing.T, key string) string {
	t.Helper()
	cfg, err := r.c.Config(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	for _, st := range cfg.Settings {
		if st.Key == key {
			return st.Value
		}
	}
	t.Fatalf("no setting %s", key)
	return ""
}

func TestSettingsPageRenderedFromDescription(t *testing.T) {
	r := newRig(t)
	c := r.login(t, r.tls)
	_, body := get(t, c, r.tls.URL+"/settings")
	contains(t, body,
		`<select id="s-provider" name="provider"`, `<option selected>custom</option>`,
		`name="scan.to_me" type="email"`, `name="panel.idle_seconds" type="number" min="10" max="600" value="60"`,
		`name="custom.smtp_port" type="number"`, `<textarea id="s-custom-ca_bundle" name="custom.ca_bundle"`,
		`name="retry.window_hours"`, `name="spool.max_mb"`, `name="jobs.keep"`, `name="panel.domain"`, `name="scan.to_me_only"`,
		"(seconds)", `href="/settings" aria-current="page"`)
	// The provider is custom: the tenant (Microsoft's) is hidden, the
	// custom endpoints shown.
	if !regexp.MustCompile(`data-providers="exchange-online 21vianet gcc-high"[^>]* hidden>\s*<label for="s-tenant"`).MatchString(body) {
		t.Error("the tenant is shown for the custom provider")
	}
	if regexp.MustCompile(`data-providers="custom" hidden`).MatchString(body) {
		t.Error("a custom provider's field is hidden while the provider is custom")
	}
	// The CA bundle is shown as the device's summary, never as PEM.
	if strings.Contains(body, "BEGIN CERTIFICATE-----\n") || strings.Contains(body, "MII") {
		t.Error("the CA bundle's PEM is on the page")
	}
	contains(t, body, `id="s-custom-ca_bundle-now"`)
}

func TestSettingsSaveAllOrNone(t *testing.T) {
	r := newRig(t)
	c := r.login(t, r.tls)
	bundle := r.settingValue(t, "custom.ca_bundle")

	// A good value and a refused one: nothing is saved, the refusal is
	// beside its field, the rest as typed.
	form := url.Values{"provider": {"custom"}, "subject": {"Scans from the 3rd floor"}, "panel.idle_seconds": {"5"}, "scan.to_me": {"me@contoso.example"},
		"custom.ca_bundle": {"-----BEGIN CERTIFICATE-----\npasted\n-----END CERTIFICATE-----"}}
	res, err := c.PostForm(r.tls.URL+"/settings", form)
	if err != nil {
		t.Fatal(err)
	}
	body := readBody(t, res)
	if res.StatusCode != http.StatusBadRequest {
		t.Errorf("a refused value: %s", res.Status)
	}
	if !regexp.MustCompile(`(?s)class="field refused">\s*<label for="s-panel-idle_seconds">.*?id="s-panel-idle_seconds-problem"`).MatchString(body) {
		t.Errorf("the refusal is not beside its field:\n%s", body)
	}
	contains(t, body, "-----BEGIN CERTIFICATE-----\npasted\n-----END CERTIFICATE-----</textarea>", `id="refused"`, `<a href="#s-panel-idle_seconds">Panel idle time</a>`, `value="Scans from the 3rd floor"`, `name="panel.idle_seconds" type="number" min="10" max="600" value="5"`, `value="me@contoso.example"`)
	if got := r.settingValue(t, "subject"); got == "Scans from the 3rd floor" {
		t.Error("a setting was saved with a refused one")
	}

	// Corrected, every change is saved; the CA bundle left empty is kept.
	form.Set("panel.idle_seconds", "120")
	form.Del("custom.ca_bundle")
	res, err = c.PostForm(r.tls.URL+"/settings", form)
	if err != nil {
		t.Fatal(err)
	}
	body = readBody(t, res)
	if res.Request.URL.RequestURI() != "/settings?saved" {
		t.Fatalf("after saving at %s:\n%s", res.Request.URL, body)
	}
	contains(t, body, "The settings are saved.", `value="Scans from the 3rd floor"`)
	for k, want := range map[string]string{"subject": "Scans from the 3rd floor", "panel.idle_seconds": "120", "scan.to_me": "me@contoso.example", "custom.ca_bundle": bundle} {
		if got := r.settingValue(t, k); got != want {
			t.Errorf("%s = %q, want %q", k, got, want)
		}
	}
}

func TestSettingsDeviceAddressWarning(t *testing.T) {
	r := newRig(t)
	r.signIn(t, "scanner@contoso.example")
	if _, err := r.c.SetConfig(context.Background(), "device_address", "other@contoso.example"); err != nil {
		t.Fatal(err)
	}
	c := r.login(t, r.tls)
	_, body := get(t, c, r.tls.URL+"/settings")
	contains(t, body, `id="address-warning"`, "signed in as <strong>scanner@contoso.example</strong>", `value="other@contoso.example"`,
		`<p class="refusal" id="s-device_address-account">The device is signed in as scanner@contoso.example`)

	// The fix: send as the account.
	res, err := c.PostForm(r.tls.URL+"/settings", url.Values{"device_address": {"scanner@contoso.example"}})
	if err != nil {
		t.Fatal(err)
	}
	body = readBody(t, res)
	if strings.Contains(body, `id="address-warning"`) {
		t.Errorf("the warning stays after the fix:\n%s", body)
	}
	if got := r.settingValue(t, "device_address"); got != "scanner@contoso.example" {
		t.Errorf("device_address = %q", got)
	}
}
