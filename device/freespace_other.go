//go:build !linux

package device

// freeSpace is unknown off Linux; the spool setting alone bounds it.
func freeSpace(string) (int64, bool) { return 0, false }
