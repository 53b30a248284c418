package webui

import (
	"bytes"
	"io"
	"net/http"
	"net/url"
	"slices"
	"strings"

	"scanmail/device/apitype"
)

// bookPage is the address book: a search, the entries found, a form to
// add or change one, and CSV import (checked first) and export.
type bookPage struct {
	Q, Group string
	List     apitype.BookList
	Entries  []apitype.BookEntry // List's, in Group when one is chosen
	// Edit is the entry the form holds: empty to add one, or the one
	// being changed, or what was typed when the device refused it.
	Edit       apitype.BookEntry
	EditGroups string
	Done       string // what was just done, in words
	Import     *apitype.BookImport
	// ImportCSV is the file checked, sent back to import it for real.
	ImportCSV string
	Problem   *problem
}

// bookListed bounds the entries a search shows; the page says how many
// more matched.
const bookListed = 200

// maxBookUpload bounds an imported CSV file.
const maxBookUpload = 1 << 20

func (s *server) serveBook(w http.ResponseWriter, r *http.Request) {
	d := &bookPage{}
	q := r.URL.Query()
	switch {
	case q.Has("saved"):
		d.Done = "The entry is saved."
	case q.Has("deleted"):
		d.Done = "The entry is deleted."
	case q.Has("imported"):
		d.Done = "The file is imported."
	}
	s.bookPage(w, r, http.StatusOK, d)
}

// bookPage fills d's list from the query (q, group, edit) and renders it.
func (s *server) bookPage(w http.ResponseWriter, r *http.Request, code int, d *bookPage) {
	q := r.URL.Query()
	d.Q, d.Group = q.Get("q"), q.Get("group")
	list, err := s.api.Book(r.Context(), d.Q, bookListed)
	if err != nil && d.Problem == nil {
		p := problemOf(err)
		d.Problem = &p
	}
	d.List = list
	for _, e := range list.Entries {
		if d.Group == "" || slices.Contains(e.Groups, d.Group) {
			d.Entries = append(d.Entries, e)
		}
		if id := q.Get("edit"); id != "" && e.ID == id && d.Edit.ID == "" && d.Edit.Address == "" {
			d.Edit = e
		}
	}
	if d.EditGroups == "" {
		d.EditGroups = strings.Join(d.Edit.Groups, ", ")
	}
	s.render(w, code, "book", page{Title: "Address book", Nav: "book", LoggedIn: true, Data: d})
}

// splitList splits what a person typed as a list: commas, semicolons or
// new lines; empty items dropped.
func splitList(s string) []string {
	f := strings.FieldsFunc(s, func(r rune) bool { return r == ',' || r == ';' || r == '\n' || r == '\r' })
	var out []string
	for _, x := range f {
		if x = strings.TrimSpace(x); x != "" {
			out = append(out, x)
		}
	}
	return out
}

func (s *server) postBookPut(w http.ResponseWriter, r *http.Request) {
	e := apitype.BookEntry{
		ID:        r.PostFormValue("id"),
		Name:      strings.TrimSpace(r.PostFormValue("name")),
		Address:   strings.TrimSpace(r.PostFormValue("address")),
		Favourite: r.PostFormValue("favourite") == "1",
		Groups:    splitList(r.PostFormValue("groups")),
	}
	if _, err := s.api.PutBookEntry(r.Context(), e); err != nil {
		p := problemOf(err)
		s.bookPage(w, r, http.StatusBadRequest, &bookPage{Edit: e, EditGroups: r.PostFormValue("groups"), Problem: &p})
		return
	}
	http.Redirect(w, r, "/book?saved", http.StatusSeeOther)
}

func (s *server) postBookDelete(w http.ResponseWriter, r *http.Request) {
	if _, err := s.api.DeleteBookEntry(r.Context(), r.PostFormValue("id")); err != nil {
		p := problemOf(err)
		s.bookPage(w, r, http.StatusConflict, &bookPage{Problem: &p})
		return
	}
	http.Redirect(w, r, "/book?deleted", http.StatusSeeOther)
}

// postBookImport checks an uploaded CSV file (a dry run: bad rows listed
// by line, nothing imported), or imports the file checked before
// (confirm=1), all or nothing.
func (s *server) postBookImport(w http.ResponseWriter, r *http.Request) {
	r.Body = http.MaxBytesReader(w, r.Body, maxBookUpload+64<<10)
	if err := r.ParseMultipartForm(maxBookUpload); err != nil && err != http.ErrNotMultipart {
		s.bookPage(w, r, http.StatusBadRequest, &bookPage{Problem: &problem{Summary: "The file could not be read, or is larger than 1 MB.", Hint: "Choose a CSV file with a header row: name, address, favourite, groups."}})
		return
	}
	csv := []byte(r.PostFormValue("csv"))
	if f, _, err := r.FormFile("file"); err == nil {
		csv, _ = io.ReadAll(io.LimitReader(f, maxBookUpload))
		f.Close()
	}
	if len(bytes.TrimSpace(csv)) == 0 {
		s.bookPage(w, r, http.StatusBadRequest, &bookPage{Problem: &problem{Summary: "No file was chosen, or it is empty.", Hint: "Choose a CSV file with a header row: name, address, favourite, groups."}})
		return
	}
	confirm := r.PostFormValue("confirm") == "1"
	rep, err := s.api.ImportBook(r.Context(), csv, !confirm)
	if err != nil {
		p := problemOf(err)
		s.bookPage(w, r, http.StatusBadRequest, &bookPage{Problem: &p})
		return
	}
	if confirm && len(rep.Errors) == 0 {
		http.Redirect(w, r, "/book?imported", http.StatusSeeOther)
		return
	}
	code := http.StatusOK
	if len(rep.Errors) > 0 {
		code = http.StatusBadRequest
	}
	s.bookPage(w, r, code, &bookPage{Import: &rep, ImportCSV: string(csv)})
}

// serveBookExport downloads the whole address book as CSV or vCard.
func (s *server) serveBookExport(w http.ResponseWriter, r *http.Request) {
	format, name, ctype := apitype.BookCSV, "address-book.csv", "text/csv; charset=utf-8"
	if r.PathValue("file") == "address-book.vcf" {
		format, name, ctype = apitype.BookVCard, "address-book.vcf", "text/vcard; charset=utf-8"
	} else if r.PathValue("file") != "address-book.csv" {
		http.NotFound(w, r)
		return
	}
	var buf bytes.Buffer
	if err := s.api.ExportBook(r.Context(), &buf, format); err != nil {
		p := problemOf(err)
		r.URL.RawQuery = url.Values{}.Encode()
		s.bookPage(w, r, http.StatusBadGateway, &bookPage{Problem: &p})
		return
	}
	w.Header().Set("Content-Type", ctype)
	w.Header().Set("Content-Disposition", `attachment; filename="`+name+`"`)
	w.Write(buf.Bytes())
}
