package device

import (
	"testing"

	"scanmail/device/apitype"
)

// TestPanelSettings: the panel's settings are kept across a restart,
// exported, and imported by another device; a new device has their
// defaults.
func TestPanelSettings(t *testing.T) {
	r := newPINRig(t)
	want := map[string]string{
		"scan.to_me": "", "scan.to_me_only": "no", "panel.domain": "", "panel.idle_seconds": "60",
	}
	check := func(dev *Device, want map[string]string) {
		t.Helper()
		cfg, err := dev.Config()
		if err != nil {
			t.Fatal(err)
		}
		got := map[string]string{}
		for _, s := range cfg.Settings {
			if _, ok := want[s.Key]; ok {
				got[s.Key] = s.Value
			}
		}
		for k, v := range want {
			if got[k] != v {
				t.Errorf("%s = %q, want %q", k, got[k], v)
			}
		}
	}
	check(r.dev, want)
	set := []apitype.SettingValue{
		{Key: "scan.to_me", Value: "reception@contoso.example"},
		{Key: "scan.to_me_only", Value: "yes"},
		{Key: "panel.domain", Value: "contoso.example"},
		{Key: "panel.idle_seconds", Value: "120"},
	}
	if _, err := r.dev.SetConfigs(set); err != nil {
		t.Fatal(err)
	}
	for _, kv := range set {
		want[kv.Key] = kv.Value
	}
	r.reopen()
	check(r.dev, want)
	exp, err := r.dev.ExportConfig()
	if err != nil {
		t.Fatal(err)
	}
	other := newBookDevice(t)
	if _, err := other.ImportConfig(exp, false); err != nil {
		t.Fatal(err)
	}
	check(other, want)
}
