//go:build nodemo

package main

import (
	"errors"
	"log/slog"

	"scanmail/device"
)

// Board builds leave the demo's identity provider and SMTP server out: they
// are a quarter of the binary.
func startDemo(*device.Device, daemonConfig, []string, *slog.Logger) (func() []string, func(), error) {
	return nil, nil, errors.New("this build has no demo (it was built with -tags nodemo); build without it for -demo")
}
