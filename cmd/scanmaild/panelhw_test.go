package main

import (
	"path/filepath"
	"strings"
	"testing"
)

// TestMissingPanelRunsOn: a board whose panel is named but not there (no
// such I²C bus, no such pins) logs each missing part once and goes on
// serving; one without any panel says so once.
func TestMissingPanelRunsOn(t *testing.T) {
	for _, tc := range []struct {
		name  string
		args  []string
		words []string
	}{
		{"none", nil, []string{"no front panel: jobs come from the command line"}},
		{"absent", []string{"-display", "ssd1306-i2c:I2C9?addr=0x3c", "-keys", "buttons:?ok=NOPIN7", "-led", "NOPIN8"}, []string{
			"front panel: display not available; running without it",
			"front panel: keys not available; running without it",
			"front panel: status LED not available; running without it",
			"no front panel: jobs come from the command line",
		}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			dir := t.TempDir()
			db := filepath.Join(dir, "scanmail.db")
			sock := filepath.Join(dir, "scanmaild.sock")
			d := start(t, dir, append([]string{"-db", db, "-watchdog", "off"}, tc.args...)...)
			waitSocket(t, sock)
			if out, code := runCLI(t, sock, "status"); code != 0 {
				t.Errorf("status: exit %d\n%s", code, out)
			}
			d.stop()
			out := d.output()
			for _, w := range tc.words {
				if n := strings.Count(out, w); n != 1 {
					t.Errorf("log has %q %d times, want once:\n%s", w, n, out)
				}
			}
		})
	}
}
