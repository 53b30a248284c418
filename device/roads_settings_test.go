package device

import (
	"slices"
	"strings"
	"testing"

	"scanmail/device/apitype"
)

// TestProviderRoads: each preset carries the roads it takes: Exchange
// Online all four (password with the retirement flag), Outlook.com only
// sign-in, Gmail only the password; the custom provider all of them.
func TestProviderRoads(t *testing.T) {
	t.Parallel()
	all := apitype.Roads()
	tests := []struct {
		provider string
		roads    []string
		retiring bool
	}{
		{"exchange-online", all, true},
		{"21vianet", all, true},
		{"gcc-high", all, true},
		{"outlook", []string{apitype.RoadOAuth}, false},
		{"gmail", []string{apitype.RoadPassword}, false},
		{"custom", all, false},
	}
	for _, tt := range tests {
		s := DefaultSettings()
		s.Provider = tt.provider
		p, _ := s.providerFor(apitype.RoadPassword)
		if !slices.Equal(p.Roads, tt.roads) || p.BasicAuthRetiring != tt.retiring {
			t.Errorf("%s: roads %v retiring %v, want %v %v", tt.provider, p.Roads, p.BasicAuthRetiring, tt.roads, tt.retiring)
		}
	}
	g, _ := preset(GmailProviderID)
	if g.SMTPHost != "smtp.gmail.com" || g.SMTPPort != 587 || g.MaxMessageSize != 25<<20 || g.Limits.RecipientsPerDay != 500 || len(g.Scopes) != 0 {
		t.Errorf("gmail preset: %+v", g)
	}
}

// TestCustomPasswordNeedsNoSignInEndpoints: the custom provider's
// password road needs its SMTP host, not the sign-in endpoints, and
// direct send and relay need neither.
func TestCustomPasswordNeedsNoSignInEndpoints(t *testing.T) {
	t.Parallel()
	s := DefaultSettings()
	s.Provider = CustomProviderID
	s.Custom.SMTPHost = "mail.example.com"
	if _, err := s.providerFor(apitype.RoadPassword); err != nil {
		t.Errorf("password road: %v", err)
	}
	if _, err := s.providerFor(apitype.RoadOAuth); err == nil {
		t.Error("OAuth road without sign-in endpoints taken")
	}
	s.Custom.SMTPHost = ""
	if _, err := s.providerFor(apitype.RoadPassword); err == nil {
		t.Error("password road without an SMTP host taken")
	}
	if _, err := s.providerFor(apitype.RoadDirect); err != nil {
		t.Errorf("direct send: %v", err)
	}
}

// TestRoadSettingsDescribed: the roads' settings say which roads they are
// for, the password is a secret with no default shown, and the Exchange
// yes to password sign-in is for the presets retiring it only.
func TestRoadSettingsDescribed(t *testing.T) {
	t.Parallel()
	infos := map[string]apitype.SettingInfo{}
	for _, info := range DescribeSettings() {
		infos[info.Key] = info
	}
	tests := []struct {
		key   string
		kind  string
		roads []string
	}{
		{"password.username", apitype.KindString, []string{apitype.RoadPassword}},
		{"password.secret", apitype.KindSecret, []string{apitype.RoadPassword}},
		{"password.basic_auth_ok", apitype.KindChoice, []string{apitype.RoadPassword}},
		{"mx.host", apitype.KindHost, []string{apitype.RoadDirect, apitype.RoadRelay}},
		{"mx.port", apitype.KindInt, []string{apitype.RoadDirect, apitype.RoadRelay}},
		{"mx.accepted_domains", apitype.KindWords, []string{apitype.RoadDirect, apitype.RoadRelay}},
		{"mx.require_tls", apitype.KindChoice, []string{apitype.RoadDirect}},
		{"mx.ca_bundle", apitype.KindPEM, []string{apitype.RoadDirect, apitype.RoadRelay}},
		{"custom.device_auth_url", apitype.KindURL, []string{apitype.RoadOAuth}},
		{"client_id", apitype.KindString, []string{apitype.RoadOAuth}},
		{"road", apitype.KindChoice, nil},
	}
	for _, tt := range tests {
		info, ok := infos[tt.key]
		if !ok {
			t.Errorf("%s: not described", tt.key)
			continue
		}
		if info.Kind != tt.kind || !slices.Equal(info.Roads, tt.roads) || info.Help == "" {
			t.Errorf("%s: kind %q roads %v help %q, want %q %v", tt.key, info.Kind, info.Roads, info.Help, tt.kind, tt.roads)
		}
	}
	if sec := infos["password.secret"]; !sec.Secret || sec.Default != "" {
		t.Errorf("password.secret: %+v", sec)
	}
	if got := infos["password.basic_auth_ok"].Providers; !slices.Equal(got, []string{"exchange-online", "21vianet", "gcc-high"}) {
		t.Errorf("password.basic_auth_ok providers %v", got)
	}
	if got := infos["mx.port"].Default; got != "25" {
		t.Errorf("mx.port default %q", got)
	}
}

