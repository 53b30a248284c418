package localapi

import (
	"net/http"

	"scanmail/device/apitype"
)

// maxConfigImportBody bounds an import's request: the address book in it
// holds up to 10,000 entries.
const maxConfigImportBody = 8 << 20

// serveConfigExport answers the device's configuration for another
// device: never a token, password or key.
func (h *Handler) serveConfigExport(w http.ResponseWriter, r *http.Request) {
	cfg, err := h.dev.ExportConfig()
	if err != nil {
		h.fail(w, err)
		return
	}
	w.Header().Set("Content-Disposition", `attachment; filename="scanmail-config.json"`)
	writeJSON(w, cfg)
}

// serveConfigImport imports a configuration (apitype.ConfigImportRequest)
// all or nothing, or on a dry run says what it would change.
func (h *Handler) serveConfigImport(w http.ResponseWriter, r *http.Request) {
	var req apitype.ConfigImportRequest
	if !readJSONUpTo(w, r, &req, maxConfigImportBody) {
		return
	}
	rep, err := h.dev.ImportConfig(req.Config, req.DryRun)
	if err != nil {
		h.fail(w, err)
		return
	}
	writeJSON(w, rep)
}
