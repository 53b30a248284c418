package device

import (
	"math"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"scanmail/device/apitype"
)

func TestSettingsSet(t *testing.T) {
	t.Parallel()
	tests := []struct {
		key, value string
		err        string // "" for accepted
	}{
		{"provider", "outlook", ""},
		{"provider", "gmail", ""},
		{"provider", "yahoo", "unknown provider"},
		{"road", "password", ""},
		{"road", "direct", ""},
		{"road", "relay", ""},
		{"road", "smoke-signals", "unknown road"},
		{"password.username", "scanner@contoso.example", ""},
		{"password.username", "", ""},
		{"password.username", "scan ner", "no spaces"},
		{"password.basic_auth_ok", "yes", ""},
		{"password.basic_auth_ok", "maybe", "yes or no"},
		{"mx.host", "contoso-com.mail.protection.outlook.com", ""},
		{"mx.host", "", ""},
		{"mx.host", "127.0.0.1", ""},
		{"mx.host", "52.101.0.1", "DNS name"},
		{"mx.host", "mx.contoso.com:25", "not a host name"},
		{"mx.port", "25", ""},
		{"mx.port", "2525", ""},
		{"mx.port", "0", "from 1 to 65535"},
		{"mx.accepted_domains", "contoso.com fabrikam.com", ""},
		{"mx.accepted_domains", "", ""},
		{"mx.accepted_domains", "contoso.com @fabrikam.com", "not a mail domain"},
		{"mx.require_tls", "yes", ""},
		{"mx.require_tls", "1", "yes or no"},
		{"mx.ca_bundle", "not pem", "no PEM certificate"},
		{"device_address", "scanner@contoso.example", ""},
		{"device_address", "Scanner <scanner@contoso.example>", "not a plain e-mail address"},
		{"device_address", "scanner", "not a plain e-mail address"},
		{"custom.smtp_port", "465", "587"},
		{"custom.smtp_port", "x", "not a whole number"},
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
		{"limits.recipients_per_day", "-2", "from -1 to 1000000"},
		{"limits.max_message_mb", "150", ""},
		{"jobs.keep", "1000", ""},
		{"jobs.keep", "9", "from 10 to 10000"},
		{"jobs.keep", "10001", "from 10 to 10000"},
		{"jobs.keep", "-1", "from 10 to 10000"},
		{"jobs.keep_days", "90", ""},
		{"jobs.keep_days", "0", "from 1 to 3650"},
		{"jobs.keep_days", "3651", "from 1 to 3650"},
		{"scan.to_me", "me@contoso.example", ""},
		{"scan.to_me", "", ""},
		{"scan.to_me", "Me <me@contoso.example>", "not a plain e-mail address"},
		{"scan.to_me", "me", "not a plain e-mail address"},
		{"scan.to_me_only", "yes", ""},
		{"scan.to_me_only", "true", "yes or no"},
		{"scan.pdfa", "yes", ""},
		{"scan.pdfa", "2b", "yes or no"},
		{"scan.file_name", "{device}-{date}-{time}-{pages}-{n}", ""},
		{"scan.file_name", "", ""},
		{"scan.file_name", "{user}", "{user} is not filled in"},
		{"scan.file_name", strings.Repeat("x", 201), "at most 200"},
		{"scan.file_name", "bad\xff", "not UTF-8"},
		{"panel.domain", "contoso.com", ""},
		{"panel.domain", "", ""},
		{"panel.domain", "@contoso.com", "not a mail domain"},
		{"panel.domain", "contoso", "not a mail domain"},
		{"panel.domain", "con toso.com", "not a mail domain"},
		{"panel.domain", "[10.0.0.1]", "not a mail domain"},
		{"panel.idle_seconds", "10", ""},
		{"panel.idle_seconds", "600", ""},
		{"panel.idle_seconds", "9", "from 10 to 600"},
		{"panel.idle_seconds", "601", "from 10 to 600"},
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

// TestSettingsNumericBounds sets every numeric setting to its bounds, just
// past them, and to numbers that overflow an int on ARMv7 or arm64.
func TestSettingsNumericBounds(t *testing.T) {
	t.Parallel()
	ranges := []struct {
		key      string
		min, max int
	}{
		{"scan.quality", 1, 100},
		{"limits.messages_per_minute", -1, 1000},
		{"limits.recipients_per_day", -1, 1_000_000},
		{"limits.max_message_mb", -1, 1024},
		{"retry.window_hours", 0, 720},
		{"spool.max_mb", -1, 1 << 20},
		{"spool.keep_failed_days", -1, 3650},
		{"custom.smtp_port", 1, 65535},
	}
	for _, r := range ranges {
		values := []string{
			strconv.Itoa(r.min), strconv.Itoa(r.max),
			strconv.Itoa(r.min - 1), strconv.Itoa(r.max + 1),
			"-2",
			"106752",               // days: past time.Duration's range
			"2048",                 // MB: past a 32-bit int in bytes
			"8796093022208",        // 2^43: MB past an int64 in bytes
			"9223372036854775808",  // 2^63: past an int64
			"-9223372036854775809", // past an int64 the other way
			"ten", "1.5", "0x10", "",
		}
		for _, v := range values {
			n, err := strconv.ParseInt(v, 10, 64)
			ok := err == nil && int64(r.min) <= n && n <= int64(r.max)
			t.Run(r.key+"="+v, func(t *testing.T) {
				s := DefaultSettings()
				err := s.Set(r.key, v)
				if ok {
					if err != nil {
						t.Fatalf("refused: %v", err)
					}
					if got := s.Values(); !slices.Contains(got, [2]string{r.key, v}) {
						t.Errorf("does not read back as %q: %v", v, got)
					}
					return
				}
				want := "from " + strconv.Itoa(r.min) + " to " + strconv.Itoa(r.max)
				if err == nil || !strings.Contains(err.Error(), want) {
					t.Fatalf("err %v, want the range %q named", err, want)
				}
			})
		}
		if help := SettingKeys()[r.key]; !strings.Contains(help, strconv.Itoa(r.min)+" to "+strconv.Itoa(r.max)) {
			t.Errorf("%s: help %q does not name the range", r.key, help)
		}
	}
}

// TestSettingsDerivedAtBounds checks what is computed from the numeric
// settings at their largest values, and from values stored before there
// were bounds: nothing wraps to a negative size or a past date.
func TestSettingsDerivedAtBounds(t *testing.T) {
	t.Parallel()
	now := time.Date(2026, 12, 3, 12, 0, 0, 0, time.UTC)
	failed := apitype.Job{State: apitype.JobFailed, Finished: now.Add(-time.Hour)}
	for _, days := range []int{maxKeepFailedDays, 106752, math.MaxInt} {
		if expired(failed, days, now) {
			t.Errorf("keep_failed_days %d: a document failed an hour ago is removed", days)
		}
	}
	old := apitype.Job{State: apitype.JobFailed, Finished: now.AddDate(0, 0, -maxKeepFailedDays)}
	if !expired(old, maxKeepFailedDays, now) {
		t.Errorf("keep_failed_days %d: a document failed that long ago is kept", maxKeepFailedDays)
	}

	for _, mb := range []int{maxSpoolMB, math.MaxInt} {
		if got, want := (SpoolSettings{MaxMB: mb}).spoolMax(), int64(maxSpoolMB)<<20; got != want {
			t.Errorf("spool.max_mb %d: %d bytes, want %d", mb, got, want)
		}
	}
	for _, mb := range []int{maxMessageMB, math.MaxInt} {
		s := Settings{MaxMessageMB: mb}
		if got, want := s.maxMessageSize(Provider{}), int64(maxMessageMB)<<20; got != want {
			t.Errorf("limits.max_message_mb %d: %d bytes, want %d", mb, got, want)
		}
	}
	for _, h := range []int{maxRetryHours, math.MaxInt} {
		s := Settings{RetryHours: h}
		if got, want := s.retryWindow(), time.Duration(maxRetryHours)*time.Hour; got != want {
			t.Errorf("retry.window_hours %d: %v, want %v", h, got, want)
		}
	}
}
