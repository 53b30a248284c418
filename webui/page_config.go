package webui

import (
	"bytes"
	"encoding/json"
	"io"
	"net/http"

	"scanmail/device/apitype"
)

// configPage downloads the device's configuration, to set up another
// device like it, and imports one: checked first, showing what would
// change, then imported on confirmation.
type configPage struct {
	Report *apitype.ConfigImport
	// File is the configuration checked, sent back to import it.
	File     string
	Imported bool
	Problem  *problem
}

// maxConfigUpload bounds an imported configuration (settings and an
// address book).
const maxConfigUpload = 4 << 20

const configFileName = "scanmail-config.json"

func (s *server) serveConfig(w http.ResponseWriter, r *http.Request) {
	s.configPage(w, http.StatusOK, &configPage{Imported: r.URL.Query().Has("imported")})
}

func (s *server) configPage(w http.ResponseWriter, code int, d *configPage) {
	s.render(w, code, "config", page{Title: "Export and import the configuration", Nav: "config", LoggedIn: true, Data: d})
}

// serveConfigExport downloads the export as the device gives it: it
// holds no secret by contract, and the page adds nothing to it.
func (s *server) serveConfigExport(w http.ResponseWriter, r *http.Request) {
	cfg, err := s.api.ExportConfig(r.Context())
	if err != nil {
		p := problemOf(err)
		s.configPage(w, http.StatusBadGateway, &configPage{Problem: &p})
		return
	}
	b, err := json.MarshalIndent(cfg, "", "  ")
	if err != nil {
		s.log.Error("web: configuration export", "err", err)
		s.configPage(w, http.StatusInternalServerError, &configPage{Problem: &problem{Summary: "The export could not be made.", Hint: "The device's log says why."}})
		return
	}
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("Content-Disposition", `attachment; filename="`+configFileName+`"`)
	w.Write(append(b, '\n'))
}

func (s *server) postConfigImport(w http.ResponseWriter, r *http.Request) {
	fail := func(code int, p problem) { s.configPage(w, code, &configPage{Problem: &p}) }
	r.Body = http.MaxBytesReader(w, r.Body, maxConfigUpload+64<<10)
	if err := r.ParseMultipartForm(maxConfigUpload); err != nil && err != http.ErrNotMultipart {
		fail(http.StatusBadRequest, problem{Summary: "The file could not be read, or is larger than 4 MB.", Hint: "Choose a configuration exported from a scanmail device."})
		return
	}
	file := []byte(r.PostFormValue("config"))
	if f, _, err := r.FormFile("file"); err == nil {
		file, _ = io.ReadAll(io.LimitReader(f, maxConfigUpload))
		f.Close()
	}
	var cfg apitype.ConfigExport
	if err := json.Unmarshal(file, &cfg); err != nil || cfg.Format != apitype.ConfigFormat {
		fail(http.StatusBadRequest, problem{Summary: "This file is not a scanmail configuration.", Hint: "Choose a file downloaded from this page on a scanmail device."})
		return
	}
	confirm := r.PostFormValue("confirm") == "1"
	rep, err := s.api.ImportConfig(r.Context(), cfg, !confirm)
	if err != nil {
		fail(http.StatusBadRequest, problemOf(err))
		return
	}
	if confirm && len(rep.Book.Errors) == 0 {
		http.Redirect(w, r, "/config?imported", http.StatusSeeOther)
		return
	}
	code := http.StatusOK
	if len(rep.Book.Errors) > 0 {
		code = http.StatusBadRequest
	}
	s.configPage(w, code, &configPage{Report: &rep, File: string(bytes.TrimSpace(file))})
}
