package webui_test

import (
	"os/exec"
	"strings"
	"testing"
)

// TestDeps: the web pages are a client of the local API; of the
// project's packages they import only its types and client.
func TestDeps(t *testing.T) {
	out, err := exec.Command("go", "list", "-deps", ".").Output()
	if err != nil {
		t.Fatal(err)
	}
	allowed := map[string]bool{"scanmail/webui": true, "scanmail/device/apitype": true, "scanmail/device/localclient": true}
	for _, dep := range strings.Fields(string(out)) {
		if (strings.HasPrefix(dep, "scanmail/") && !allowed[dep]) || strings.HasPrefix(dep, "go.etcd.io/bbolt") {
			t.Errorf("the web pages depend on %s", dep)
		}
	}
}
