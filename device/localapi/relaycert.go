package localapi

import (
	"net/http"

	"scanmail/device/apitype"
)

// maxRelayCertBody bounds the certificate's install: a chain of a few
// certificates and a key, PEM.
const maxRelayCertBody = 64 << 10

func (h *Handler) serveRelayCert(w http.ResponseWriter, r *http.Request) {
	rc, err := h.dev.RelayCert()
	if err != nil {
		h.fail(w, err)
		return
	}
	writeJSON(w, rc)
}

func (h *Handler) serveRelayCertInstall(w http.ResponseWriter, r *http.Request) {
	var req apitype.RelayCertInstall
	if !readJSONUpTo(w, r, &req, maxRelayCertBody) {
		return
	}
	rc, err := h.dev.InstallRelayCert(req)
	if err != nil {
		h.fail(w, err)
		return
	}
	writeJSON(w, rc)
}

func (h *Handler) serveRelayCertRemove(w http.ResponseWriter, r *http.Request) {
	rc, err := h.dev.RemoveRelayCert()
	if err != nil {
		h.fail(w, err)
		return
	}
	writeJSON(w, rc)
}
