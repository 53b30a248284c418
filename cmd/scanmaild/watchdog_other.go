//go:build !linux

package main

import (
	"errors"
	"os"
	"time"
)

// watchdogTimeout: only Linux has the watchdog API.
func watchdogTimeout(*os.File) (time.Duration, error) {
	return 0, errors.New("no watchdog API")
}
