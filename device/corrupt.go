package device

import (
	"fmt"
	"log/slog"
	"sync"
)

// corruptJobs remembers the job records the store could not read. Such a
// record is skipped wherever jobs are read, so that one damaged record
// does not stop the daemon; it is logged once, with its key, and the
// status counts it.
type corruptJobs struct {
	mu   sync.Mutex
	log  *slog.Logger // nil until the device gives one; notes wait for it
	keys map[string]error
}

// note records that the job record at key could not be read.
func (c *corruptJobs) note(key []byte, err error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if _, seen := c.keys[string(key)]; seen {
		return
	}
	if c.keys == nil {
		c.keys = map[string]error{}
	}
	c.keys[string(key)] = err
	if c.log != nil {
		logCorrupt(c.log, key, err)
	}
}

// setLogger logs the records noted so far, and those noted from now on.
func (c *corruptJobs) setLogger(log *slog.Logger) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.log = log
	for k, err := range c.keys {
		logCorrupt(log, []byte(k), err)
	}
}

// forget drops a record that is gone.
func (c *corruptJobs) forget(key []byte) {
	c.mu.Lock()
	defer c.mu.Unlock()
	delete(c.keys, string(key))
}

func (c *corruptJobs) count() int {
	c.mu.Lock()
	defer c.mu.Unlock()
	return len(c.keys)
}

func logCorrupt(log *slog.Logger, key []byte, err error) {
	log.Error("job record unreadable; skipped", "key", fmt.Sprintf("%x", key), "err", err)
}
