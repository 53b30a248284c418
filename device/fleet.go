package device

import (
	"errors"
	"fmt"
	"slices"
	"strings"

	bolt "go.etcd.io/bbolt"

	"scanmail/device/apitype"
)

// ExportConfig is the device's configuration for another device: every
// setting but the secret ones and the device address, and the address
// book. The device address is left out because it is the account's: the
// other device's own first sign-in sets it to its account, and an
// imported one would make that sign-in fail as another account.
func (d *Device) ExportConfig() (apitype.ConfigExport, error) {
	s, err := d.store.Settings()
	if err != nil {
		return apitype.ConfigExport{}, err
	}
	out := apitype.ConfigExport{Format: apitype.ConfigFormat, Version: apitype.ConfigVersion, Settings: map[string]string{}, Book: []apitype.BookEntry{}}
	for _, st := range settingsTable() {
		if exported(st) {
			out.Settings[st.key] = st.rawValue(&s)
		}
	}
	for _, r := range d.store.bookIndex().entries {
		e := r.entry()
		e.ID = "" // each device numbers its own
		out.Book = append(out.Book, e)
	}
	if out.QuickSets, err = d.exportedQuickSets(); err != nil {
		return apitype.ConfigExport{}, err
	}
	return out, nil
}

func exported(st setting) bool { return !st.secret && !st.perDevice }

// ImportConfig sets the settings of an export, merges its address book
// by address (as ImportBook) and its Quick Sets by name, all in one
// transaction: when any setting, entry or Quick Set is refused nothing is
// changed. Settings the export leaves out are
// kept. A dry run checks it all and reports what would change.
func (d *Device) ImportConfig(cfg apitype.ConfigExport, dryRun bool) (apitype.ConfigImport, error) {
	rep := apitype.ConfigImport{DryRun: dryRun, Settings: []apitype.SettingChange{}}
	if cfg.Format != apitype.ConfigFormat || cfg.Version != apitype.ConfigVersion {
		return rep, &Error{
			Summary: fmt.Sprintf("Not a configuration this device reads (format %q version %d; it reads %q version %d)", cfg.Format, cfg.Version, apitype.ConfigFormat, apitype.ConfigVersion),
			Hint:    "Export the configuration again from a device of this version.",
			Code:    apitype.CodeInvalidRequest,
		}
	}
	kvs, err := importedSettings(cfg.Settings)
	if err != nil {
		return rep, err
	}
	recs, err := importedBook(cfg.Book)
	if err != nil {
		return rep, err
	}
	qs, err := importedQuickSets(cfg.QuickSets)
	if err != nil {
		return rep, err
	}
	before, after, m, err := d.store.importConfig(func(s *Settings) error { return s.setAll(kvs) }, recs, qs, dryRun)
	if ve, ok := errors.AsType[*valueError](err); ok {
		return rep, importSettingError(ve)
	}
	if err != nil {
		return rep, err
	}
	for _, st := range settingsTable() {
		if o, n := st.get(&before), st.get(&after); o != n && !st.secret {
			rep.Settings = append(rep.Settings, apitype.SettingChange{Key: st.key, Old: o, New: n})
		}
	}
	rep.Book = apitype.BookImport{DryRun: dryRun, Added: m.added, Changed: m.changed, Unchanged: m.unchanged}
	rep.QuickSets = m.quickSets
	if !dryRun {
		d.log.Info("configuration imported", "settings", len(rep.Settings), "added", m.added, "changed", m.changed,
			"quicksets_added", m.quickSets.Added, "quicksets_changed", m.quickSets.Changed)
		d.kick()
		var changed []apitype.SettingValue
		for _, c := range rep.Settings {
			changed = append(changed, apitype.SettingValue{Key: c.Key})
		}
		if len(changed) > 0 {
			d.publishSettings(after, changed)
		}
		if m.added+m.changed > 0 {
			d.publish(apitype.Notify{Kind: apitype.NotifyBook})
		}
		for _, r := range m.quickSetPuts {
			q := r.quickSet()
			d.publish(apitype.Notify{Kind: apitype.NotifyQuickSet, QuickSet: &q})
		}
	}
	return rep, nil
}

