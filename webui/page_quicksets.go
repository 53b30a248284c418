package webui

import (
	"net/http"
	"slices"
	"strconv"
	"strings"

	"scanmail/device/apitype"
)

// quickSetsPage lists the Quick Sets an operator picks on the panel, and
// adds, changes and deletes them.
type quickSetsPage struct {
	QuickSets []quickSetRow
	// Edit is what the form holds: empty to add one, the Quick Set
	// being changed, or what was typed when the device refused it.
	Edit    apitype.QuickSet
	EditTo  string
	Entries []apitype.BookEntry
	Groups  []string
	// Modes, DPIs and Formats are the scan settings' choices.
	Modes, DPIs, Formats []string
	Done                 string
	Problem              *problem
}

type quickSetRow struct {
	apitype.QuickSet
	// EntryNames are the names of the address book entries it sends to.
	EntryNames []string
}

// quickSetBook bounds the address book entries offered on the form.
const quickSetBook = 500

func (s *server) serveQuickSets(w http.ResponseWriter, r *http.Request) {
	d := &quickSetsPage{}
	switch q := r.URL.Query(); {
	case q.Has("saved"):
		d.Done = "The Quick Set is saved."
	case q.Has("deleted"):
		d.Done = "The Quick Set is deleted."
	}
	s.quickSetsPage(w, r, http.StatusOK, d)
}

func (s *server) quickSetsPage(w http.ResponseWriter, r *http.Request, code int, d *quickSetsPage) {
	fail := func(err error) {
		if d.Problem == nil {
			p := problemOf(err)
			d.Problem = &p
		}
	}
	book, err := s.api.Book(r.Context(), "", quickSetBook)
	if err != nil {
		fail(err)
	}
	d.Entries, d.Groups = book.Entries, book.Groups
	names := make(map[string]string)
	for _, e := range book.Entries {
		names[e.ID] = e.Name
	}
	list, err := s.api.QuickSets(r.Context())
	if err != nil {
		fail(err)
	}
	editID := r.URL.Query().Get("edit")
	for _, q := range list.QuickSets {
		row := quickSetRow{QuickSet: q}
		for _, id := range q.Entries {
			if n, ok := names[id]; ok {
				row.EntryNames = append(row.EntryNames, n)
			} else {
				row.EntryNames = append(row.EntryNames, "entry "+id)
			}
		}
		d.QuickSets = append(d.QuickSets, row)
		if editID != "" && q.ID == editID && d.Edit.Name == "" {
			d.Edit = q
		}
	}
	if d.EditTo == "" {
		d.EditTo = strings.Join(d.Edit.To, ", ")
	}
	if desc, err := s.api.DescribeConfig(r.Context()); err == nil {
		for _, info := range desc.Settings {
			switch info.Key {
			case "scan.mode":
				d.Modes = info.Choices
			case "scan.dpi":
				d.DPIs = info.Choices
			case "scan.format":
				d.Formats = info.Choices
			}
		}
	}
	s.render(w, code, "quicksets", page{Title: "Quick Sets", Nav: "quicksets", LoggedIn: true, Data: d})
}

func (s *server) postQuickSet(w http.ResponseWriter, r *http.Request) {
	if err := r.ParseForm(); err != nil {
		s.quickSetsPage(w, r, http.StatusBadRequest, &quickSetsPage{Problem: &problem{Summary: "The form could not be read.", Hint: "Reload the page and try again."}})
		return
	}
	f := r.PostForm
	q := apitype.QuickSet{
		ID:      f.Get("id"),
		Name:    strings.TrimSpace(f.Get("name")),
		To:      splitList(f.Get("to")),
		Entries: slices.DeleteFunc(slices.Clone(f["entry"]), func(s string) bool { return s == "" }),
		Groups:  slices.DeleteFunc(slices.Clone(f["group"]), func(s string) bool { return s == "" }),
		Options: apitype.ScanOptions{
			Mode:    f.Get("mode"),
			Format:  f.Get("format"),
			PerPage: f.Get("per_page") == "1",
			Duplex:  f.Get("duplex") == "1",
			Subject: strings.TrimSpace(f.Get("subject")),
		},
	}
	if dpi := f.Get("dpi"); dpi != "" {
		n, err := strconv.Atoi(dpi)
		if err != nil {
			s.quickSetsPage(w, r, http.StatusBadRequest, &quickSetsPage{Edit: q, EditTo: f.Get("to"), Problem: &problem{Summary: "The resolution is not a number.", Hint: "Choose one of the resolutions listed."}})
			return
		}
		q.Options.DPI = n
	}
	if _, err := s.api.PutQuickSet(r.Context(), q); err != nil {
		p := problemOf(err)
		s.quickSetsPage(w, r, http.StatusBadRequest, &quickSetsPage{Edit: q, EditTo: f.Get("to"), Problem: &p})
		return
	}
	http.Redirect(w, r, "/quicksets?saved", http.StatusSeeOther)
}

func (s *server) postQuickSetDelete(w http.ResponseWriter, r *http.Request) {
	if _, err := s.api.DeleteQuickSet(r.Context(), r.PostFormValue("id")); err != nil {
		p := problemOf(err)
		s.quickSetsPage(w, r, http.StatusConflict, &quickSetsPage{Problem: &p})
		return
	}
	http.Redirect(w, r, "/quicksets?deleted", http.StatusSeeOther)
}
