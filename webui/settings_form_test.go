package webui

import (
	"bytes"
	"regexp"
	"strings"
	"testing"

	"scanmail/device/apitype"
)

func renderSettings(t *testing.T, d settingsPage) string {
	t.Helper()
	var buf bytes.Buffer
	if err := templates()["settings"].ExecuteTemplate(&buf, "layout.html", page{Title: "Email settings", LoggedIn: true, Data: d}); err != nil {
		t.Fatal(err)
	}
	return buf.String()
}

// TestSecretSettingNeverShown: a secret setting (Secret, or of
// KindSecret) is a password field left empty, whatever the device's value
// or what was typed, with a box to clear it when it is set; a password
// manager is not invited to fill the admin's password in.
func TestSecretSettingNeverShown(t *testing.T) {
	for _, info := range []apitype.SettingInfo{
		{Key: "client_secret", Kind: apitype.KindString, Secret: true, Help: "the app's secret"},
		{Key: "password.secret", Kind: apitype.KindSecret, Roads: []string{apitype.RoadPassword}, Help: "the password"},
	} {
		desc := apitype.ConfigDescription{Settings: []apitype.SettingInfo{
			{Key: "provider", Kind: apitype.KindChoice, Choices: []string{"custom"}}, info}}
		cfg := apitype.Config{Settings: []apitype.Setting{{Key: "provider", Value: "custom"}, {Key: info.Key, Value: "s3cr3t-on-the-device"}}}
		for _, typed := range []map[string]string{nil, {info.Key: "s3cr3t-typed"}} {
			html := renderSettings(t, settingsPage{Sections: settingsSections(desc, cfg, typed, nil, "")})
			if strings.Contains(html, "s3cr3t") {
				t.Errorf("a secret is on the page:\n%s", html)
			}
			contains(t, html, `name="`+info.Key+`" type="password" autocomplete="new-password" placeholder="unchanged"`,
				`<input type="checkbox" name="`+info.Key+`.clear" value="1"`, "Now: set (never shown)")
			if typed != nil {
				contains(t, html, "type it again")
			}
		}
		// Not set: nothing to clear.
		cfg.Settings[1].Value = ""
		html := renderSettings(t, settingsPage{Sections: settingsSections(desc, cfg, nil, nil, "")})
		contains(t, html, "Now: not set.")
		if strings.Contains(html, info.Key+".clear") {
			t.Errorf("a box clears a secret that is not set:\n%s", html)
		}
	}
}

// TestSettingsRoadsShownByRoad: the road setting heads the comparison's
// columns as radio buttons; a road's settings, the warning on
// Microsoft's retirement of password sign-in and the Gmail note are shown
// only for their road (and provider), and a road the pages do not know
// is still offered.
func TestSettingsRoadsShownByRoad(t *testing.T) {
	desc := apitype.ConfigDescription{Settings: []apitype.SettingInfo{
		{Key: "road", Kind: apitype.KindChoice, Choices: append(apitype.Roads(), "carrier-pigeon"), Help: "how the device sends"},
		{Key: "provider", Kind: apitype.KindChoice, Choices: []string{"exchange-online", "gmail", "custom"}},
		{Key: "tenant", Kind: apitype.KindString, Providers: []string{"exchange-online"}, Roads: []string{apitype.RoadOAuth}},
		{Key: "password.username", Kind: apitype.KindString, Roads: []string{apitype.RoadPassword}},
		{Key: "password.secret", Kind: apitype.KindSecret, Roads: []string{apitype.RoadPassword}, Help: "the password. Never shown again; empty clears it"},
		{Key: "custom.smtp_host", Kind: apitype.KindHost, Providers: []string{"custom"}},
		{Key: "mx.host", Kind: apitype.KindHost, Roads: []string{apitype.RoadDirect, apitype.RoadRelay}},
		// The device's own word on where password sign-in is retiring.
		{Key: "password.basic_auth_ok", Kind: apitype.KindChoice, Choices: []string{"yes", "no"}, Roads: []string{apitype.RoadPassword}, Providers: []string{"exchange-online", "sovereign"}},
	}}
	shown := func(html, id string) bool {
		m := regexp.MustCompile(`<[^>]*id="` + id + `"[^>]*>`).FindString(html)
		if m == "" {
			t.Fatalf("no element %s:\n%s", id, html)
		}
		return !strings.Contains(m, " hidden")
	}
	field := func(html, id string) bool {
		m := regexp.MustCompile(`<div class="field"[^>]*>\s*<label for="` + id + `"`).FindString(html)
		if m == "" {
			t.Fatalf("no field %s:\n%s", id, html)
		}
		return !strings.Contains(m, " hidden")
	}
	for _, tt := range []struct {
		road, provider                    string
		tenant, password, mx, exch, gmail bool
	}{
		{"oauth", "exchange-online", true, false, false, false, false},
		{"password", "exchange-online", false, true, false, true, false},
		{"password", "sovereign", false, true, false, true, false},
		{"password", "gmail", false, true, false, false, true},
		{"password", "custom", false, true, false, false, true},
		{"direct", "exchange-online", false, false, true, false, false},
		{"relay", "custom", false, false, true, false, false},
	} {
		cfg := apitype.Config{Settings: []apitype.Setting{{Key: "road", Value: tt.road}, {Key: "provider", Value: tt.provider}}}
		html := renderSettings(t, settingsPage{Sections: settingsSections(desc, cfg, nil, nil, "")})
		for what, got := range map[string][2]bool{
			"tenant":                {field(html, "s-tenant"), tt.tenant},
			"user name":             {field(html, "s-password-username"), tt.password},
			"password":              {field(html, "s-password-secret"), tt.password},
			"MX endpoint":           {field(html, "s-mx-host"), tt.mx},
			"Basic auth warning":    {shown(html, "basic-auth-warning"), tt.exch},
			"Gmail note":            {shown(html, "gmail-note"), tt.gmail},
			"connector certificate": {shown(html, "relay-note"), tt.road == "relay"},
		} {
			if got[0] != got[1] {
				t.Errorf("road %s, provider %s: %s shown %v, want %v", tt.road, tt.provider, what, got[0], got[1])
			}
		}
		contains(t, html, `<input type="radio" name="road" value="`+tt.road+`" id="road-`+tt.road+`" checked data-shows-roads>`,
			`id="road-carrier-pigeon"`, "Only the organisation&#39;s own", "A copy in Sent Items", "end of 2026")
		// The provider first, then the roads; a section of fields
		// all for another provider hidden; the form keeps an empty
		// password, so the help does not say it clears it.
		if p, c := strings.Index(html, `id="s-provider"`), strings.Index(html, `id="road-compare"`); p < 0 || p > c {
			t.Error("the provider is not before the roads")
		}
		if custom := regexp.MustCompile(`<fieldset class="card"( hidden)?>\s*<legend>Custom provider`).FindStringSubmatch(html); custom == nil || (custom[1] != "") == (tt.provider == "custom") {
			t.Errorf("provider %s: the custom provider's section: %q", tt.provider, custom)
		}
		if strings.Contains(html, "empty clears it") {
			t.Error("the password's help says an empty field clears it")
		}
		if n := strings.Count(html, `type="radio" name="road"`); n != 5 {
			t.Errorf("%d roads offered, want 5", n)
		}
	}
}

func contains(t *testing.T, body string, want ...string) {
	t.Helper()
	for _, w := range want {
		if !strings.Contains(body, w) {
			t.Errorf("page lacks %q:\n%s", w, body)
		}
	}
}