// importedSettings are the settings of an import in table order; a key
// not exported is refused, so that a file made by hand cannot set the
// device address or a secret.
func importedSettings(m map[string]string) ([]apitype.SettingValue, error) {
	var kvs []apitype.SettingValue
	known := map[string]bool{}
	for _, st := range settingsTable() {
		known[st.key] = exported(st)
		if v, ok := m[st.key]; ok && exported(st) {
			kvs = append(kvs, apitype.SettingValue{Key: st.key, Value: v})
		}
	}
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	for _, k := range keys {
		if !known[k] {
			why := fmt.Errorf("%q is not a setting an import sets", k)
			if k == "device_address" {
				why = fmt.Errorf("the device address is not imported: each device's own sign-in sets it")
			}
			return nil, importSettingError(&valueError{key: k, err: why})
		}
	}
	return kvs, nil
}

// importSettingError is a setting of an import refused.
func importSettingError(ve *valueError) error {
	return &Error{
		// The words name no key (see apitype.Error): Key does.
		Summary: "Configuration not imported: a setting is refused",
		Hint:    "Fix the setting in the file and import it again; nothing was changed.",
		Code:    apitype.CodeInvalidSetting,
		Key:     ve.key,
		Err:     ve.err,
	}
}

// importedBook checks the entries of an import as ImportBook checks rows.
func importedBook(entries []apitype.BookEntry) ([]bookRecord, error) {
	if len(entries) > maxBookRows {
		return nil, &Error{Summary: fmt.Sprintf("The address book of the import has more than %d entries", maxBookRows), Code: apitype.CodeBookFull}
	}
	recs := make([]bookRecord, 0, len(entries))
	seen := map[string]int{}
	for i, e := range entries {
		r, err := bookRecordOf(e)
		if err == nil {
			if j, dup := seen[strings.ToLower(r.Address)]; dup {
				err = fmt.Errorf("the address %s is also entry %d's", r.Address, j+1)
			}
		}
		if err != nil {
			return nil, &Error{
				Summary: fmt.Sprintf("Address book entry %d (%q) of the import refused", i+1, e.Name),
				Hint:    "Fix the entry in the file and import it again; nothing was changed.",
				Code:    apitype.CodeInvalidRequest,
				Err:     err,
			}
		}
		seen[strings.ToLower(r.Address)] = i
		recs = append(recs, r)
	}
	return recs, nil
}

// configMerge is what an import merges: the address book, and the Quick
// Sets with those written.
type configMerge struct {
	bookMerge
	quickSets    apitype.QuickSetImport
	quickSetPuts []quickSetRecord
}

// importConfig changes the settings with fn, merges recs into the address
// book and qs into the Quick Sets, in one transaction; a dry run changes
// nothing. It returns the settings before and after.
func (st *Store) importConfig(fn func(*Settings) error, recs []bookRecord, qs []importedQuickSet, dryRun bool) (before, after Settings, m configMerge, err error) {
	st.book.mu.Lock()
	defer st.book.mu.Unlock()
	ix := st.bookIndex()
	bm, puts, err := planBookMerge(ix, recs)
	m.bookMerge = bm
	if err != nil {
		return before, after, m, err
	}
	txn := st.db.Update
	if dryRun {
		txn = st.db.View
	}
	err = txn(func(tx *bolt.Tx) error {
		b := tx.Bucket(bucketSettings)
		s, err := getSettings(b)
		if err != nil {
			return err
		}
		before = s
		if err := fn(&s); err != nil {
			return err
		}
		after = s
		if !dryRun {
			if err := putSettings(b, s); err != nil {
				return err
			}
			if err := putBookRecords(tx, puts); err != nil {
				return err
			}
		}
		// The Quick Sets' entries and groups are those of the book as
		// merged (on a dry run, new entries have no ID yet).
		merged := ix
		if len(puts) > 0 {
			merged = mergedBookIndex(ix, puts)
		}
		m.quickSets, m.quickSetPuts, err = mergeQuickSets(tx, merged, qs, dryRun)
		if err == nil && !dryRun && len(puts) > 0 {
			ix = merged
		}
		return err
	})
	if err != nil {
		return before, after, configMerge{}, err
	}
	if !dryRun && len(puts) > 0 {
		st.book.ix.Store(ix)
	}
	return before, after, m, nil
}
