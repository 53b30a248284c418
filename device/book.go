package device

import (
	"errors"
	"fmt"
	"io"
	"slices"
	"strconv"
	"strings"
	"unicode"
	"unicode/utf8"

	"scanmail/device/apitype"
)

// Bounds of an address book entry: the panel shows a name on one line,
// and a hostile import must not fill the state file.
const (
	maxBookName   = 128 // bytes
	maxBookGroup  = 64  // bytes
	maxBookGroups = 16  // per entry
	maxAddressLen = 254 // RFC 5321's path, less the brackets
)

// Book searches the address book: the entries of which every word of q
// begins a word of the name or the address, ignoring case, favourites
// first, at most limit of them. An empty q lists the book.
func (d *Device) Book(q string, limit int) apitype.BookList {
	ix := d.store.bookIndex()
	recs, matches := ix.search(q, max(limit, 0))
	// The index is shared and never changed: the answer gets copies.
	l := apitype.BookList{Entries: make([]apitype.BookEntry, 0, len(recs)), Matches: matches, Groups: append([]string{}, ix.groups...)}
	for _, r := range recs {
		l.Entries = append(l.Entries, r.entry())
	}
	return l
}

// PutBookEntry creates an entry (no ID) or changes the one with e's ID.
func (d *Device) PutBookEntry(e apitype.BookEntry) (apitype.BookEntry, error) {
	r, err := bookRecordOf(e)
	if err != nil {
		return e, &Error{Summary: "Address book entry not stored", Hint: "Fix the entry and store it again.", Code: apitype.CodeInvalidRequest, Err: err}
	}
	if e.ID != "" {
		if r.ID, err = parseBookID(e.ID); err != nil {
			return e, err
		}
	}
	r, err = d.store.putBookEntry(r)
	if err != nil {
		return e, err
	}
	d.log.Info("address book entry stored", "entry", r.ID)
	e = r.entry()
	d.publish(apitype.Notify{Kind: apitype.NotifyBook, Book: &e})
	return e, nil
}

// DeleteBookEntry deletes the entry with ID id and returns it.
func (d *Device) DeleteBookEntry(id string) (apitype.BookEntry, error) {
	n, err := parseBookID(id)
	if err != nil {
		return apitype.BookEntry{}, err
	}
	r, err := d.store.deleteBookEntry(n)
	if err != nil {
		return apitype.BookEntry{}, err
	}
	d.log.Info("address book entry deleted", "entry", r.ID)
	e := r.entry()
	d.publish(apitype.Notify{Kind: apitype.NotifyBook, Book: &e})
	return e, nil
}

// ExportBook writes the whole address book in format: apitype.BookCSV,
// which ImportBook reads back, or apitype.BookVCard.
func (d *Device) ExportBook(w io.Writer, format string) error {
	entries := d.store.bookIndex().entries
	switch format {
	case apitype.BookCSV, "":
		return writeBookCSV(w, entries)
	case apitype.BookVCard:
		return writeVCards(w, entries)
	}
	return &Error{Summary: fmt.Sprintf("No address book format %q", format), Hint: "Export as csv or vcard.", Code: apitype.CodeInvalidRequest}
}

// bookAddresses are the addresses of the entries with the IDs given and of
// every entry in the groups given, for a scan's recipients.
func (d *Device) bookAddresses(ids, groups []string) ([]string, error) {
	ix := d.store.bookIndex()
	var out []string
	for _, id := range ids {
		n, err := parseBookID(id)
		if err != nil {
			return nil, err
		}
		pos, ok := ix.byID[n]
		if !ok {
			return nil, errNoBookEntry(n)
		}
		out = append(out, ix.entries[pos].Address)
	}
	for _, g := range groups {
		members := ix.group(g)
		if len(members) == 0 {
			return nil, &Error{Summary: fmt.Sprintf("No one is in the group %q", g), Hint: "Choose another group, or add entries to this one.", Code: apitype.CodeNoEntry}
		}
		for _, r := range members {
			out = append(out, r.Address)
		}
	}
	return out, nil
}

func parseBookID(s string) (uint64, error) {
	n, err := strconv.ParseUint(s, 10, 64)
	if err != nil || n == 0 {
		return 0, &Error{Summary: fmt.Sprintf("%q is not an address book entry ID", s), Hint: "Search the address book for the entry's ID.", Code: apitype.CodeInvalidRequest}
	}
	return n, nil
}

func (r bookRecord) entry() apitype.BookEntry {
	return apitype.BookEntry{
		ID:        strconv.FormatUint(r.ID, 10),
		Name:      r.Name,
		Address:   r.Address,
		Favourite: r.Favourite,
		Groups:    slices.Clone(r.Groups),
	}
}

// bookRecordOf checks an entry and returns it as the store keeps it:
// trimmed, its groups sorted and without repeats. It leaves the ID out.
func bookRecordOf(e apitype.BookEntry) (bookRecord, error) {
	r := bookRecord{Name: strings.TrimSpace(e.Name), Favourite: e.Favourite}
	if err := checkBookText("name", r.Name, maxBookName); err != nil {
		return r, err
	}
	if r.Name == "" {
		return r, errors.New("the name is empty")
	}
	addr := strings.TrimSpace(e.Address)
	if len(addr) > maxAddressLen {
		return r, fmt.Errorf("the address is longer than %d characters", maxAddressLen)
	}
	// Kept only as the SMTP envelope will carry it (mailer.ParseAddress's
	// round trip).
	a, err := parseBareAddress(addr)
	if err != nil {
		return r, err
	}
	r.Address = a
	for _, g := range e.Groups {
		g = strings.TrimSpace(g)
		if g == "" {
			continue
		}
		if err := checkBookText("group", g, maxBookGroup); err != nil {
			return r, err
		}
		if strings.Contains(g, ";") {
			return r, fmt.Errorf("the group %q holds a semicolon, which separates groups", g)
		}
		if !slices.ContainsFunc(r.Groups, func(h string) bool { return strings.EqualFold(g, h) }) {
			r.Groups = append(r.Groups, g)
		}
	}
	if len(r.Groups) > maxBookGroups {
		return r, fmt.Errorf("more than %d groups", maxBookGroups)
	}
	slices.Sort(r.Groups)
	return r, nil
}

// checkBookText refuses text the panel cannot show on one line.
func checkBookText(what, s string, limit int) error {
	switch {
	case len(s) > limit:
		return fmt.Errorf("the %s is longer than %d bytes", what, limit)
	case !utf8.ValidString(s):
		return fmt.Errorf("the %s is not UTF-8", what)
	case strings.ContainsFunc(s, unicode.IsControl):
		return fmt.Errorf("the %s holds a control character", what)
	}
	return nil
}

// scanRecipients are the addresses a scan goes to: those given, and those
// of the address book entries and groups given.
func (d *Device) scanRecipients(req apitype.ScanRequest) ([]string, error) {
	fromBook, err := d.bookAddresses(req.Entries, req.Groups)
	if err != nil {
		return nil, err
	}
	return recipients(append(slices.Clone(req.To), fromBook...))
}
