package main

import (
	"context"
	"errors"
	"io/fs"
	"log/slog"
	"os"
	"time"

	"scanmail/board"
)

// boardWatchdog is the kernel's watchdog device; opening it arms it.
const boardWatchdog = "/dev/watchdog"

// watchdogPath is the device the daemon feeds: -watchdog if given ("off"
// for none), else /dev/watchdog on the board and none with -demo.
func (c daemonConfig) watchdogPath() string {
	switch {
	case c.watchdog == "off":
		return ""
	case c.watchdog != "":
		return c.watchdog
	case c.demo:
		return ""
	}
	return boardWatchdog
}

// startWatchdog opens the watchdog device, if there is one, and feeds it
// while alive (the device's Alive) says its loops answer. The returned stop disarms it (magic close)
// and closes it; call it before dev.Close, as a closed device no longer
// answers.
func startWatchdog(ctx context.Context, path string, alive func(context.Context) error, log *slog.Logger) (stop func()) {
	if path == "" {
		return func() {}
	}
	f, err := os.OpenFile(path, os.O_WRONLY, 0)
	if errors.Is(err, fs.ErrNotExist) {
		log.Info("no watchdog device, running without", "path", path)
		return func() {}
	}
	if err != nil {
		log.Error("opening the watchdog device, running without", "path", path, "err", err)
		return func() {}
	}
	every := 5 * time.Second // under the shortest usual timeout (15 s)
	if timeout, err := watchdogTimeout(f); err == nil && timeout >= 3*time.Second {
		every = timeout / 3
	}
	log.Info("feeding the watchdog", "path", path, "every", every)
	ctx, cancel := context.WithCancel(ctx)
	done := make(chan struct{})
	go func() {
		defer close(done)
		w := &board.Watchdog{Dev: f, Every: every, Alive: alive, Log: log}
		if err := w.Run(ctx); err != nil {
			log.Error("watchdog", "err", err)
		}
	}()
	return func() {
		cancel()
		<-done
		f.Close()
	}
}
