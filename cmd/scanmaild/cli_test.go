package main

import (
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/emersion/go-smtp"

	"scanmail/device/idptest"
	"scanmail/device/mstest"
	"scanmail/scan/filecheck"
)

// TestCommandLine drives a running daemon with its subcommands, the way a
// provisioning script would: config set, signin, scan, jobs.
func TestCommandLine(t *testing.T) {
	const upn = "scanner@contoso.example"
	ms := fakeMicrosoft(t, mstest.Options{})
	idp, mailSrv := ms.IdP, ms.SMTP

	dir := t.TempDir()
	sock := filepath.Join(dir, "scanmaild.sock")
	if out, code := runCLI(t, sock, "status"); code == 0 || !strings.Contains(out, "not running") {
		t.Fatalf("status with no daemon: exit %d\n%s", code, out)
	}

	d := start(t, dir, "-db", filepath.Join(dir, "scanmail.db"))
	waitSocket(t, sock)
	if m := fileMode(t, filepath.Join(dir, "scanmail.db")); m != 0o600 {
		t.Errorf("state file mode %o", m)
	}
	if m := fileMode(t, sock); m&0o077 != 0 {
		t.Errorf("socket mode %o, want no access for others", m)
	}

	configureRig(t, dir, sock, ms)
	out, code := runCLI(t, sock, "config", "set", "custom.smtp_port", "465")
	if code != 1 || !strings.Contains(out, "587") || !strings.Contains(out, "\n  run: scanmaild config show\n") {
		t.Errorf("port 465: exit %d\n%s", code, out)
	}
	out, _ = runCLI(t, sock, "config", "show")
	if !strings.Contains(out, "(1 certificate(s))") || strings.Contains(out, "BEGIN CERTIFICATE") {
		t.Errorf("config show:\n%s", out)
	}

	out, code = runCLI(t, sock, "scan", "--to", "alice@fabrikam.example")
	if code != 1 || !strings.Contains(out, "Not signed in") || !strings.Contains(out, "what to do:") ||
		!strings.Contains(out, "\n  run: scanmaild signin\n") {
		t.Errorf("scan before sign-in: exit %d\n%s", code, out)
	}

	// signin prints the code, then waits for the person to sign in.
	signin := start(t, dir, "-socket", sock, "signin")
	line := signin.expect("enter the code")
	code6 := regexp.MustCompile(`enter the code (\S+)`).FindStringSubmatch(line)
	if code6 == nil {
		t.Fatalf("no code in %q", line)
	}
	signin.expect("expires at")
	if err := idp.Approve(code6[1], upn); err != nil {
		t.Fatal(err)
	}
	signin.expect("Signed in as " + upn)
	if code := signin.wait(); code != 0 {
		t.Fatalf("signin exit %d", code)
	}

	out, code = runCLI(t, sock, "status")
	if code != 0 || !strings.Contains(out, "signed in as:        "+upn) || !strings.Contains(out, "ready:               yes") ||
		!strings.Contains(out, "spool:               0 document(s), 0.0 MB of 512.0 MB") {
		t.Errorf("status after sign-in: exit %d\n%s", code, out)
	}

	out, code = runCLI(t, sock, "scan", "--to", "alice@fabrikam.example,bob@fabrikam.example", "--pages", "2")
	if code != 0 || !strings.Contains(out, "scanned page 2") || !strings.Contains(out, "sent (Message-ID") {
		t.Fatalf("scan: exit %d\n%s", code, out)
	}
	msgs := mailSrv.Messages()
	if len(msgs) != 1 || msgs[0].From != upn || len(msgs[0].To) != 2 {
		t.Fatalf("server received %+v", msgs)
	}
	eml := filepath.Join(dir, "received.eml")
	os.WriteFile(eml, msgs[0].Data, 0o600)
	filecheck.PDF(t, attachment(t, eml), 2)

	out, code = runCLI(t, sock, "jobs", "-log", "1")
	if code != 0 || !strings.Contains(out, "AUTH XOAUTH2 [redacted]") || !strings.Contains(out, "250") {
		t.Errorf("jobs -log 1: exit %d\n%s", code, out)
	}

	out, code = runCLI(t, sock, "scan", "--to", "not an address")
	if code != 1 || !strings.Contains(out, "not an e-mail address") {
		t.Errorf("bad address: exit %d\n%s", code, out)
	}

	out, code = runCLI(t, sock, "jobs")
	if code != 0 || !regexp.MustCompile(`(?m)^1\s.*\s2\s+\d+\s+sent\s+1\s+alice@fabrikam.example,bob@fabrikam.example`).MatchString(out) {
		t.Errorf("jobs: exit %d\n%s", code, out)
	}

	// A job refused for good is kept for a resend once its cause is
	// fixed; an ended job cannot be canceled.
	mailSrv.FailNext("rcpt", &smtp.SMTPError{Code: 550, EnhancedCode: smtp.EnhancedCode{5, 1, 1}, Message: "User unknown"})
	out, code = runCLI(t, sock, "scan", "--to", "carol@fabrikam.example", "--pages", "1")
	if code != 1 || !strings.Contains(out, "Recipient address rejected") {
		t.Errorf("refused recipient: exit %d\n%s", code, out)
	}
	out, code = runCLI(t, sock, "jobs", "-resend", "2")
	if code != 0 || !strings.Contains(out, "job 2 queued again") {
		t.Errorf("jobs -resend 2: exit %d\n%s", code, out)
	}
	for deadline := time.Now().Add(20 * time.Second); ; time.Sleep(50 * time.Millisecond) {
		out, _ = runCLI(t, sock, "jobs")
		if regexp.MustCompile(`(?m)^2\s.*\ssent\s+2\s+carol@`).MatchString(out) {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("resent job not sent:\n%s", out)
		}
	}
	// A document larger than a message goes in numbered parts.
	if out, code := runCLI(t, sock, "config", "set", "limits.max_message_mb", "1"); code != 0 {
		t.Fatalf("config set: exit %d\n%s", code, out)
	}
	out, code = runCLI(t, sock, "scan", "--to", "alice@fabrikam.example", "--pages", "3")
	if code != 0 || !strings.Contains(out, "job 3: sent in 3 parts") || !strings.Contains(out, "part 2: pages 2 to 2 (Message-ID <") {
		t.Errorf("scan in parts: exit %d\n%s", code, out)
	}
	out, _ = runCLI(t, sock, "jobs")
	if !regexp.MustCompile(`(?m)^3\s.*\ssent \(3 parts\)\s+1\s+alice@`).MatchString(out) {
		t.Errorf("jobs after a job in parts:\n%s", out)
	}

	out, code = runCLI(t, sock, "jobs", "-cancel", "1")
	if code != 1 || !strings.Contains(out, "Job 1 has ended already (sent)") || !strings.Contains(out, "\n  run: scanmaild jobs\n") {
		t.Errorf("jobs -cancel 1: exit %d\n%s", code, out)
	}

	d.stop()
	if _, err := os.Stat(sock); !os.IsNotExist(err) {
		t.Errorf("socket left behind: %v", err)
	}
	// A restart finds the sign-in and the job in the state file; so does
	// one after a power cut (SIGKILL), which also leaves a stale socket.
	d = start(t, dir, "-db", filepath.Join(dir, "scanmail.db"))
	waitSocket(t, sock)
	d.cmd.Process.Kill()
	d.wait()
	d = start(t, dir, "-db", filepath.Join(dir, "scanmail.db"))
	waitSocket(t, sock)
	out, _ = runCLI(t, sock, "jobs")
	if !strings.Contains(out, "sent") {
		t.Errorf("jobs after restart:\n%s", out)
	}
	out, _ = runCLI(t, sock, "status")
	if !strings.Contains(out, "ready:               yes") {
		t.Errorf("status after restart:\n%s", out)
	}

	// A sign-in as another account changes nothing, unless asked to
	// replace the device's account.
	const other = "intruder@contoso.example"
	signin, userCode := startSignIn(t, dir, sock)
	if err := idp.Approve(userCode, other); err != nil {
		t.Fatal(err)
	}
	if code := signin.wait(); code != 1 || !strings.Contains(signin.output(), "signin -replace") {
		t.Errorf("signin as another account: exit %d\n%s", code, signin.output())
	}
	if out, _ := runCLI(t, sock, "status"); !strings.Contains(out, "signed in as:        "+upn) {
		t.Errorf("status after a refused sign-in:\n%s", out)
	}
	signin = start(t, dir, "-socket", sock, "signin", "-replace")
	line = signin.expect("enter the code")
	if err := idp.Approve(regexp.MustCompile(`enter the code (\S+)`).FindStringSubmatch(line)[1], other); err != nil {
		t.Fatal(err)
	}
	signin.expect("Signed in as " + other)
	if code := signin.wait(); code != 0 {
		t.Errorf("signin -replace: exit %d", code)
	}
	d.stop()
}

