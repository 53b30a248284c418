package localclient

import (
	"os/exec"
	"strings"
	"testing"
)

// TestDeps keeps the client light: the subcommands link it, and it must
// not drag in the state file, the hardware or the daemon's own packages.
func TestDeps(t *testing.T) {
	out, err := exec.Command("go", "list", "-deps", ".").Output()
	if err != nil {
		t.Fatal(err)
	}
	banned := []string{"go.etcd.io/bbolt", "periph.io/", "scanmail/mailer", "scanmail/scan", "golang.org/x/oauth2"}
	for _, dep := range strings.Fields(string(out)) {
		if dep == "scanmail/device" {
			t.Errorf("localclient depends on %s", dep)
		}
		for _, b := range banned {
			if strings.HasPrefix(dep, b) {
				t.Errorf("localclient depends on %s", dep)
			}
		}
	}
}
