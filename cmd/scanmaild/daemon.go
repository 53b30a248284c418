package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"strings"

	"scanmail/device"
	"scanmail/device/apitype"
	"scanmail/device/localapi"
)

type daemonConfig struct {
	db, socket, spool string
	demo              bool
	mailDir           string
	pages             int
	scanner           string
	verbose           bool
	watchdog          string
	display           string
	panel             panelFlags
	web               string // listen address of the web pages, or "off"
	webDefault        bool   // web is the default, not the admin's choice
}

// demoLog is where the demo's log goes: beside the state file, as the
// demo's terminal belongs to its console.
func (c daemonConfig) demoLog() string {
	return filepath.Join(filepath.Dir(c.db), "scanmaild.log")
}

// runDaemon wires the parts together and runs until ctx ends.
func runDaemon(ctx context.Context, cfg daemonConfig) error {
	level := slog.LevelInfo
	if cfg.verbose {
		level = slog.LevelDebug
	}
	var logOut io.Writer = os.Stderr
	if cfg.demo {
		// The demo's terminal belongs to the guided console; the log
		// goes to a file beside the state file.
		f, err := os.OpenFile(cfg.demoLog(), os.O_CREATE|os.O_APPEND|os.O_WRONLY, 0o600)
		if err != nil {
			return err
		}
		defer f.Close()
		logOut = f
	}
	log := slog.New(slog.NewTextHandler(logOut, &slog.HandlerOptions{Level: level}))

	store, err := device.OpenStore(cfg.db)
	if err != nil {
		return err
	}
	defer store.Close()

	scanner, closeScanner, err := openScanner(cfg.scanner, log)
	if err != nil {
		return err
	}
	defer closeScanner()
	dev, err := device.New(device.Config{
		Store:        store,
		Scanner:      scanner,
		SpoolDir:     cfg.spool,
		Logger:       log,
		DefaultPages: simPages(cfg),
	})
	if err != nil {
		return err
	}
	defer dev.Close()
	stopWatchdog := startWatchdog(ctx, cfg.watchdogPath(), dev.Alive, log)
	defer stopWatchdog() // before dev.Close

	hw := openFitted(cfg.panel, log)
	defer hw.Close()
	if cfg.panel.display.Kind != displayTerm && hw.bitmap == nil && hw.text == nil && len(hw.keys) == 0 {
		log.Info("no front panel: jobs come from the command line and the local API")
	}

	ln, err := localapi.Listen(cfg.socket)
	if err != nil {
		return err
	}
	defer os.Remove(cfg.socket)
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	apiDone := make(chan error, 1)
	go func() { apiDone <- localapi.Serve(ctx, ln, localapi.NewHandler(dev, log)) }()
	log.Info("scanmaild started", "state_file", cfg.db, "socket", cfg.socket, "demo", cfg.demo)

	// The web pages are a front end like the panel: one that cannot
	// start is logged and left out, and the daemon goes on.
	w, err := startWeb(cfg, log)
	if err != nil {
		log.Error("no web pages", "err", err)
	}
	defer w.Close()
	if w != nil {
		// The status (the panel's Network screen, the status command)
		// says where the pages are and which certificate they show.
		dev.SetWeb(apitype.Web{URLs: w.URLs(), Fingerprint: w.Fingerprint()})
		w.OnCertChange(func(fp string) { dev.SetWeb(apitype.Web{URLs: w.URLs(), Fingerprint: fp}) })
	}

	err = runFront(ctx, cfg, dev, hw, w.URLs(), log)
	cancel()
	if apiErr := <-apiDone; apiErr != nil && err == nil {
		err = fmt.Errorf("local API: %w", apiErr)
	}
	log.Info("scanmaild stopped")
	return err
}

// runFront runs what people see, the demo's servers and the panel, until
// ctx ends or the person at the terminal panel quits.
func runFront(ctx context.Context, cfg daemonConfig, dev *device.Device, hw *fitted, webURLs []string, log *slog.Logger) error {
	var guide func() []string
	if cfg.demo {
		g, stop, err := startDemo(dev, cfg, webURLs, log)
		if err != nil {
			return err
		}
		defer stop()
		guide = g
		if cfg.panel.display.Kind != displayTerm {
			fmt.Println(strings.Join(guide(), "\n"))
		}
	}
	err := runPanel(ctx, cfg, hw, guide, log)
	if errors.Is(err, errQuit) {
		return nil
	}
	if err != nil {
		return err
	}
	<-ctx.Done()
	return nil
}

// simPages is the page count of a simulated job; a real scanner scans what
// is in its feeder.
func simPages(cfg daemonConfig) int {
	if cfg.scanner == "sim" {
		return cfg.pages
	}
	return 0
}