// configureRig points the daemon at a local identity provider and SMTP
// server with `config set`, as a provisioning script would.
func configureRig(t *testing.T, dir, sock string, ms *mstest.Microsoft) {
	t.Helper()
	ca := filepath.Join(dir, "ca.pem")
	if err := os.WriteFile(ca, ms.SMTP.CertPEM(), 0o600); err != nil {
		t.Fatal(err)
	}
	for _, kv := range append(ms.Settings(), [2]string{"subject", "Scan of {pages} page(s)"}) {
		if kv[0] == "custom.ca_bundle" {
			kv[1] = "@" + ca // as a provisioning script would give it
		}
		if out, code := runCLI(t, sock, "config", "set", kv[0], kv[1]); code != 0 {
			t.Fatalf("config set %s: exit %d\n%s", kv[0], code, out)
		}
	}
}

// startSignIn runs `scanmaild signin` and returns it once it shows the
// code to enter.
func startSignIn(t *testing.T, dir, sock string) (signin *process, code string) {
	t.Helper()
	signin = start(t, dir, "-socket", sock, "signin")
	line := signin.expect("enter the code")
	m := regexp.MustCompile(`enter the code (\S+)`).FindStringSubmatch(line)
	if m == nil {
		t.Fatalf("no code in %q", line)
	}
	return signin, m[1]
}

