package localapi

import (
	"net/http"

	"scanmail/device/apitype"
)

// maxPINBody bounds a PIN call's request: two PINs of 12 digits.
const maxPINBody = 4 << 10

func (h *Handler) servePIN(w http.ResponseWriter, r *http.Request) {
	st, err := h.dev.PIN()
	if err != nil {
		h.fail(w, err)
		return
	}
	writeJSON(w, st)
}

func (h *Handler) servePINCheck(w http.ResponseWriter, r *http.Request) {
	var req apitype.PINCheck
	if !readJSONUpTo(w, r, &req, maxPINBody) {
		return
	}
	st, err := h.dev.CheckPIN(r.Context(), req.PIN)
	if err != nil {
		h.fail(w, err)
		return
	}
	writeJSON(w, st)
}

func (h *Handler) servePINSet(w http.ResponseWriter, r *http.Request) {
	var req apitype.PINSet
	if !readJSONUpTo(w, r, &req, maxPINBody) {
		return
	}
	st, err := h.dev.SetPIN(r.Context(), req.Old, req.New)
	if err != nil {
		h.fail(w, err)
		return
	}
	writeJSON(w, st)
}

// servePINReset removes the admin PIN. The socket is root's: whoever
// reaches it is the board's admin, and this is how a forgotten PIN is
// cleared.
func (h *Handler) servePINReset(w http.ResponseWriter, r *http.Request) {
	st, err := h.dev.ResetPIN(r.Context())
	if err != nil {
		h.fail(w, err)
		return
	}
	writeJSON(w, st)
}
