package board

import (
	"bufio"
	"os"
	"strings"
	"testing"

	"scanmail/device/apitype"
)

// readUnit parses a systemd unit file into section -> key -> values.
func readUnit(t *testing.T, path string) map[string]map[string][]string {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	unit := map[string]map[string][]string{}
	section := ""
	sc := bufio.NewScanner(f)
	for n := 1; sc.Scan(); n++ {
		line := strings.TrimSpace(sc.Text())
		switch {
		case line == "" || strings.HasPrefix(line, "#") || strings.HasPrefix(line, ";"):
		case strings.HasPrefix(line, "[") && strings.HasSuffix(line, "]"):
			section = strings.Trim(line, "[]")
			unit[section] = map[string][]string{}
		default:
			k, v, ok := strings.Cut(line, "=")
			if !ok || section == "" {
				t.Fatalf("%s:%d: not a key=value in a section: %q", path, n, line)
			}
			unit[section][k] = append(unit[section][k], v)
		}
	}
	if err := sc.Err(); err != nil {
		t.Fatal(err)
	}
	return unit
}

// TestServiceUnit: the unit parses, restarts the daemon always, and its
// state directory is the daemon's default (apitype.BoardDir), writable
// under ProtectSystem=strict.
func TestServiceUnit(t *testing.T) {
	unit := readUnit(t, "scanmaild.service")
	for _, want := range []struct{ section, key, value string }{
		{"Unit", "StartLimitIntervalSec", "0"},
		{"Service", "Type", "simple"},
		{"Service", "ExecStart", "/usr/local/bin/scanmaild"},
		{"Service", "Restart", "always"},
		{"Service", "RestartSec", "1"},
		{"Service", "StateDirectory", strings.TrimPrefix(apitype.BoardDir, "/var/lib/")},
		{"Service", "StateDirectoryMode", "0700"},
		{"Service", "ProtectSystem", "strict"},
		{"Service", "ReadWritePaths", apitype.BoardDir},
		{"Service", "NoNewPrivileges", "yes"},
		{"Service", "PrivateTmp", "yes"},
		{"Install", "WantedBy", "multi-user.target"},
	} {
		if got := unit[want.section][want.key]; len(got) != 1 || got[0] != want.value {
			t.Errorf("[%s] %s=%q, want %q", want.section, want.key, got, want.value)
		}
	}
	// The daemon feeds /dev/watchdog itself and does not speak sd_notify.
	if got, ok := unit["Service"]["WatchdogSec"]; ok {
		t.Errorf("WatchdogSec=%q: systemd would kill a daemon that never notifies", got)
	}
	if !strings.HasPrefix(apitype.BoardDir, "/var/lib/") {
		t.Errorf("BoardDir %q is not under /var/lib, where StateDirectory= puts it", apitype.BoardDir)
	}
}
