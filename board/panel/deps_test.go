package panel_test

import (
	"os/exec"
	"strings"
	"testing"
)

// TestDeps: the panel is a client of the local API; it reaches the
// device only through it, never through the daemon's own packages or the
// state file.
func TestDeps(t *testing.T) {
	out, err := exec.Command("go", "list", "-deps", ".").Output()
	if err != nil {
		t.Fatal(err)
	}
	banned := []string{"go.etcd.io/bbolt", "scanmail/mailer", "scanmail/scan", "scanmail/device/localapi", "scanmail/device/mstest", "scanmail/device/idptest"}
	for _, dep := range strings.Fields(string(out)) {
		if dep == "scanmail/device" {
			t.Errorf("the panel depends on %s", dep)
		}
		for _, b := range banned {
			if strings.HasPrefix(dep, b) {
				t.Errorf("the panel depends on %s", dep)
			}
		}
	}
}
