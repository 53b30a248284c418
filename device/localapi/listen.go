package localapi

import (
	"errors"
	"fmt"
	"io/fs"
	"net"
	"os"
	"path/filepath"
	"syscall"
	"time"
)

// ErrRunning means another daemon answers on the socket.
var ErrRunning = errors.New("another daemon (scanmaild) is running")

// ErrUnsafePath means the socket's path or directory is not safe to use:
// something other than a socket is there, or others can write to the
// directory.
var ErrUnsafePath = errors.New("unsafe local API socket path")

// Listen opens the local API's Unix socket at path, mode 0600. A socket left
// by a daemon that died is replaced; a live one is not, and nothing that is
// not a socket is ever removed (a mistyped -socket must not delete the state
// file). The directory must be writable by its owner only: anyone else who
// can write there could put their own socket in its place.
func Listen(path string) (net.Listener, error) {
	dir := filepath.Dir(path)
	if err := checkSocketDir(dir); err != nil {
		return nil, err
	}
	if err := removeStale(path); err != nil {
		return nil, err
	}
	// The socket is bound in a new directory of mode 0700 and made 0600
	// there, then linked under its name: it is never reachable with wider
	// permissions, whatever the umask. (Setting the umask around the bind
	// would do too, but the umask is the whole process's, and the
	// device's goroutines are already creating spool directories.)
	private, err := os.MkdirTemp(dir, ".sock")
	if err != nil {
		return nil, fmt.Errorf("local API socket: %w", err)
	}
	defer os.RemoveAll(private)
	tmp := filepath.Join(private, "s")
	ln, err := net.ListenUnix("unix", &net.UnixAddr{Name: tmp, Net: "unix"})
	if err != nil {
		return nil, fmt.Errorf("local API socket: %w", err)
	}
	// The path it was bound to goes with the private directory; the
	// daemon removes the socket's name when it stops.
	ln.SetUnlinkOnClose(false)
	if err := os.Chmod(tmp, 0o600); err != nil {
		ln.Close()
		return nil, fmt.Errorf("local API socket: %w", err)
	}
	// A link, unlike a rename, never replaces what appeared at path
	// since it was checked.
	if err := os.Link(tmp, path); err != nil {
		ln.Close()
		if errors.Is(err, fs.ErrExist) {
			return nil, fmt.Errorf("local API socket %s appeared while starting (another daemon starting?): %w", path, ErrRunning)
		}
		return nil, fmt.Errorf("local API socket: %w", err)
	}
	return ln, nil
}

// checkSocketDir refuses a directory that someone other than its owner
// (this user or root) can write to; a sticky bit, as on /tmp, does not
// help, since another user can create the name first. A directory its
// group can write is taken only when that group is the daemon's own:
// where each user has a group of their own (umask 002, as on Ubuntu), a
// checkout for `make run` is group-writable by that group alone.
func checkSocketDir(dir string) error {
	fi, err := os.Stat(dir)
	if err != nil {
		return fmt.Errorf("local API socket directory: %w", err)
	}
	st, _ := fi.Sys().(*syscall.Stat_t)
	perm := fi.Mode().Perm()
	if perm&0o002 != 0 || perm&0o020 != 0 && (st == nil || int(st.Gid) != os.Getegid()) {
		return fmt.Errorf("%w: the directory %s can be written by others (mode %o); "+
			"put the socket in a directory only the daemon's user can write (e.g. beside the state file)", ErrUnsafePath, dir, perm)
	}
	if st != nil && st.Uid != 0 && int(st.Uid) != os.Geteuid() {
		return fmt.Errorf("%w: the directory %s belongs to another user (uid %d); "+
			"put the socket in a directory of the daemon's user", ErrUnsafePath, dir, st.Uid)
	}
	return nil
}

// removeStale removes a socket at path that no daemon answers on. Anything
// else at path is left alone, with an error.
func removeStale(path string) error {
	fi, err := os.Lstat(path)
	if errors.Is(err, fs.ErrNotExist) {
		return nil
	}
	if err != nil {
		return fmt.Errorf("local API socket: %w", err)
	}
	if fi.Mode().Type() != fs.ModeSocket {
		return fmt.Errorf("%w: %s exists and is not a socket (%s); it is left alone: check -socket", ErrUnsafePath, path, describe(fi.Mode()))
	}
	if c, err := net.DialTimeout("unix", path, time.Second); err == nil {
		c.Close()
		return fmt.Errorf("%s: %w", path, ErrRunning)
	}
	if err := os.Remove(path); err != nil {
		return fmt.Errorf("stale socket: %w", err)
	}
	return nil
}

func describe(m fs.FileMode) string {
	switch {
	case m.IsRegular():
		return "a regular file"
	case m.IsDir():
		return "a directory"
	case m&fs.ModeSymlink != 0:
		return "a symbolic link"
	}
	return "file type " + m.Type().String()
}
