package main

import (
	"path/filepath"
	"regexp"
	"testing"

	"github.com/emersion/go-smtp"

	"scanmail/device/mstest"
)

// TestAlertsCommandLine: three jobs in a row refused by the mail server
// raise an alert that status and alerts show with what to do, and that
// alerts ack acknowledges; a second acknowledgement says there is none.
func TestAlertsCommandLine(t *testing.T) {
	const upn = "scanner@contoso.example"
	ms := fakeMicrosoft(t, mstest.Options{})
	dir := t.TempDir()
	sock := filepath.Join(dir, "scanmaild.sock")
	start(t, dir, "-db", filepath.Join(dir, "scanmail.db"))
	waitSocket(t, sock)
	configureRig(t, dir, sock, ms)
	ms.IdP.AutoApprove(upn)
	mustCLI(t, sock, "signin")
	for range 3 {
		ms.SMTP.FailNext("mail", &smtp.SMTPError{Code: 550, EnhancedCode: smtp.EnhancedCode{5, 7, 1}, Message: "Not allowed"})
		if out, code := runCLI(t, sock, "scan", "--to", "alice@fabrikam.example"); code != 1 {
			t.Fatalf("scan: exit %d, want a failure\n%s", code, out)
		}
	}
	steps := []struct {
		args []string
		code int
		want string // a regexp the output must match
	}{
		{[]string{"alerts"}, 0, `(?s)^jobs-failing: 3 sending attempts in a row failed.*\n  when: .*\n  what to do: .*\n  mail: not sent: No address to mail alerts to is set.\n  run: scanmaild alerts ack jobs-failing\n$`},
		{[]string{"status"}, 0, `(?m)^alert: +3 sending attempts in a row failed.*\(scanmaild alerts\)$`},
		{[]string{"alerts", "--json"}, 0, `"kind": "jobs-failing"`},
		{[]string{"alerts", "ack"}, 2, `usage: scanmaild alerts`},
		{[]string{"alerts", "ack", "jobs-failing"}, 0, `^alert jobs-failing acknowledged; 0 alert\(s\) left\n$`},
		{[]string{"alerts", "ack", "jobs-failing"}, 1, `No such alert is waiting(?s:.*)run: scanmaild alerts\n`},
		{[]string{"alerts"}, 0, `^no alerts\n$`},
	}
	for _, s := range steps {
		out, code := runCLI(t, sock, s.args...)
		if code != s.code || !regexp.MustCompile(s.want).MatchString(out) {
			t.Fatalf("%q: exit %d, want %d, output matching %q:\n%s", s.args, code, s.code, s.want, out)
		}
	}
}
