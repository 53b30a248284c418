package localapi

import (
	"net/http"

	"scanmail/device/apitype"
)

// The web pages' admin password and sessions. The web pages are a client
// of this API like the panel: they log the admin in here and check the
// session of every request here.

// maxPasswordBody bounds a password call's request: two passwords of 128
// bytes, escaped.
const maxPasswordBody = 8 << 10

func (h *Handler) servePassword(w http.ResponseWriter, r *http.Request) {
	st, err := h.dev.Password()
	if err != nil {
		h.fail(w, err)
		return
	}
	writeJSON(w, st)
}

func (h *Handler) servePasswordSet(w http.ResponseWriter, r *http.Request) {
	var req apitype.PasswordSet
	if !readJSONUpTo(w, r, &req, maxPasswordBody) {
		return
	}
	st, err := h.dev.SetPassword(r.Context(), req.Old, req.New)
	if err != nil {
		h.fail(w, err)
		return
	}
	writeJSON(w, st)
}

// servePasswordReset removes the admin password and ends every session.
// The socket is root's: whoever reaches it is the board's admin, and this
// is how a forgotten password is cleared.
func (h *Handler) servePasswordReset(w http.ResponseWriter, r *http.Request) {
	st, err := h.dev.ResetPassword(r.Context())
	if err != nil {
		h.fail(w, err)
		return
	}
	writeJSON(w, st)
}

func (h *Handler) serveLogin(w http.ResponseWriter, r *http.Request) {
	var req apitype.Login
	if !readJSONUpTo(w, r, &req, maxPasswordBody) {
		return
	}
	s, err := h.dev.Login(r.Context(), req.Password)
	if err != nil {
		h.fail(w, err)
		return
	}
	writeJSON(w, s)
}

func (h *Handler) serveSession(w http.ResponseWriter, r *http.Request) {
	var req apitype.SessionCheck
	if !readJSONUpTo(w, r, &req, maxPasswordBody) {
		return
	}
	s, err := h.dev.CheckSession(req.ID)
	if err != nil {
		h.fail(w, err)
		return
	}
	writeJSON(w, s)
}

func (h *Handler) serveLogout(w http.ResponseWriter, r *http.Request) {
	var req apitype.SessionCheck
	if !readJSONUpTo(w, r, &req, maxPasswordBody) {
		return
	}
	if err := h.dev.Logout(req.ID); err != nil {
		h.fail(w, err)
		return
	}
	writeJSON(w, struct{}{})
}
