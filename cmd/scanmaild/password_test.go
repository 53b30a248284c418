package main

import (
	"context"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"scanmail/device/apitype"
	"scanmail/device/localclient"
)

// TestPasswordCommandLine: the web pages' admin password from the command
// line, read from standard input a line each: the first set needs no old
// password, a change does, a wrong one is refused with what to do, a
// change and a reset at the board end the web sessions. Nothing printed
// or logged holds a password.
func TestPasswordCommandLine(t *testing.T) {
	dir := t.TempDir()
	sock := filepath.Join(dir, "scanmaild.sock")
	d := start(t, dir, "-v", "-db", filepath.Join(dir, "scanmail.db"))
	waitSocket(t, sock)
	c := &localclient.Client{Socket: sock}
	const first, second = "provisioned by a script", "changed by the admin"
	var session string
	login := func() {
		s, err := c.Login(context.Background(), second)
		if err != nil {
			t.Fatal(err)
		}
		session = s.ID
	}
	sessionEnded := func() {
		if _, err := c.CheckSession(context.Background(), session); localclient.ErrorCode(err) != apitype.CodeNoSession {
			t.Fatalf("the session after: %v, want it ended", err)
		}
	}
	steps := []struct {
		args  []string
		stdin string
		code  int
		want  string // a regexp the output must match
		after func()
	}{
		{[]string{"password"}, "", 0, `admin password: +not set`, nil},
		{[]string{"password", "set"}, "too short\n", 1, `A password is at least 10 characters`, nil},
		{[]string{"password", "set"}, first + "\n", 0, `^admin password set; every web session ended\n$`, nil},
		{[]string{"password", "status"}, "", 0, `admin password: +set`, nil},
		{[]string{"password", "set"}, "not the password\n" + second + "\n", 1, `Wrong password(?s:.*)run: scanmaild password reset`, nil},
		{[]string{"password", "set"}, first + "\n", 1, `standard input ended before the password`, nil},
		{[]string{"password", "set"}, first + "\r\n" + second + "\r\n", 0, `^admin password set`, login},
		{[]string{"password", "status", "--json"}, "", 0, `"set": true\n}`, nil},
		{[]string{"password", "set"}, second + "\n" + first + "\n", 0, `^admin password set`, sessionEnded},
		{[]string{"password", "set"}, first + "\n" + second + "\n", 0, `^admin password set`, login},
		{[]string{"password", "reset"}, "", 0, `admin password removed`, sessionEnded},
		{[]string{"password", "status"}, "", 0, `not set`, nil},
		{[]string{"password", "frobnicate"}, "", 1, `usage: scanmaild password status`, nil},
	}
	var printed strings.Builder
	for _, s := range steps {
		out, code := runCLIInput(t, sock, s.stdin, s.args...)
		printed.WriteString(out)
		if code != s.code || !regexp.MustCompile(s.want).MatchString(out) {
			t.Fatalf("%q with %q: exit %d, want %d, output matching %q:\n%s", s.args, s.stdin, code, s.code, s.want, out)
		}
		if s.after != nil {
			s.after()
		}
	}
	d.stop()
	printed.WriteString(d.output())
	for _, secret := range []string{first, second, session} {
		if strings.Contains(printed.String(), secret) {
			t.Errorf("%q was printed or logged", secret)
		}
	}
}
