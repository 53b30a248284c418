package main

import (
	"fmt"
	"path/filepath"
	"regexp"
	"scanmail/device/mstest"
	"strings"
	"syscall"
	"testing"
	"time"
)

// TestStoppedClient: a `scanmaild scan` stopped with Ctrl-Z (SIGSTOP) while
// its job runs stops reading the daemon's socket. The job is still scanned
// and sent, the scanner takes the next job, and the stopped client, once
// continued, learns how the job ended and that it missed some progress.
func TestStoppedClient(t *testing.T) {
	const upn = "scanner@contoso.example"
	ms := fakeMicrosoft(t, mstest.Options{})
	idp := ms.IdP

	dir := t.TempDir()
	sock := filepath.Join(dir, "scanmaild.sock")
	d := start(t, dir, "-db", filepath.Join(dir, "scanmail.db"))
	waitSocket(t, sock)
	configureRig(t, dir, sock, ms)
	// Small pages scan fast; the limits would make a hundred
	// recipients wait.
	for _, kv := range [][2]string{{"scan.mode", "bw1"}, {"scan.dpi", "75"}, {"limits.messages_per_minute", "-1"}, {"limits.recipients_per_day", "-1"}} {
		if out, code := runCLI(t, sock, "config", "set", kv[0], kv[1]); code != 0 {
			t.Fatalf("config set %s: exit %d\n%s", kv[0], code, out)
		}
	}
	signInCLI(t, dir, sock, idp, upn)

	// A hundred long addresses make each event some 15 KB: the job's 60
	// page events fill the socket's buffer many times over.
	var to []string
	for i := range 100 {
		to = append(to, fmt.Sprintf("recipient-%03d-%s@%sfabrikam.example", i, strings.Repeat("x", 50), strings.Repeat("scanned-documents.", 4)))
	}
	first := start(t, dir, "-socket", sock, "scan", "--to", strings.Join(to, ","), "--pages", "60")
	first.expect("job 1: scanning")
	if err := first.cmd.Process.Signal(syscall.SIGSTOP); err != nil {
		t.Fatal(err)
	}

	sent := regexp.MustCompile(`(?m)^1\s.*\s60\s+\d+\s+sent\s`)
	for deadline := time.Now().Add(60 * time.Second); ; time.Sleep(100 * time.Millisecond) {
		out, _ := runCLI(t, sock, "jobs")
		if sent.MatchString(out) {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("the stopped client's job is not sent after 60s:\n%s", out)
		}
	}
	out, code := runCLI(t, sock, "scan", "--to", "alice@fabrikam.example", "--pages", "1")
	if code != 0 || !strings.Contains(out, "job 2: sent") {
		t.Fatalf("the next scan while a client is stopped: exit %d\n%s", code, out)
	}

	if err := first.cmd.Process.Signal(syscall.SIGCONT); err != nil {
		t.Fatal(err)
	}
	first.expect("left out: this terminal was not reading")
	first.expect("job 1: sent")
	if code := first.wait(); code != 0 {
		t.Errorf("the continued client: exit %d\n%s", code, strings.Join(first.seen, "\n"))
	}
	d.stop()
}
