package localapi

import (
	"errors"
	"fmt"
	"net"
	"os"
	"time"
)

// ErrRunning means another daemon answers on the socket.
var ErrRunning = errors.New("another scanmaild is running")

// Listen opens the local API's Unix socket at path, mode 0600. A socket file
// left by a daemon that died is replaced; a live one is not.
func Listen(path string) (net.Listener, error) {
	if _, err := os.Stat(path); err == nil {
		if c, err := net.DialTimeout("unix", path, time.Second); err == nil {
			c.Close()
			return nil, fmt.Errorf("%s: %w", path, ErrRunning)
		}
		if err := os.Remove(path); err != nil {
			return nil, fmt.Errorf("stale socket: %w", err)
		}
	}
	ln, err := net.Listen("unix", path)
	if err != nil {
		return nil, fmt.Errorf("local API socket: %w", err)
	}
	if err := os.Chmod(path, 0o600); err != nil {
		ln.Close()
		return nil, fmt.Errorf("local API socket: %w", err)
	}
	return ln, nil
}
