package localapi

import (
	"context"
	"net/http"

	"scanmail/device/apitype"
)

// serveConnTest runs the connection test, as an optional
// apitype.ConnTestRequest asks, and streams its steps, one JSON object a
// line, each as it starts and as it ends. A test that cannot run (one is
// running already, a bad recipient) is an error answer instead. The client
// leaving, or not reading, ends the test.
func (h *Handler) serveConnTest(w http.ResponseWriter, r *http.Request) {
	var req apitype.ConnTestRequest // the body is optional
	if r.ContentLength != 0 && !readJSON(w, r, &req) {
		return
	}
	ctx, cancel := context.WithCancel(r.Context())
	defer cancel()
	var s *stream
	_, err := h.dev.TestConnection(ctx, req, func(step apitype.ConnTestStep) {
		if s == nil {
			s = newStream(w)
		}
		if !s.send(step) {
			cancel()
		}
	})
	switch {
	case s != nil:
		s.end()
	case err != nil:
		h.fail(w, err)
	}
}
