package main

import (
	"os"
	"time"

	"golang.org/x/sys/unix"
)

// watchdogTimeout is the watchdog device's timeout (WDIOC_GETTIMEOUT).
func watchdogTimeout(f *os.File) (time.Duration, error) {
	s, err := unix.IoctlGetInt(int(f.Fd()), unix.WDIOC_GETTIMEOUT)
	if err != nil {
		return 0, err
	}
	return time.Duration(s) * time.Second, nil
}
