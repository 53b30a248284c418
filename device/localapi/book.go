package localapi

import (
	"bytes"
	"fmt"
	"net/http"
	"strconv"

	"scanmail/device/apitype"
)

const (
	// maxBookListed bounds one address book search answer.
	maxBookListed = 1000
	// maxBookImportBody bounds an import's request: the CSV in it is
	// bounded by the device (1 MiB), JSON's escapes make it larger.
	maxBookImportBody = 4 << 20
)

// serveBook searches the address book: ?q= (empty lists it) and ?limit=.
func (h *Handler) serveBook(w http.ResponseWriter, r *http.Request) {
	limit := 50
	if s := r.URL.Query().Get("limit"); s != "" {
		n, err := strconv.Atoi(s)
		if err != nil || n <= 0 || n > maxBookListed {
			writeError(w, http.StatusBadRequest, fmt.Errorf("limit must be a number from 1 to %d", maxBookListed))
			return
		}
		limit = n
	}
	writeJSON(w, h.dev.Book(r.URL.Query().Get("q"), limit))
}

func (h *Handler) serveBookPut(w http.ResponseWriter, r *http.Request) {
	var req apitype.BookEntry
	if !readJSON(w, r, &req) {
		return
	}
	e, err := h.dev.PutBookEntry(req)
	if err != nil {
		h.fail(w, err)
		return
	}
	writeJSON(w, e)
}

func (h *Handler) serveBookDelete(w http.ResponseWriter, r *http.Request) {
	var req apitype.BookDelete
	if !readJSON(w, r, &req) {
		return
	}
	e, err := h.dev.DeleteBookEntry(req.ID)
	if err != nil {
		h.fail(w, err)
		return
	}
	writeJSON(w, e)
}

// serveBookImport imports CSV (apitype.BookImportRequest). Bad rows are
// not a failed request: the answer names them, and nothing was imported.
func (h *Handler) serveBookImport(w http.ResponseWriter, r *http.Request) {
	var req apitype.BookImportRequest
	if !readJSONUpTo(w, r, &req, maxBookImportBody) {
		return
	}
	rep, err := h.dev.ImportBook([]byte(req.CSV), req.DryRun)
	if err != nil {
		h.fail(w, err)
		return
	}
	writeJSON(w, rep)
}

// serveBookExport answers the whole address book as ?format=csv (the
// default) or vcard.
func (h *Handler) serveBookExport(w http.ResponseWriter, r *http.Request) {
	format := r.URL.Query().Get("format")
	// Written whole first, so that a failure is an error answer and
	// not half a file.
	var buf bytes.Buffer
	if err := h.dev.ExportBook(&buf, format); err != nil {
		h.fail(w, err)
		return
	}
	switch format {
	case apitype.BookVCard:
		w.Header().Set("Content-Type", "text/vcard; charset=utf-8")
		w.Header().Set("Content-Disposition", `attachment; filename="scanmail-book.vcf"`)
	default:
		w.Header().Set("Content-Type", "text/csv; charset=utf-8")
		w.Header().Set("Content-Disposition", `attachment; filename="scanmail-book.csv"`)
	}
	w.Write(buf.Bytes())
}
