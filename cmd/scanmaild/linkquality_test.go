package main

import (
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"scanmail/device/mstest"
	"scanmail/scan/link"
	"scanmail/scan/scansim"
)

// TestLinkQualityCLI: a scanner engine on a noisy serial line (frames
// lost on their way to the daemon): `status` shows the scanner link's
// quality, nothing yet before the first job and the noise after it, and
// `jobs` says the job's line was noisy.
func TestLinkQualityCLI(t *testing.T) {
	const upn = "scanner@contoso.example"
	serial := servePty(t, &scansim.Simulator{}, link.EngineOptions{MaxStrip: 2048}, scansim.Faults{DropRate: 0.02, Seed: 15})

	ms := fakeMicrosoft(t, mstest.Options{})
	dir := t.TempDir()
	sock := filepath.Join(dir, "scanmaild.sock")
	d := start(t, dir, "-db", filepath.Join(dir, "scanmail.db"), "-scanner", serial)
	defer d.stop()
	waitSocket(t, sock)
	configureRig(t, dir, sock, ms)
	signInCLI(t, dir, sock, ms.IdP, upn)
	if out, code := runCLI(t, sock, "config", "set", "scan.dpi", "75"); code != 0 {
		t.Fatalf("config set: exit %d\n%s", code, out)
	}

	out, code := runCLI(t, sock, "status")
	if code != 0 || !regexp.MustCompile(`(?m)^scanner link:\s+no frames yet$`).MatchString(out) {
		t.Errorf("status before a job: exit %d\n%s", code, out)
	}
	if out, code := runCLI(t, sock, "scan", "--to", "alice@fabrikam.example", "--pages", "1"); code != 0 {
		t.Fatalf("scan: exit %d\n%s", code, out)
	}
	out, code = runCLI(t, sock, "status")
	noisy := regexp.MustCompile(`(?m)^scanner link:\s+(\d+ frames resent \(\d+\.\d %\)|\d+\.\d % of frames damaged, \d+ resent), strips 2 KiB \(noisy: check the cable\)$`)
	if code != 0 || !noisy.MatchString(out) {
		t.Errorf("status after a job on a noisy line: exit %d\n%s", code, out)
	}
	t.Logf("status:\n%s", out)
	out, _ = runCLI(t, sock, "jobs")
	t.Logf("jobs:\n%s", out)
	if !regexp.MustCompile(`(?m)^1\s.*\ssent\s.*\sscanner link: .*\(noisy: check the cable\)$`).MatchString(out) {
		t.Errorf("jobs:\n%s", out)
	}
	out, _ = runCLI(t, sock, "jobs", "--json")
	if !strings.Contains(out, `"link": {`) || !strings.Contains(out, `"verdict": "noisy"`) {
		t.Errorf("jobs --json:\n%s", out)
	}
}
