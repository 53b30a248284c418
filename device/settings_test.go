package device

import (
	"strconv"
	"strings"
	"testing"
)

func TestSettingsSet(t *testing.T) {
	t.Parallel()
	tests := []struct {
		key, value string
		err        string // "" for accepted
	}{
		{"provider", "outlook", ""},
		{"provider", "gmail", "unknown provider"},
		{"device_address", "scanner@contoso.example", ""},
		{"device_address", "Scanner <scanner@contoso.example>", "not a plain e-mail address"},
		{"device_address", "scanner", "not a plain e-mail address"},
		{"custom.smtp_port", "465", "587"},
		{"custom.smtp_port", "x", "not a number"},
		{"custom.smtp_port", "587", ""},
		{"custom.smtp_host", "52.96.0.1", "DNS name"},
		{"custom.smtp_host", "localhost", ""},
		{"custom.token_url", "http://login.example.com/token", "https"},
		{"custom.token_url", "http://127.0.0.1:8080/token", ""},
		{"custom.token_url", "https://login.example.com/token", ""},
		{"custom.ca_bundle", "not pem", "no PEM certificate"},
		{"scan.mode", "bw1", ""},
		{"scan.mode", "cmyk", "known: bw1"},
		{"scan.dpi", "200", ""},
		{"scan.dpi", "250", "not offered"},
		{"scan.dpi", "0", "not offered"},
		{"scan.format", "tiff", ""},
		{"scan.format", "docx", "known: pdf"},
		{"scan.quality", "90", ""},
		{"scan.quality", "0", "1 to 100"},
		{"limits.messages_per_minute", "10", ""},
		{"limits.recipients_per_day", "-1", ""},
		{"limits.recipients_per_day", "-2", "from -1 up"},
		{"limits.max_message_mb", "150", ""},
		{"jobs.keep", "1000", ""},
		{"jobs.keep", "9", "from 10 to 10000"},
		{"jobs.keep", "10001", "from 10 to 10000"},
		{"jobs.keep", "-1", "from 10 to 10000"},
		{"jobs.keep_days", "90", ""},
		{"jobs.keep_days", "0", "from 1 to 3650"},
		{"jobs.keep_days", "3651", "from 1 to 3650"},
		{"colour", "blue", "unknown setting"},
	}
	for _, tt := range tests {
		t.Run(tt.key+"="+tt.value, func(t *testing.T) {
			s := DefaultSettings()
			err := s.Set(tt.key, tt.value)
			if tt.err == "" {
				if err != nil {
					t.Fatalf("refused: %v", err)
				}
				for _, kv := range s.Values() {
					if kv[0] == tt.key && kv[1] != tt.value {
						t.Errorf("reads back %q", kv[1])
					}
				}
				return
			}
			if err == nil || !strings.Contains(err.Error(), tt.err) {
				t.Fatalf("err %v, want %q", err, tt.err)
			}
		})
	}
}

func TestProviderEndpoints(t *testing.T) {
	t.Parallel()
	tests := []struct {
		provider, tenant           string
		deviceAuth, token, consent string
		smtp                       string
	}{
		{"exchange-online", "contoso.onmicrosoft.com",
			"https://login.microsoftonline.com/contoso.onmicrosoft.com/oauth2/v2.0/devicecode",
			"https://login.microsoftonline.com/contoso.onmicrosoft.com/oauth2/v2.0/token",
			"https://login.microsoftonline.com/contoso.onmicrosoft.com/adminconsent?client_id=app",
			"smtp.office365.com:587"},
		{"exchange-online", "",
			"https://login.microsoftonline.com/organizations/oauth2/v2.0/devicecode",
			"https://login.microsoftonline.com/organizations/oauth2/v2.0/token",
			"https://login.microsoftonline.com/common/adminconsent?client_id=app",
			"smtp.office365.com:587"},
		{"outlook", "contoso.onmicrosoft.com",
			"https://login.microsoftonline.com/consumers/oauth2/v2.0/devicecode",
			"https://login.microsoftonline.com/consumers/oauth2/v2.0/token",
			"",
			"smtp-mail.outlook.com:587"},
		{"21vianet", "contoso.partner.onmschina.cn",
			"https://login.partner.microsoftonline.cn/contoso.partner.onmschina.cn/oauth2/v2.0/devicecode",
			"https://login.partner.microsoftonline.cn/contoso.partner.onmschina.cn/oauth2/v2.0/token",
			"https://login.partner.microsoftonline.cn/contoso.partner.onmschina.cn/adminconsent?client_id=app",
			"smtp.partner.outlook.cn:587"},
	}
	for _, tt := range tests {
		t.Run(tt.provider+"/"+tt.tenant, func(t *testing.T) {
			s := DefaultSettings()
			s.Provider, s.Tenant = tt.provider, tt.tenant
			p, err := s.ResolveProvider()
			if err != nil {
				t.Fatal(err)
			}
			if err := p.validate(); err != nil {
				t.Fatalf("preset does not validate: %v", err)
			}
			e := p.Endpoint(s.Tenant)
			if e.DeviceAuthURL != tt.deviceAuth || e.TokenURL != tt.token {
				t.Errorf("endpoints %s %s", e.DeviceAuthURL, e.TokenURL)
			}
			if got := p.AdminConsentURL(s.Tenant, "app"); got != tt.consent {
				t.Errorf("admin consent %q, want %q", got, tt.consent)
			}
			if got := p.SMTPHost + ":" + strconv.Itoa(p.SMTPPort); got != tt.smtp {
				t.Errorf("smtp %s, want %s", got, tt.smtp)
			}
			if !strings.HasSuffix(p.SMTPScope(), "/SMTP.Send") {
				t.Errorf("SMTP scope %q", p.SMTPScope())
			}
		})
	}
}

func TestCustomProviderIncomplete(t *testing.T) {
	t.Parallel()
	s := DefaultSettings()
	s.Provider = CustomProviderID
	if _, err := s.ResolveProvider(); err == nil || !strings.Contains(err.Error(), "custom.device_auth_url") {
		t.Fatalf("got %v, want to be told which endpoints are missing", err)
	}
}
