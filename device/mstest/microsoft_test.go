package mstest_test

import (
	"strings"
	"testing"

	"scanmail/device"
	"scanmail/device/mstest"
)

// TestSettingsPointAtTheFake sets a device's settings to Settings and wants
// the provider they resolve to be the fake's endpoints, trusting its mail
// server's certificate.
func TestSettingsPointAtTheFake(t *testing.T) {
	t.Parallel()
	ms, err := mstest.Start(mstest.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer ms.Close()
	s := device.DefaultSettings()
	for _, kv := range ms.Settings() {
		if err := s.Set(kv[0], kv[1]); err != nil {
			t.Fatalf("set %s: %v", kv[0], err)
		}
	}
	p, err := s.ResolveProvider()
	if err != nil {
		t.Fatal(err)
	}
	if p.DeviceAuthURL != ms.DeviceAuthURL() || p.TokenURL != ms.TokenURL() {
		t.Errorf("endpoints %s %s, want %s %s", p.DeviceAuthURL, p.TokenURL, ms.DeviceAuthURL(), ms.TokenURL())
	}
	if s.ClientID != mstest.DefaultClientID {
		t.Errorf("client_id %q", s.ClientID)
	}
	if p.SMTPHost != "localhost" || p.SMTPPort != ms.SMTP.Port() || strings.TrimSpace(p.CABundle) != strings.TrimSpace(string(ms.SMTP.CertPEM())) {
		t.Errorf("mail server %s:%d, want localhost:%d and its certificate", p.SMTPHost, p.SMTPPort, ms.SMTP.Port())
	}
}
