package main

import (
	"path/filepath"
	"strings"
	"testing"

	"scanmail/device/mstest"
	"scanmail/mailer/smtptest"
)

// TestConfigSetFromStdin: config set KEY - reads the value from a line of
// standard input, so that a password is never an argument: the password
// road then signs in with exactly that line, spaces and all. Standard
// input that ends first changes nothing and says what was missing.
func TestConfigSetFromStdin(t *testing.T) {
	const upn = "scanner@contoso.example"
	const password = "pass word 7Hq, with spaces inside"
	ms := fakeMicrosoft(t, mstest.Options{
		SMTP: smtptest.Options{Passwords: map[string]string{upn: password}},
	})
	dir := t.TempDir()
	sock := filepath.Join(dir, "scanmaild.sock")
	start(t, dir, "-db", filepath.Join(dir, "scanmail.db"))
	waitSocket(t, sock)
	configureRig(t, dir, sock, ms)
	mustCLI(t, sock, "config", "set", "road", "password", "device_address", upn)

	tests := []struct {
		name  string
		stdin string
		args  []string
		code  int
		want  string
	}{
		{name: "no line", stdin: "", args: []string{"password.secret", "-"}, code: 1,
			want: "standard input ended before the value of password.secret"},
		{name: "a line for each -", stdin: upn + "\n", args: []string{"password.username", "-", "password.secret", "-"}, code: 1,
			want: "standard input ended before the value of password.secret"},
		{name: "one line", stdin: password + "\n", args: []string{"password.secret", "-"},
			want: "password.secret = (set)\n"},
		{name: "a line for each -, the last without a newline", stdin: upn + "\r\n" + password, args: []string{"password.username", "-", "password.secret", "-"},
			want: "password.username = " + upn + "\npassword.secret = (set)\n"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			out, code := runCLIInput(t, sock, tt.stdin, append([]string{"config", "set"}, tt.args...)...)
			if code != tt.code || !strings.Contains(out, tt.want) {
				t.Errorf("exit %d, want %d\n%s", code, tt.code, out)
			}
			if strings.Contains(out, password) {
				t.Errorf("the password was printed:\n%s", out)
			}
		})
	}

	out, code := runCLI(t, sock, "scan", "--to", "alice@fabrikam.example", "--pages", "1")
	if code != 0 || !strings.Contains(out, ": sent ") {
		t.Fatalf("scan by the password road: exit %d\n%s", code, out)
	}
	if msgs := ms.SMTP.Messages(); len(msgs) != 1 || msgs[0].User != upn || msgs[0].Mechanism != "PLAIN" {
		t.Errorf("the server received %+v", msgs)
	}
}