// TestPasswordSecretNeverShown: the password is shown as set, never
// itself, nor exported; an empty value clears it; and it survives a
// restart in the state file.
func TestPasswordSecretNeverShown(t *testing.T) {
	dev := newBookDevice(t)
	const secret = "correct-horse-battery-staple"
	c, err := dev.SetConfig("password.secret", secret)
	if err != nil {
		t.Fatal(err)
	}
	for _, kv := range c.Settings {
		if kv.Value == secret {
			t.Fatalf("config shows the password under %s", kv.Key)
		}
		if kv.Key == "password.secret" && kv.Value != "(set)" {
			t.Errorf("password.secret shown %q, want (set)", kv.Value)
		}
	}
	exp, err := dev.ExportConfig()
	if err != nil {
		t.Fatal(err)
	}
	for k, v := range exp.Settings {
		if v == secret || k == "password.secret" {
			t.Errorf("export holds the password under %s", k)
		}
	}
	if s, _ := dev.store.Settings(); s.Password.Secret != secret {
		t.Errorf("stored %q", s.Password.Secret)
	}
	if _, err := dev.SetConfig("password.secret", ""); err != nil {
		t.Fatal(err)
	}
	if s, _ := dev.store.Settings(); s.Password.Secret != "" {
		t.Errorf("not cleared: %q", s.Password.Secret)
	}
}

// TestRoadSettingsExported: the roads' settings go to another device
// through an export and import, all but the password.
func TestRoadSettingsExported(t *testing.T) {
	src := newBookDevice(t)
	for k, v := range map[string]string{
		"road": "relay", "password.username": "svc-scan", "password.secret": "pw", "password.basic_auth_ok": "yes",
		"mx.host": "contoso-com.mail.protection.outlook.com", "mx.port": "2525", "mx.accepted_domains": "contoso.com fabrikam.com",
		"mx.require_tls": "yes",
	} {
		if _, err := src.SetConfig(k, v); err != nil {
			t.Fatalf("%s: %v", k, err)
		}
	}
	exp, err := src.ExportConfig()
	if err != nil {
		t.Fatal(err)
	}
	dst := newBookDevice(t)
	if _, err := dst.ImportConfig(exp, false); err != nil {
		t.Fatal(err)
	}
	got, err := dst.store.Settings()
	if err != nil {
		t.Fatal(err)
	}
	want, _ := src.store.Settings()
	want.Password.Secret = ""
	want.DeviceAddress = got.DeviceAddress
	if got.Road != want.Road || got.Password != want.Password || got.MX.Host != want.MX.Host || got.MX.Port != want.MX.Port ||
		!slices.Equal(got.MX.AcceptedDomains, want.MX.AcceptedDomains) || got.MX.RequireTLS != want.MX.RequireTLS {
		t.Errorf("imported\n%+v %+v %+v, want\n%+v %+v %+v", got.Road, got.Password, got.MX, want.Road, want.Password, want.MX)
	}
}

// TestGmailNoSignIn: Gmail takes no sign-in with a code: starting one is
// refused in words, before anything is asked of Google.
func TestGmailNoSignIn(t *testing.T) {
	dev := newBookDevice(t)
	if _, err := dev.SetConfigs([]apitype.SettingValue{{Key: "provider", Value: "gmail"}, {Key: "client_id", Value: "x"}}); err != nil {
		t.Fatal(err)
	}
	_, err := dev.StartSignIn(t.Context(), apitype.SignInRequest{})
	if summary, hint := Explain(err); CodeOf(err) != apitype.CodeSetupNeeded || !strings.Contains(summary, "does not take sign-in") || !strings.Contains(hint, "app password") {
		t.Errorf("sign-in with Gmail: %q / %q (%s)", summary, hint, CodeOf(err))
	}
}

// TestSecretKeepsItsSpaces: a password is taken as typed, spaces at its
// ends included (they are allowed in passwords); only the line end a
// file read with @FILE brings is dropped.
func TestSecretKeepsItsSpaces(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct{ in, want string }{
		{" pass word ", " pass word "},
		{"secret\n", "secret"},
		{"secret\r\n", "secret"},
		{"  ", "  "},
	} {
		var s Settings
		if err := s.Set("password.secret", tc.in); err != nil {
			t.Fatal(err)
		}
		if s.Password.Secret != tc.want {
			t.Errorf("Set(%q) stored %q, want %q", tc.in, s.Password.Secret, tc.want)
		}
	}
	var s Settings
	if err := s.Set("subject", "  Scan  \n"); err != nil || s.Subject != "Scan" {
		t.Errorf("subject %q (%v), want it trimmed", s.Subject, err)
	}
}
