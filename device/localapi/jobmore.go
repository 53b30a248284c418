package localapi

import (
	"net/http"

	"scanmail/device/apitype"
)

// serveJobMore answers a flatbed job waiting for the operator
// (apitype.JobMore), and returns the job once it took the answer.
func (h *Handler) serveJobMore(w http.ResponseWriter, r *http.Request) {
	var req apitype.JobMore
	if !readJSON(w, r, &req) {
		return
	}
	job, err := h.dev.MorePages(req.ID, req.More)
	if err != nil {
		h.fail(w, err)
		return
	}
	writeJSON(w, job)
}
