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
	cmd := exec.Command(bin, "-socket", sock, "pin", "set")
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
	const pin = "73914026"
	typed("New PIN (4 to 12 digits): ", pin)
	typed("New PIN again: ", pin)
	if err := cmd.Wait(); err != nil || stdout.String() != "admin PIN set\n" {
		t.Fatalf("pin set: %v, %q", err, stdout.String())
	}
	mu.Lock()
	defer mu.Unlock()
	if bytes.Contains(screen, []byte(pin)) {
		t.Errorf("the PIN was echoed: %q", screen)
	}
	if out := mustCLI(t, sock, "pin"); !strings.Contains(out, "admin PIN:  set") {
		t.Errorf("pin status after: %s", out)
	}
}
