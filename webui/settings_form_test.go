package webui

import (
	"bytes"
	"strings"
	"testing"

	"scanmail/device/apitype"
)

// TestSecretSettingNeverShown: a secret setting (the device has none
// today; a client secret would be one) is a password field left empty,
// whatever the device's value or what was typed.
func TestSecretSettingNeverShown(t *testing.T) {
	desc := apitype.ConfigDescription{Settings: []apitype.SettingInfo{
		{Key: "provider", Kind: apitype.KindChoice, Choices: []string{"custom"}},
		{Key: "client_secret", Kind: apitype.KindString, Secret: true, Help: "the app's secret"},
	}}
	cfg := apitype.Config{Settings: []apitype.Setting{{Key: "provider", Value: "custom"}, {Key: "client_secret", Value: "s3cr3t-on-the-device"}}}
	for _, typed := range []map[string]string{nil, {"client_secret": "s3cr3t-typed"}} {
		secs := settingsSections(desc, cfg, typed, nil, "")
		var buf bytes.Buffer
		if err := templates()["settings"].ExecuteTemplate(&buf, "layout.html", page{Title: "Email settings", LoggedIn: true, Data: settingsPage{Sections: secs}}); err != nil {
			t.Fatal(err)
		}
		html := buf.String()
		if strings.Contains(html, "s3cr3t") {
			t.Errorf("a secret is on the page:\n%s", html)
		}
		if !strings.Contains(html, `name="client_secret" type="password" autocomplete="off" placeholder="unchanged"`) {
			t.Errorf("no password field for the secret:\n%s", html)
		}
	}
}
