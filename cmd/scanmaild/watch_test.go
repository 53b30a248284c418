package main

import (
	"path/filepath"
	"scanmail/device/mstest"
	"strings"
	"testing"
)

// TestWatchCommand: `scanmaild watch` prints the device's state, then a
// line for each change (a sign-in, a setting, each step of a job), and
// says so when the daemon stops; `watch --json` prints the stream's lines.
func TestWatchCommand(t *testing.T) {
	const upn = "scanner@contoso.example"
	ms := fakeMicrosoft(t, mstest.Options{})
	idp := ms.IdP
	dir := t.TempDir()
	sock := filepath.Join(dir, "scanmaild.sock")
	d := start(t, dir, "-db", filepath.Join(dir, "scanmail.db"))
	waitSocket(t, sock)
	configureRig(t, dir, sock, ms)

	watch := start(t, dir, "-socket", sock, "watch")
	watch.expect("now: not ready: Not signed in")
	raw := start(t, dir, "-socket", sock, "watch", "--json")
	raw.expect(`"kind":"snapshot"`)

	signInCLI(t, dir, sock, idp, upn)
	watch.expect("sign-in: waiting: open ")
	watch.expect("sign-in: signed in as " + upn)
	watch.expect("status: ready; signed in as " + upn + ", next keep-alive ")
	if out, _ := runCLI(t, sock, "status"); !strings.Contains(out, "next keep-alive:     ") || !strings.Contains(out, "scanner:             unknown\n") {
		t.Errorf("status after sign-in:\n%s", out)
	}
	if out, code := runCLI(t, sock, "config", "set", "subject", "Scanned"); code != 0 {
		t.Fatalf("config set: exit %d\n%s", code, out)
	}
	watch.expect("setting: subject = Scanned")
	if out, code := runCLI(t, sock, "scan", "--to", "alice@fabrikam.example", "--pages", "2"); code != 0 {
		t.Fatalf("scan: exit %d\n%s", code, out)
	}
	for _, step := range []string{"job 1: scanning", "job 1: scanned page 1", "job 1: scanned page 2", "job 1: queued",
		"job 1: sending (attempt 1) 2 page(s)", "job 1: sent"} {
		watch.expect(step)
	}
	if line := raw.expect(`"state":"sent"`); !strings.Contains(line, `"kind":"job"`) {
		t.Errorf("--json line %s", line)
	}

	d.stop()
	if code := watch.wait(); code != 1 || !strings.Contains(watch.output(), "the daemon ended the stream") {
		t.Errorf("watch after the daemon stopped: exit %d\n%s", code, watch.output())
	}
}
