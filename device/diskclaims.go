package device

import (
	"math"
	"sync"
)

// diskClaims is room on the spool's disk promised to writers under way:
// the room of the scan running, and a part being cut for sending. What is
// promised is not promised again, so that a scan and a part written at the
// same time cannot together eat into the state file's reserve.
type diskClaims struct {
	mu    sync.Mutex
	bytes int64
}

// claim promises up to want bytes, and at least least, out of free (the
// disk's free bytes now) less the reserve and what is promised already.
// It returns what it promised, and release to end the promise once the
// bytes are written (they then show in the disk's free bytes).
func (c *diskClaims) claim(free, want, least int64) (got int64, release func(), ok bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	got = min(want, free-spoolReserve-c.bytes)
	if got < least || got <= 0 {
		return 0, func() {}, false
	}
	c.bytes += got
	var once sync.Once
	return got, func() {
		once.Do(func() {
			c.mu.Lock()
			c.bytes -= got
			c.mu.Unlock()
		})
	}, true
}

// claimDisk promises n bytes of the spool's disk to a writer, or reports
// that they are not there.
func (d *Device) claimDisk(n int64) (release func(), ok bool) {
	free, known := freeSpace(d.spoolDir)
	if !known {
		return func() {}, true
	}
	_, release, ok = d.claims.claim(free, n, n)
	return release, ok
}

// noBound is a room no limit bounds.
const noBound = math.MaxInt64