// signInCLI runs `scanmaild signin`, approves the code it shows as upn,
// and returns what it printed.
func signInCLI(t *testing.T, dir, sock string, idp *idptest.Server, upn string) string {
	t.Helper()
	signin, code := startSignIn(t, dir, sock)
	if err := idp.Approve(code, upn); err != nil {
		t.Fatal(err)
	}
	signin.expect("Signed in as " + upn)
	if code := signin.wait(); code != 0 {
		t.Fatalf("signin exit %d", code)
	}
	return signin.output()
}

func fileMode(t *testing.T, path string) os.FileMode {
	t.Helper()
	fi, err := os.Stat(path)
	if err != nil {
		t.Fatal(err)
	}
	return fi.Mode().Perm()
}

// signedInDaemon starts a daemon in a new directory, points it at a fake
// Microsoft and signs it in as upn through the CLI. It returns the fake,
// the directory and the socket; the daemon stops with the test.
func signedInDaemon(t *testing.T, upn string) (*mstest.Microsoft, string, string) {
	t.Helper()
	ms := fakeMicrosoft(t, mstest.Options{})
	dir := t.TempDir()
	sock := filepath.Join(dir, "scanmaild.sock")
	d := start(t, dir, "-db", filepath.Join(dir, "scanmail.db"))
	t.Cleanup(d.stop)
	waitSocket(t, sock)
	configureRig(t, dir, sock, ms)
	signInCLI(t, dir, sock, ms.IdP, upn)
	return ms, dir, sock
}
