package device

import (
	"fmt"
	"slices"
	"strings"

	bolt "go.etcd.io/bbolt"

	"scanmail/device/apitype"
)

// exportedQuickSets are the Quick Sets as an export carries them: without
// IDs, their address book entries named by address, since each device
// numbers its own entries. An entry deleted since is left out, and so is
// a group no one is in any more (an import checks a Quick Set's groups as
// PutQuickSet does); a Quick Set left with no destination is too, as no
// device could store it.
func (d *Device) exportedQuickSets() ([]apitype.QuickSet, error) {
	recs, err := d.store.quickSets()
	if err != nil {
		return nil, err
	}
	ix := d.store.bookIndex()
	var out []apitype.QuickSet
	for _, r := range recs {
		q := r.quickSet()
		q.ID, q.Entries = "", nil
		for _, id := range r.Entries {
			if pos, ok := ix.byID[id]; ok {
				q.Entries = append(q.Entries, ix.entries[pos].Address)
			}
		}
		q.Groups = slices.DeleteFunc(q.Groups, func(g string) bool { return len(ix.group(g)) == 0 })
		if len(q.To)+len(q.Entries)+len(q.Groups) == 0 {
			d.log.Warn("quick set not exported: its address book entries and groups are gone", "quickset", r.ID)
			continue
		}
		out = append(out, q)
	}
	return out, nil
}

// importedQuickSet is a Quick Set of an import, checked on its own; its
// entries are addresses until the address book merged with the import's
// gives their IDs.
type importedQuickSet struct {
	rec     quickSetRecord
	entries []string
}

// importedQuickSets checks the Quick Sets of an import as PutQuickSet
// checks one, but for the address book, which is the merged one.
func importedQuickSets(qs []apitype.QuickSet) ([]importedQuickSet, error) {
	if len(qs) > maxQuickSets {
		return nil, &Error{Summary: fmt.Sprintf("The import has more than %d Quick Sets", maxQuickSets), Hint: "Import fewer Quick Sets.", Code: apitype.CodeInvalidRequest}
	}
	out := make([]importedQuickSet, 0, len(qs))
	for i, q := range qs {
		refused := func(err error) error {
			return &Error{
				Summary: fmt.Sprintf("Quick Set %d (%q) of the import refused", i+1, q.Name),
				Hint:    "Fix the Quick Set in the file and import it again; nothing was changed.",
				Code:    apitype.CodeInvalidRequest,
				Err:     err,
			}
		}
		entries := q.Entries
		q.Entries = nil
		r, err := quickSetRecordOf(q)
		if err != nil {
			return nil, refused(err)
		}
		imp := importedQuickSet{rec: r}
		for _, e := range entries {
			a, err := parseBareAddress(strings.TrimSpace(e))
			if err != nil {
				return nil, refused(fmt.Errorf("the address book entry %q is not named by its address", e))
			}
			imp.entries = append(imp.entries, a)
		}
		if slices.ContainsFunc(out, func(o importedQuickSet) bool { return strings.EqualFold(o.rec.Name, r.Name) }) {
			return nil, refused(fmt.Errorf("another Quick Set of the import is named %q", r.Name))
		}
		out = append(out, imp)
	}
	return out, nil
}

// mergeQuickSets merges the imported Quick Sets into those of tx by name,
// their entries and groups found in ix, the address book as merged with
// the import. A dry run only counts.
func mergeQuickSets(tx *bolt.Tx, ix *bookIndex, in []importedQuickSet, dryRun bool) (apitype.QuickSetImport, []quickSetRecord, error) {
	var m apitype.QuickSetImport
	all, err := readQuickSets(tx)
	if err != nil || len(in) == 0 {
		return m, nil, err
	}
	var puts []quickSetRecord
	for _, imp := range in {
		r := imp.rec
		var addrs []string
		for _, a := range imp.entries {
			pos, ok := ix.byAddr[strings.ToLower(a)]
			if !ok {
				return m, nil, importQuickSetError(r, fmt.Errorf("%s is not in the address book", a))
			}
			if id := ix.entries[pos].ID; !slices.Contains(r.Entries, id) || id == 0 {
				r.Entries = append(r.Entries, id)
			}
			addrs = append(addrs, a)
		}
		for _, g := range r.Groups {
			members := ix.group(g)
			if len(members) == 0 {
				return m, nil, importQuickSetError(r, fmt.Errorf("no one is in the group %q", g))
			}
			for _, e := range members {
				addrs = append(addrs, e.Address)
			}
		}
		if _, err := recipients(append(slices.Clone(r.To), addrs...)); err != nil {
			return m, nil, importQuickSetError(r, err)
		}
		i := slices.IndexFunc(all, func(q quickSetRecord) bool { return strings.EqualFold(q.Name, r.Name) })
		switch {
		case i < 0:
			m.Added++
			puts = append(puts, r)
		case sameQuickSet(all[i], r):
			m.Unchanged++
		default:
			m.Changed++
			r.ID = all[i].ID
			puts = append(puts, r)
		}
	}
	if n := len(all) + m.Added; n > maxQuickSets {
		return m, nil, &Error{
			Summary: fmt.Sprintf("There would be %d Quick Sets, more than the %d the device keeps", n, maxQuickSets),
			Hint:    "Import fewer Quick Sets, or delete some no longer used.",
			Code:    apitype.CodeInvalidRequest,
		}
	}
	if dryRun || len(puts) == 0 {
		return m, puts, nil
	}
	b, err := tx.CreateBucketIfNotExists(bucketQuickSets)
	if err != nil {
		return m, nil, err
	}
	for i := range puts {
		if puts[i].ID == 0 {
			if puts[i].ID, err = b.NextSequence(); err != nil {
				return m, nil, err
			}
		}
		if err := putJSON(b, jobKey(puts[i].ID), puts[i]); err != nil {
			return m, nil, err
		}
	}
	return m, puts, nil
}

// sameQuickSet reports whether a and b, IDs apart, are the same.
func sameQuickSet(a, b quickSetRecord) bool {
	return a.Name == b.Name && slices.Equal(a.To, b.To) && slices.Equal(a.Entries, b.Entries) &&
		slices.Equal(a.Groups, b.Groups) && a.Options == b.Options
}

func importQuickSetError(r quickSetRecord, err error) error {
	return &Error{
		Summary: fmt.Sprintf("Quick Set %q of the import refused", r.Name),
		Hint:    "Fix the Quick Set or the address book in the file and import it again; nothing was changed.",
		Code:    apitype.CodeInvalidRequest,
		Err:     err,
	}
}
