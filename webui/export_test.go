package webui

import (
	"net/http"
	"time"
)

// NewWithEventTimes is New with the event stream's write timeout and
// heartbeat period set, so that a test sees a heartbeat without waiting.
func NewWithEventTimes(cfg Config, writeTimeout, heartbeat time.Duration) http.Handler {
	h, s := newServer(cfg)
	s.eventWriteTimeout, s.heartbeat = writeTimeout, heartbeat
	return h
}
