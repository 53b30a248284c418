package main

import (
	"strings"
	"testing"
)

// TestDuplexCLI: `scan --duplex` scans both sides of every sheet (the
// simulator's 2 sheets are 4 pages) and says so; from the glass it is
// refused in words; `jobs` lists the pages.
func TestDuplexCLI(t *testing.T) {
	const upn = "scanner@contoso.example"
	_, _, sock := signedInDaemon(t, upn)

	out, code := runCLI(t, sock, "scan", "--to", "alice@fabrikam.example", "--duplex", "--flatbed")
	if code != 1 || !strings.Contains(out, "The scan option duplex was refused") || !strings.Contains(out, "not the glass") {
		t.Errorf("--duplex --flatbed: exit %d\n%s", code, out)
	}
	out, code = runCLI(t, sock, "scan", "--to", "alice@fabrikam.example", "--duplex", "--pages", "2", "--dpi", "75")
	if code != 0 || !strings.Contains(out, "sending 4 pages,") {
		t.Errorf("--duplex: exit %d\n%s", code, out)
	}
	if out, _ := runCLI(t, sock, "jobs"); !strings.Contains(out, " 4 ") {
		t.Errorf("jobs:\n%s", out)
	}
}
