//go:build nodemo

package main

import (
	"context"
	"errors"
	"log/slog"

	"scanmail/device"
)

// Board builds leave the demo's identity provider and SMTP server out: they
// are a quarter of the binary.
func runDemo(context.Context, *device.Device, daemonConfig, *slog.Logger) error {
	return errors.New("this build has no demo (it was built with -tags nodemo); build without it for -demo")
}
