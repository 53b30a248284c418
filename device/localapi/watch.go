package localapi

import (
	"net/http"
)

// serveWatch streams the device's changes, one apitype.Notify a line: a
// snapshot first, then every change, until the client leaves. The device
// queues them for this client without ever waiting for it (device.Watcher);
// a client that stops reading is cut off after writeTimeout, and one that
// reads again in time is sent a fresh snapshot.
func (h *Handler) serveWatch(w http.ResponseWriter, r *http.Request) {
	wt := h.dev.Watch()
	defer wt.Close()
	s := newStream(w)
	defer s.end()
	for {
		n, err := wt.Next(r.Context())
		if err != nil {
			return
		}
		if !s.send(n) {
			return
		}
	}
}
