package localapi_test

import (
	"errors"
	"net"
	"os"
	"path/filepath"
	"strings"
	"sync/atomic"
	"syscall"
	"testing"

	"scanmail/device/localapi"
)

func TestListenPath(t *testing.T) {
	tests := []struct {
		name    string
		prepare func(t *testing.T, dir, sock string)
		wantErr error  // nil: Listen succeeds
		words   string // in the error
		kept    string // the file's content, which must survive
	}{
		{name: "nothing there", prepare: func(*testing.T, string, string) {}},
		{name: "regular file", prepare: func(t *testing.T, _, sock string) {
			os.WriteFile(sock, []byte("state"), 0o600)
		}, wantErr: localapi.ErrUnsafePath, words: "is not a socket (a regular file); it is left alone", kept: "state"},
		{name: "directory", prepare: func(t *testing.T, _, sock string) {
			os.Mkdir(sock, 0o700)
		}, wantErr: localapi.ErrUnsafePath, words: "a directory"},
		{name: "stale socket", prepare: func(t *testing.T, _, sock string) {
			ln, err := net.Listen("unix", sock)
			if err != nil {
				t.Fatal(err)
			}
			ln.(*net.UnixListener).SetUnlinkOnClose(false)
			ln.Close() // the daemon died: the file stays, nobody answers
		}},
		{name: "live socket", prepare: func(t *testing.T, _, sock string) {
			ln, err := net.Listen("unix", sock)
			if err != nil {
				t.Fatal(err)
			}
			t.Cleanup(func() { ln.Close() })
		}, wantErr: localapi.ErrRunning},
		{name: "directory others can write", prepare: func(t *testing.T, dir, _ string) {
			os.Chmod(dir, 0o777)
		}, wantErr: localapi.ErrUnsafePath, words: "can be written by others (mode 777)"},
		{name: "sticky directory others can write", prepare: func(t *testing.T, dir, _ string) {
			os.Chmod(dir, 0o1777)
		}, wantErr: localapi.ErrUnsafePath, words: "can be written by others"},
		{name: "directory another group can write", prepare: func(t *testing.T, dir, _ string) {
			if err := os.Chown(dir, -1, os.Getegid()+1); err != nil {
				t.Skipf("cannot give the directory another group: %v", err)
			}
			os.Chmod(dir, 0o770)
		}, wantErr: localapi.ErrUnsafePath, words: "can be written by others"},
		{name: "directory its own group can write", prepare: func(t *testing.T, dir, _ string) {
			os.Chmod(dir, 0o775) // a user private group, umask 002
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dir := filepath.Join(t.TempDir(), "state")
			if err := os.Mkdir(dir, 0o700); err != nil {
				t.Fatal(err)
			}
			sock := filepath.Join(dir, "scanmaild.sock")
			tt.prepare(t, dir, sock)
			ln, err := localapi.Listen(sock)
			if tt.wantErr == nil {
				if err != nil {
					t.Fatalf("Listen: %v", err)
				}
				defer ln.Close()
				if m := mode(t, sock); m != os.ModeSocket|0o600 {
					t.Errorf("socket mode %v, want 0600 socket", m)
				}
				answers(t, ln, sock)
			} else if !errors.Is(err, tt.wantErr) || !strings.Contains(err.Error(), tt.words) {
				t.Fatalf("Listen: %v, want %v saying %q", err, tt.wantErr, tt.words)
			}
			if tt.kept != "" {
				if b, err := os.ReadFile(sock); err != nil || string(b) != tt.kept {
					t.Errorf("the file at the socket path is %q, %v; want it kept", b, err)
				}
			}
			// Nothing of Listen's own is left beside the socket.
			entries, _ := os.ReadDir(dir)
			for _, e := range entries {
				if strings.HasPrefix(e.Name(), ".sock") {
					t.Errorf("left behind: %s", e.Name())
				}
			}
		})
	}
}

// TestListenNoWindow: even with a umask of 0, under which a bound socket
// is born 0777, nobody watching the path ever sees it with a mode other
// than 0600. The socket is bound in a private directory and linked under
// its name once it is 0600, so this holds by construction; the watcher
// catches the earlier bind-then-chmod in most runs (not every run: the
// window was microseconds), which is how it failed before the fix.
func TestListenNoWindow(t *testing.T) {
	dir := t.TempDir()
	old := syscall.Umask(0) // the process's: this test does not run in parallel
	defer syscall.Umask(old)
	sock := filepath.Join(dir, "scanmaild.sock")
	var seen atomic.Uint32
	stop := make(chan struct{})
	watched := make(chan struct{})
	go func() {
		defer close(watched)
		for {
			select {
			case <-stop:
				return
			default:
			}
			if fi, err := os.Lstat(sock); err == nil && fi.Mode().Perm() != 0o600 {
				seen.Store(uint32(fi.Mode().Perm()))
			}
		}
	}()
	for range 300 {
		ln, err := localapi.Listen(sock)
		if err != nil {
			t.Fatal(err)
		}
		ln.Close()
		os.Remove(sock)
	}
	close(stop)
	<-watched
	if m := seen.Load(); m != 0 {
		t.Fatalf("the socket was visible with mode %o", m)
	}
}

func mode(t *testing.T, path string) os.FileMode {
	t.Helper()
	fi, err := os.Lstat(path)
	if err != nil {
		t.Fatal(err)
	}
	return fi.Mode() & (os.ModeType | os.ModePerm)
}

// answers checks that a client reaches ln through the socket's name.
func answers(t *testing.T, ln net.Listener, sock string) {
	t.Helper()
	go func() {
		if c, err := ln.Accept(); err == nil {
			c.Write([]byte("x"))
			c.Close()
		}
	}()
	c, err := net.Dial("unix", sock)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	b := make([]byte, 1)
	if _, err := c.Read(b); err != nil {
		t.Fatal(err)
	}
}
