package webui

import (
	"context"
	"fmt"
	"net/http"
	"time"

	"scanmail/device/apitype"
)

// Server-sent events: each device change is sent as an event named by its
// kind (apitype.Notify's Kind) with no data of its own, so that nothing
// the page does not show can leak through the stream; live.js reloads
// the page's <main> on the kinds the page names.
const (
	eventWriteTimeout = 10 * time.Second
	heartbeatEvery    = 25 * time.Second
)

func (s *server) serveEvents(w http.ResponseWriter, r *http.Request) {
	rc := http.NewResponseController(w)
	ctx, cancel := context.WithCancel(r.Context())
	defer cancel()

	kinds := make(chan string, 16)
	watched := make(chan error, 1)
	go func() {
		watched <- s.api.Watch(ctx, func(n apitype.Notify) {
			select {
			case kinds <- n.Kind:
			default:
				// The browser is behind: it reloads anyway on the
				// events queued, which show the device as it is then.
			}
		})
	}()

	// send writes one chunk and flushes it, bounded by a deadline, so
	// that a browser that stops reading never holds this goroutine.
	send := func(chunk string) bool {
		rc.SetWriteDeadline(time.Now().Add(s.eventWriteTimeout))
		if _, err := fmt.Fprint(w, chunk); err != nil {
			return false
		}
		return rc.Flush() == nil
	}
	w.Header().Set("Content-Type", "text/event-stream")
	if !send("retry: 3000\n\n") {
		return
	}
	beat := time.NewTicker(s.heartbeat)
	defer beat.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case err := <-watched:
			// The device stopped the stream (restarting, or gone):
			// the browser's EventSource reconnects.
			if err != nil && ctx.Err() == nil {
				s.log.Warn("web: device watch ended", "err", err)
			}
			return
		case k := <-kinds:
			if !send("event: " + k + "\ndata: \n\n") {
				return
			}
		case <-beat.C:
			if !send(": alive\n\n") {
				return
			}
		}
	}
}
