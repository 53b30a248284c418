package device

import (
	"errors"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"unicode"
	"unicode/utf8"

	"scanmail/device/apitype"
)

// Bounds of a Quick Set: its name is a button on the panel.
const (
	maxQuickSetName = 40 // characters
)

// QuickSets lists every Quick Set, by name.
func (d *Device) QuickSets() (apitype.QuickSetList, error) {
	recs, err := d.store.quickSets()
	if err != nil {
		return apitype.QuickSetList{}, err
	}
	l := apitype.QuickSetList{QuickSets: make([]apitype.QuickSet, 0, len(recs))}
	for _, r := range recs {
		l.QuickSets = append(l.QuickSets, r.quickSet())
	}
	return l, nil
}

// PutQuickSet creates a Quick Set (no ID) or changes the one with q's ID.
// Its destinations are checked as a scan's are, now: the addresses, and
// that its address book entries and groups exist.
func (d *Device) PutQuickSet(q apitype.QuickSet) (apitype.QuickSet, error) {
	r, err := d.quickSetRecordOf(q)
	if err != nil {
		return q, err
	}
	if q.ID != "" {
		if r.ID, err = parseQuickSetID(q.ID); err != nil {
			return q, err
		}
	}
	if r, err = d.store.putQuickSet(r); err != nil {
		return q, err
	}
	d.log.Info("quick set stored", "quickset", r.ID)
	q = r.quickSet()
	d.publish(apitype.Notify{Kind: apitype.NotifyQuickSet, QuickSet: &q})
	return q, nil
}

// DeleteQuickSet deletes the Quick Set with ID id and returns it.
func (d *Device) DeleteQuickSet(id string) (apitype.QuickSet, error) {
	n, err := parseQuickSetID(id)
	if err != nil {
		return apitype.QuickSet{}, err
	}
	r, err := d.store.deleteQuickSet(n)
	if err != nil {
		return apitype.QuickSet{}, err
	}
	d.log.Info("quick set deleted", "quickset", r.ID)
	q := r.quickSet()
	d.publish(apitype.Notify{Kind: apitype.NotifyQuickSet, QuickSet: &q, Deleted: true})
	return q, nil
}

func parseQuickSetID(s string) (uint64, error) {
	n, err := strconv.ParseUint(s, 10, 64)
	if err != nil || n == 0 {
		return 0, &Error{Summary: fmt.Sprintf("%q is not a Quick Set ID", s), Hint: "List the Quick Sets for their IDs.", Code: apitype.CodeInvalidRequest}
	}
	return n, nil
}

func (r quickSetRecord) quickSet() apitype.QuickSet {
	q := apitype.QuickSet{
		ID:     strconv.FormatUint(r.ID, 10),
		Name:   r.Name,
		To:     slices.Clone(r.To),
		Groups: slices.Clone(r.Groups),
		Options: apitype.ScanOptions{
			Mode: r.Options.Mode, DPI: r.Options.DPI, Format: r.Options.Format,
			PerPage: r.Options.PerPage, Subject: r.Options.Subject, Duplex: r.Options.Duplex,
		},
	}
	for _, e := range r.Entries {
		q.Entries = append(q.Entries, strconv.FormatUint(e, 10))
	}
	return q
}

// quickSetRecordOf checks q against the address book as it is now and
// returns it as the store keeps it: the addresses plain, the entries and
// groups without repeats. It leaves the ID out.
func (d *Device) quickSetRecordOf(q apitype.QuickSet) (quickSetRecord, error) {
	r, err := quickSetRecordOf(q)
	if err != nil {
		return r, err
	}
	// Checked as a scan's recipients are, the address book's included.
	if _, err := d.scanRecipients(apitype.ScanRequest{To: r.To, Entries: r.quickSet().Entries, Groups: r.Groups}); err != nil {
		return r, err
	}
	return r, nil
}

// quickSetRecordOf checks what q says on its own: the name, the form of
// the addresses and entry IDs, the options.
func quickSetRecordOf(q apitype.QuickSet) (quickSetRecord, error) {
	refused := func(err error) error {
		return &Error{Summary: "Quick Set not stored", Hint: "Fix the Quick Set and store it again.", Code: apitype.CodeInvalidRequest, Err: err}
	}
	r := quickSetRecord{Name: strings.TrimSpace(q.Name)}
	switch n := utf8.RuneCountInString(r.Name); {
	case n == 0:
		return r, refused(errors.New("the name is empty"))
	case n > maxQuickSetName:
		return r, refused(fmt.Errorf("the name is longer than %d characters", maxQuickSetName))
	case !showable(r.Name):
		return r, refused(errors.New("the name holds a character the panel cannot show"))
	}
	if strings.Join(q.To, "") != "" {
		to, err := recipients(q.To)
		if err != nil {
			return r, err
		}
		r.To = to
	}
	for _, s := range q.Entries {
		id, err := parseBookID(strings.TrimSpace(s))
		if err != nil {
			return r, err
		}
		if !slices.Contains(r.Entries, id) {
			r.Entries = append(r.Entries, id)
		}
	}
	for _, g := range q.Groups {
		if g = strings.TrimSpace(g); g != "" && !slices.ContainsFunc(r.Groups, func(h string) bool { return strings.EqualFold(g, h) }) {
			r.Groups = append(r.Groups, g)
		}
	}
	opts, err := quickSetOptions(q.Options)
	if err != nil {
		return r, refused(err)
	}
	r.Options = opts
	return r, nil
}

// quickSetOptions checks a Quick Set's options as a job's are, so that
// a Quick Set stored is one a scan takes; a zero field takes the device's
// setting when the Quick Set is used.
func quickSetOptions(o apitype.ScanOptions) (scanOptsRecord, error) {
	s := DefaultSettings()
	if err := checkOptions(&s, o); err != nil {
		return scanOptsRecord{}, err
	}
	return scanOptsRecord{
		Mode: strings.TrimSpace(o.Mode), DPI: o.DPI, Format: strings.TrimSpace(o.Format),
		PerPage: o.PerPage, Subject: strings.TrimSpace(o.Subject), Duplex: o.Duplex,
	}, nil
}

// showable reports whether s is UTF-8 with nothing but printable
// characters and plain spaces.
func showable(s string) bool {
	return utf8.ValidString(s) && !strings.ContainsFunc(s, func(c rune) bool { return !unicode.IsPrint(c) })
}
