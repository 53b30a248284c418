package main

import (
	"bytes"
	"errors"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
)

// TestPINCommandLine: the admin PIN from the command line, the PINs read
// from standard input a line each: the first set needs no old PIN, a
// change does, a wrong one is refused with what to do, and a reset at the
// board clears it. Nothing the daemon logs holds a PIN.
func TestPINCommandLine(t *testing.T) {
	dir := t.TempDir()
	sock := filepath.Join(dir, "scanmaild.sock")
	d := start(t, dir, "-v", "-db", filepath.Join(dir, "scanmail.db"))
	waitSocket(t, sock)
	const first, second = "80215347", "66190473"
	steps := []struct {
		args  []string
		stdin string
		code  int
		want  string // a regexp the output must match
	}{
		{[]string{"pin"}, "", 0, `admin PIN: +not set`},
		{[]string{"pin", "set"}, "12ab\n", 1, `A PIN is 4 to 12 digits`},
		{[]string{"pin", "set"}, first + "\n", 0, `^admin PIN set\n$`},
		{[]string{"pin", "status"}, "", 0, `admin PIN: +set`},
		{[]string{"pin", "set"}, "1111\n" + second + "\n", 1, `Wrong PIN(?s:.*)run: scanmaild pin reset`},
		{[]string{"pin", "set"}, first + "\n", 1, `standard input ended`},
		{[]string{"pin", "set"}, first + "\r\n" + second + "\r\n", 0, `^admin PIN set\n$`},
		{[]string{"pin", "status", "--json"}, "", 0, `"set": true`},
		{[]string{"pin", "reset"}, "", 0, `admin PIN removed`},
		{[]string{"pin", "status"}, "", 0, `not set`},
		{[]string{"pin", "frobnicate"}, "", 1, `usage: scanmaild pin status`},
	}
	var printed strings.Builder
	for _, s := range steps {
		out, code := runCLIInput(t, sock, s.stdin, s.args...)
		printed.WriteString(out)
		if code != s.code || !regexp.MustCompile(s.want).MatchString(out) {
			t.Fatalf("%q with %q: exit %d, want %d, output matching %q:\n%s", s.args, s.stdin, code, s.code, s.want, out)
		}
	}
	d.stop()
	printed.WriteString(d.output())
	for _, pin := range []string{first, second} {
		if strings.Contains(printed.String(), pin) {
			t.Errorf("the PIN %s was printed", pin)
		}
	}
}

// runCLIInput is runCLI with stdin as the command's standard input.
func runCLIInput(t testing.TB, sock, stdin string, args ...string) (out string, code int) {
	t.Helper()
	cmd := exec.Command(bin, append([]string{"-socket", sock}, args...)...)
	var buf bytes.Buffer
	cmd.Stdin = strings.NewReader(stdin)
	cmd.Stdout, cmd.Stderr = &buf, &buf
	err := cmd.Run()
	var ee *exec.ExitError
	if err != nil && !errors.As(err, &ee) {
		t.Fatal(err)
	}
	return buf.String(), cmd.ProcessState.ExitCode()
}
