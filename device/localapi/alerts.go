package localapi

import (
	"net/http"

	"scanmail/device/apitype"
)

// maxAlertBody bounds an acknowledgement: a kind's name.
const maxAlertBody = 1 << 10

func (h *Handler) serveAlertAck(w http.ResponseWriter, r *http.Request) {
	var req apitype.AlertAck
	if !readJSONUpTo(w, r, &req, maxAlertBody) {
		return
	}
	st, err := h.dev.AckAlert(req.Kind)
	if err != nil {
		h.fail(w, err)
		return
	}
	writeJSON(w, st)
}
