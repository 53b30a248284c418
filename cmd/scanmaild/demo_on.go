//go:build !nodemo

package main

import (
	"log/slog"
	"os"
	"path/filepath"

	"scanmail/cmd/scanmaild/demo"
	"scanmail/device"
)

// startDemo starts the demo's identity provider and SMTP server; guide is
// what to show a newcomer beside the panel.
func startDemo(dev *device.Device, cfg daemonConfig, webURLs []string, log *slog.Logger) (guide func() []string, stop func(), err error) {
	d, err := demo.Start(dev, demo.Config{
		MailDir: cfg.mailDir,
		Socket:  cfg.socket,
		Binary:  os.Args[0],
		LogFile: cfg.demoLog(),
		CertDir: filepath.Dir(cfg.db),
		Web:     webURLs,
		Logger:  log,
	})
	if err != nil {
		return nil, nil, err
	}
	return d.Guide, d.Close, nil
}
