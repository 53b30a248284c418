package main

import (
	"path/filepath"
	"strings"
	"testing"
)

// TestSocketTypoKeepsStateFile: -socket mistyped as the state file's path
// stops the daemon with words, and the state file is kept with what it
// held.
func TestSocketTypoKeepsStateFile(t *testing.T) {
	dir := t.TempDir()
	db := filepath.Join(dir, "scanmail.db")
	sock := filepath.Join(dir, "scanmaild.sock")
	d := start(t, dir, "-db", db)
	waitSocket(t, sock)
	if out, code := runCLI(t, sock, "config", "set", "client_id", "app-kept"); code != 0 {
		t.Fatalf("config set: exit %d\n%s", code, out)
	}
	d.stop()

	d = start(t, dir, "-db", db, "-socket", db)
	out := d.output()
	if code := d.cmd.ProcessState.ExitCode(); code == 0 || !strings.Contains(out, "is not a socket (a regular file); it is left alone: check -socket") {
		t.Errorf("exit %d\n%s", code, out)
	}

	d = start(t, dir, "-db", db)
	waitSocket(t, sock)
	if out, _ := runCLI(t, sock, "config", "show"); !strings.Contains(out, "app-kept") {
		t.Errorf("the state file lost its settings:\n%s", out)
	}
	d.stop()
}
