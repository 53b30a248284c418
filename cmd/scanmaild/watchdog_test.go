package main

import (
	"context"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestWatchdogPath(t *testing.T) {
	for _, tc := range []struct {
		cfg  daemonConfig
		want string
	}{
		{daemonConfig{}, "/dev/watchdog"},
		{daemonConfig{demo: true}, ""},
		{daemonConfig{watchdog: "off"}, ""},
		{daemonConfig{watchdog: "/dev/watchdog1"}, "/dev/watchdog1"},
		{daemonConfig{demo: true, watchdog: "/dev/watchdog1"}, "/dev/watchdog1"},
	} {
		if got := tc.cfg.watchdogPath(); got != tc.want {
			t.Errorf("%+v: %q, want %q", tc.cfg, got, tc.want)
		}
	}
}

// TestWatchdogDevice: the daemon feeds the device it opens and, stopped
// cleanly, ends with the magic close; a missing device is no error. A
// regular file stands in for the device (it has no ioctls, so the
// default period is used).
func TestWatchdogDevice(t *testing.T) {
	log := slog.New(slog.NewTextHandler(io.Discard, nil))
	path := filepath.Join(t.TempDir(), "watchdog")
	if err := os.WriteFile(path, nil, 0o600); err != nil {
		t.Fatal(err)
	}
	stop := startWatchdog(context.Background(), path, func(context.Context) error { return nil }, log)
	stop()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if got := string(b); !strings.HasPrefix(got, "\x00") || !strings.HasSuffix(got, "V") {
		t.Errorf("device got %q, want feeds then the magic close", got)
	}
	startWatchdog(context.Background(), filepath.Join(t.TempDir(), "none"), nil, log)()
}
