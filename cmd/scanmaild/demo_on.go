//go:build !nodemo

package main

import (
	"context"
	"log/slog"
	"os"

	"scanmail/cmd/scanmaild/demo"
	"scanmail/device"
)

func runDemo(ctx context.Context, dev *device.Device, cfg daemonConfig, log *slog.Logger) error {
	return demo.Run(ctx, dev, demo.Config{
		MailDir: cfg.mailDir,
		Socket:  cfg.socket,
		Binary:  os.Args[0],
		LogFile: cfg.demoLog(),
		Logger:  log,
		In:      os.Stdin,
		Out:     os.Stdout,
	})
}
