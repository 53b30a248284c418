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

// TestCancelScanCLI: `jobs -cancel N` stops a scan in progress on a
// scanner engine that stopped sending (scansim -hang) over a serial line:
// the scan command says so, the job is canceled, and the next scan starts.
func TestCancelScanCLI(t *testing.T) {
	const upn = "scanner@contoso.example"
	serial := servePty(t, &scansim.Simulator{HangAtPage: 1}, link.EngineOptions{}, scansim.Faults{})

	ms := fakeMicrosoft(t, mstest.Options{})
	idp, mailSrv := ms.IdP, ms.SMTP

	dir := t.TempDir()
	sock := filepath.Join(dir, "scanmaild.sock")
	d := start(t, dir, "-db", filepath.Join(dir, "scanmail.db"), "-scanner", serial)
	defer d.stop()
	waitSocket(t, sock)
	configureRig(t, dir, sock, ms)
	signInCLI(t, dir, sock, idp, upn)

	scan := start(t, dir, "-socket", sock, "scan", "--to", "alice@fabrikam.example", "--pages", "1")
	scan.expect("job 1: scanning")
	out, code := runCLI(t, sock, "jobs", "-cancel", "1")
	if code != 0 || !strings.Contains(out, "job 1 canceled") {
		t.Fatalf("jobs -cancel 1: exit %d\n%s", code, out)
	}
	if code := scan.wait(); code != 1 || !strings.Contains(scan.output(), "job 1: Scanning was canceled") {
		t.Errorf("scan: exit %d\n%s", code, scan.output())
	}
	out, _ = runCLI(t, sock, "jobs")
	if !regexp.MustCompile(`(?m)^1\s.*\scanceled\s.*Scanning was canceled`).MatchString(out) {
		t.Errorf("jobs:\n%s", out)
	}
	// The scanner is free: the next job reaches the engine, which hangs
	// again, and is canceled again.
	scan = start(t, dir, "-socket", sock, "scan", "--to", "alice@fabrikam.example", "--pages", "1")
	scan.expect("job 2: scanning")
	if out, code := runCLI(t, sock, "jobs", "-cancel", "2"); code != 0 {
		t.Fatalf("jobs -cancel 2: exit %d\n%s", code, out)
	}
	scan.wait()
	if n := len(mailSrv.Messages()); n != 0 {
		t.Errorf("%d messages sent", n)
	}
}
