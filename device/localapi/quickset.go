package localapi

import (
	"net/http"

	"scanmail/device/apitype"
)

func (h *Handler) serveQuickSets(w http.ResponseWriter, r *http.Request) {
	l, err := h.dev.QuickSets()
	if err != nil {
		h.fail(w, err)
		return
	}
	writeJSON(w, l)
}

func (h *Handler) serveQuickSetPut(w http.ResponseWriter, r *http.Request) {
	var req apitype.QuickSet
	if !readJSON(w, r, &req) {
		return
	}
	q, err := h.dev.PutQuickSet(req)
	if err != nil {
		h.fail(w, err)
		return
	}
	writeJSON(w, q)
}

func (h *Handler) serveQuickSetDelete(w http.ResponseWriter, r *http.Request) {
	var req apitype.QuickSetDelete
	if !readJSON(w, r, &req) {
		return
	}
	q, err := h.dev.DeleteQuickSet(req.ID)
	if err != nil {
		h.fail(w, err)
		return
	}
	writeJSON(w, q)
}
