package device

import (
	"slices"
	"testing"

	"scanmail/device/apitype"
)

// TestExportedSettings: an export holds every setting but the secret ones
// and the per-device ones, and an import refuses those: a file made by
// hand cannot set them either.
func TestExportedSettings(t *testing.T) {
	dev := newBookDevice(t)
	exp, err := dev.ExportConfig()
	if err != nil {
		t.Fatal(err)
	}
	var kept int
	for _, st := range settingsTable() {
		_, in := exp.Settings[st.key]
		if want := !st.secret && !st.perDevice; in != want {
			t.Errorf("%s: exported %v, want %v (secret %v, per device %v)", st.key, in, want, st.secret, st.perDevice)
		}
		if in {
			kept++
			continue
		}
		bad := apitype.ConfigExport{Format: apitype.ConfigFormat, Version: apitype.ConfigVersion, Settings: map[string]string{st.key: ""}}
		if _, err := dev.ImportConfig(bad, true); CodeOf(err) != apitype.CodeInvalidSetting {
			t.Errorf("import of %s: %v, want %s", st.key, err, apitype.CodeInvalidSetting)
		}
	}
	if kept != len(exp.Settings) {
		t.Errorf("export has %d settings, %d are exported", len(exp.Settings), kept)
	}
	if !slices.ContainsFunc(settingsTable(), func(st setting) bool { return st.perDevice }) {
		t.Error("no per-device setting: the device address must not be exported")
	}
}

// TestSecretSettingShown: a secret setting (none yet; a password would
// be) is shown as set or not, never its value.
func TestSecretSettingShown(t *testing.T) {
	st := stringSetting("smtp.password", "a password", func(s *Settings) *string { return &s.Subject })
	st.secret = true
	s := DefaultSettings()
	s.Subject = "hunter2"
	if got := st.shown(&s); got != "(set)" {
		t.Errorf("shown %q, want (set)", got)
	}
	s.Subject = ""
	if got := st.shown(&s); got != "" {
		t.Errorf("shown %q when empty", got)
	}
}
