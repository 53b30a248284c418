package localclient

import (
	"context"
	"errors"
	"os"
	"strings"
	"testing"

	"scanmail/device/apitype"
)

// TestZeroValueCallsBoard: a Client nobody configured calls the daemon
// where it listens on the board.
func TestZeroValueCallsBoard(t *testing.T) {
	if _, err := os.Stat(apitype.BoardSocket); err == nil {
		t.Skipf("a daemon may listen at %s on this machine", apitype.BoardSocket)
	}
	_, err := (&Client{}).Status(context.Background())
	if !errors.Is(err, ErrNotRunning) || !strings.Contains(err.Error(), apitype.BoardSocket) {
		t.Fatalf("zero Client: %v, want %v naming %s", err, ErrNotRunning, apitype.BoardSocket)
	}
}
