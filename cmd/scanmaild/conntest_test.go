package main

import (
	"path/filepath"
	"strings"
	"testing"

	"github.com/emersion/go-smtp"

	"scanmail/device/mstest"
)

// TestConnTestCommand: `scanmaild test` prints a line a step, passes
// against fake Microsoft, sends a test message with --to, and fails with
// the failing step's words, its fix and a non-zero exit.
func TestConnTestCommand(t *testing.T) {
	const upn = "scanner@contoso.example"
	ms := fakeMicrosoft(t, mstest.Options{})
	dir := t.TempDir()
	sock := filepath.Join(dir, "scanmaild.sock")
	d := start(t, dir, "-db", filepath.Join(dir, "scanmail.db"))
	defer d.stop()
	waitSocket(t, sock)
	configureRig(t, dir, sock, ms)

	out, code := runCLI(t, sock, "test")
	if code != 1 || !strings.Contains(out, "dns       failed  Not signed in\n") || !strings.Contains(out, "\ntcp       skipped\n") ||
		!strings.Contains(out, "scanmaild test: the connection test failed at dns\n") || !strings.Contains(out, "\n  run: scanmaild signin\n") {
		t.Errorf("test before sign-in: exit %d\n%s", code, out)
	}

	signInCLI(t, dir, sock, ms.IdP, upn)
	out, code = runCLI(t, sock, "test")
	t.Logf("test:\n%s", out)
	for _, want := range []string{"dns       ok      localhost → ", "\ntls       ok      TLS 1.", "\nauth      ok      235 ",
		"\nrcpt      ok      " + upn, "\ndata      skipped no test recipient", "\nConnection test passed.\n"} {
		if code != 0 || !strings.Contains(out, want) {
			t.Errorf("test: exit %d, %q not in\n%s", code, want, out)
		}
	}
	if n := len(ms.SMTP.Messages()); n != 0 {
		t.Errorf("%d messages sent without --to", n)
	}

	out, code = runCLI(t, sock, "test", "--to", "alice@fabrikam.example")
	if code != 0 || !strings.Contains(out, "\ndata      ok      sent to alice@fabrikam.example") || len(ms.SMTP.Messages()) != 1 {
		t.Errorf("test --to: exit %d, %d messages\n%s", code, len(ms.SMTP.Messages()), out)
	}

	ms.SMTP.FailNext("auth", &smtp.SMTPError{Code: 535, EnhancedCode: smtp.EnhancedCode{5, 7, 139},
		Message: "Authentication unsuccessful, SmtpClientAuthentication is disabled for the Tenant"})
	out, code = runCLI(t, sock, "test")
	if code != 1 || !strings.Contains(out, "\nauth      failed  SMTP sign-in (SMTP AUTH) is turned off") || !strings.Contains(out, "\nmail-from skipped\n") ||
		!strings.Contains(out, "  what to do: Turn on Authenticated SMTP") || !strings.Contains(out, "\n  run: scanmaild test again once it is fixed\n") {
		t.Errorf("test with SMTP AUTH off: exit %d\n%s", code, out)
	}
}
