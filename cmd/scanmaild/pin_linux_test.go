package main

import (
	"bytes"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/creack/pty"
	"golang.org/x/sys/unix"
)

// TestPINFromTerminal: on a terminal, pin set asks for the new PIN twice
// and reads it with echo off: the PIN never shows on the terminal.
func TestPINFromTerminal(t *testing.T) {
	secretFromTerminal(t, []string{"pin", "set"}, "New PIN (4 to 12 digits): ", "New PIN again: ", "73914026", "admin PIN set\n", "admin PIN:  set")
}

// TestPasswordFromTerminal: the same for password set, whose password
// has spaces and letters outside ASCII.
func TestPasswordFromTerminal(t *testing.T) {
	secretFromTerminal(t, []string{"password", "set"}, "New password (at least 10 characters): ", "New password again: ", "Grüße aus Köln 2026", "admin password set; every web session ended\n", "admin password:  set")
}

// TestConfigSecretFromTerminal: the same for config set password.secret -,
// the password road's password.
func TestConfigSecretFromTerminal(t *testing.T) {
	secretFromTerminal(t, []string{"config", "set", "password.secret", "-"}, "password.secret: ", "password.secret again: ", "Grüße aus Köln 2026", "password.secret = (set)\n", "(set)")
}

// secretFromTerminal runs "scanmaild args..." on a terminal, types secret
// at prompt and again, and checks that it printed set, that the terminal
// never showed the secret, and that "scanmaild args[0]" then says status.
func secretFromTerminal(t *testing.T, args []string, prompt, again, secret, set, status string) {
	command := args[0]
	dir := t.TempDir()
	sock := filepath.Join(dir, "scanmaild.sock")
	start(t, dir, "-db", filepath.Join(dir, "scanmail.db"))
	waitSocket(t, sock)

	ptmx, tty, err := pty.Open()
	if err != nil {
		t.Fatal(err)
	}
	defer ptmx.Close()
	defer tty.Close()
	var stdout bytes.Buffer
	cmd := exec.Command(bin, append([]string{"-socket", sock}, args...)...)
	cmd.Stdin, cmd.Stdout, cmd.Stderr = tty, &stdout, tty
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	var mu sync.Mutex
	var screen []byte // what the terminal shows
	go func() {
		buf := make([]byte, 1024)
		for {
			n, err := ptmx.Read(buf)
			mu.Lock()
			screen = append(screen, buf[:n]...)
			mu.Unlock()
			if err != nil {
				return
			}
		}
	}()
	// typed waits for the prompt, then for the terminal's echo to be
	// off, and types line: what a person does, who sees the prompt.
	typed := func(prompt, line string) {
		t.Helper()
		deadline := time.Now().Add(30 * time.Second)
		for {
			mu.Lock()
			shown := strings.Count(string(screen), prompt)
			mu.Unlock()
			tio, err := unix.IoctlGetTermios(int(tty.Fd()), unix.TCGETS)
			if err != nil {
				t.Fatal(err)
			}
			if shown > 0 && tio.Lflag&unix.ECHO == 0 {
				break
			}
			if time.Now().After(deadline) {
				t.Fatalf("no prompt %q with echo off; the terminal shows %q", prompt, screen)
			}
			time.Sleep(time.Millisecond)
		}
		if _, err := ptmx.Write([]byte(line + "\r")); err != nil {
			t.Fatal(err)
		}
	}
	typed(prompt, secret)
	typed(again, secret)
	if err := cmd.Wait(); err != nil || stdout.String() != set {
		t.Fatalf("%s set: %v, %q", command, err, stdout.String())
	}
	mu.Lock()
	defer mu.Unlock()
	for _, part := range strings.Fields(secret) {
		if bytes.Contains(screen, []byte(part)) {
			t.Errorf("the %s was echoed: %q", command, screen)
		}
	}
	if out := mustCLI(t, sock, command); !strings.Contains(out, status) {
		t.Errorf("%s status after: %s", command, out)
	}
}
