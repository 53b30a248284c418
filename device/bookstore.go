package device

import (
	"encoding/binary"
	"encoding/json"
	"fmt"
	"scanmail/device/apitype"
	"slices"
	"strings"
	"sync"
	"sync/atomic"

	bolt "go.etcd.io/bbolt"
)

// bucketBook holds the address book, one bookRecord per entry under its
// ID. A daemon from before the address book ignores the bucket, so it
// needs no new schema version.
var bucketBook = []byte("book.v1")

// maxBookEntries bounds the address book: the panel and a search must stay
// quick on the board.
const maxBookEntries = 10000

// bookRecord is an address book entry as the state file holds it. The
// address is unique in the book, ignoring case.
type bookRecord struct {
	ID        uint64   `json:"id"`
	Name      string   `json:"name"`
	Address   string   `json:"address"`
	Favourite bool     `json:"favourite,omitempty"`
	Groups    []string `json:"groups,omitempty"`
}

func (r bookRecord) same(o bookRecord) bool {
	return r.Name == o.Name && r.Address == o.Address && r.Favourite == o.Favourite && slices.Equal(r.Groups, o.Groups)
}

// addressBook keeps the index of the address book beside the state file.
type addressBook struct {
	mu sync.Mutex // one change at a time, so the index follows the file
	ix atomic.Pointer[bookIndex]
	// unreadable counts records skipped when the book was read.
	unreadable int
}

// loadBook reads the address book into its index. A record that cannot be
// read is left out, so that one damaged entry does not stop the daemon.
func (st *Store) loadBook() error {
	var recs []bookRecord
	err := st.db.View(func(tx *bolt.Tx) error {
		return tx.Bucket(bucketBook).ForEach(func(k, v []byte) error {
			var r bookRecord
			if err := json.Unmarshal(v, &r); err != nil || len(k) != 8 || r.ID != binary.BigEndian.Uint64(k) {
				st.book.unreadable++
				return nil
			}
			recs = append(recs, r)
			return nil
		})
	})
	if err != nil {
		return fmt.Errorf("address book: %w", err)
	}
	st.book.ix.Store(newBookIndex(recs, nil))
	return nil
}

// bookIndex is the address book as it is now.
func (st *Store) bookIndex() *bookIndex { return st.book.ix.Load() }

// putBookEntry creates the entry (ID 0) or replaces the one with its ID.
func (st *Store) putBookEntry(r bookRecord) (bookRecord, error) {
	st.book.mu.Lock()
	defer st.book.mu.Unlock()
	ix := st.bookIndex()
	entries := slices.Clone(ix.entries)
	pos, found := ix.byID[r.ID]
	switch {
	case r.ID != 0 && !found:
		return r, errNoBookEntry(r.ID)
	case r.ID == 0 && len(entries) >= maxBookEntries:
		return r, &Error{Summary: fmt.Sprintf("The address book is full (%d entries)", maxBookEntries), Hint: "Delete entries no longer used.", Code: apitype.CodeBookFull}
	}
	if other, taken := ix.byAddr[strings.ToLower(r.Address)]; taken && (r.ID == 0 || other != pos) {
		return r, &Error{
			Summary: fmt.Sprintf("%s is already in the address book, as %q", r.Address, ix.entries[other].Name),
			Hint:    "Change that entry instead.",
			Code:    apitype.CodeBookConflict,
		}
	}
	err := st.db.Update(func(tx *bolt.Tx) error {
		b := tx.Bucket(bucketBook)
		if r.ID == 0 {
			id, err := b.NextSequence()
			if err != nil {
				return err
			}
			r.ID = id
		}
		return putJSON(b, jobKey(r.ID), r)
	})
	if err != nil {
		return r, err
	}
	if found {
		entries[pos] = r
	} else {
		entries = append(entries, r)
	}
	st.book.ix.Store(newBookIndex(entries, ix))
	return r, nil
}

// deleteBookEntry deletes the entry with ID id and returns it.
func (st *Store) deleteBookEntry(id uint64) (bookRecord, error) {
	st.book.mu.Lock()
	defer st.book.mu.Unlock()
	ix := st.bookIndex()
	pos, found := ix.byID[id]
	if !found {
		return bookRecord{}, errNoBookEntry(id)
	}
	err := st.db.Update(func(tx *bolt.Tx) error { return tx.Bucket(bucketBook).Delete(jobKey(id)) })
	if err != nil {
		return bookRecord{}, err
	}
	st.book.ix.Store(newBookIndex(slices.Delete(slices.Clone(ix.entries), pos, pos+1), ix))
	return ix.entries[pos], nil
}

// bookMerge is what merging records into the book does.
type bookMerge struct {
	added, changed, unchanged int
}

// mergeBook adds the records whose address is not in the book and
// changes the entries whose address is, all in one transaction; on a dry
// run it only counts. The records' addresses must differ from each other.
func (st *Store) mergeBook(recs []bookRecord, dryRun bool) (bookMerge, error) {
	st.book.mu.Lock()
	defer st.book.mu.Unlock()
	ix := st.bookIndex()
	m, puts, err := planBookMerge(ix, recs)
	if err != nil || dryRun || len(puts) == 0 {
		return m, err
	}
	err = st.db.Update(func(tx *bolt.Tx) error { return putBookRecords(tx, puts) })
	if err != nil {
		return bookMerge{}, err
	}
	st.book.ix.Store(mergedBookIndex(ix, puts))
	return m, nil
}

// planBookMerge counts what merging recs into the book ix does, and
// returns the records to write: the new ones with ID 0, the changed ones
// with their entry's ID. The caller holds st.book.mu.
func planBookMerge(ix *bookIndex, recs []bookRecord) (bookMerge, []bookRecord, error) {
	var m bookMerge
	var puts []bookRecord
	for _, r := range recs {
		pos, found := ix.byAddr[strings.ToLower(r.Address)]
		switch {
		case !found:
			m.added++
			r.ID = 0
			puts = append(puts, r)
		case ix.entries[pos].same(r):
			m.unchanged++
		default:
			m.changed++
			r.ID = ix.entries[pos].ID
			puts = append(puts, r)
		}
	}
	if n := len(ix.entries) + m.added; n > maxBookEntries {
		return m, nil, &Error{
			Summary: fmt.Sprintf("The address book would hold %d entries, more than the %d it can", n, maxBookEntries),
			Hint:    "Import fewer entries, or delete entries no longer used.",
			Code:    apitype.CodeBookFull,
		}
	}
	return m, puts, nil
}

// putBookRecords writes the records planBookMerge returned in tx, giving
// each new one its ID.
func putBookRecords(tx *bolt.Tx, puts []bookRecord) error {
	b := tx.Bucket(bucketBook)
	for i, r := range puts {
		if r.ID == 0 {
			id, err := b.NextSequence()
			if err != nil {
				return err
			}
			puts[i].ID = id
		}
		if err := putJSON(b, jobKey(puts[i].ID), puts[i]); err != nil {
			return err
		}
	}
	return nil
}

// mergedBookIndex is ix with the records written by putBookRecords.
func mergedBookIndex(ix *bookIndex, puts []bookRecord) *bookIndex {
	entries := slices.Clone(ix.entries)
	for _, r := range puts {
		if pos, found := ix.byID[r.ID]; found {
			entries[pos] = r
		} else {
			entries = append(entries, r)
		}
	}
	return newBookIndex(entries, ix)
}

func errNoBookEntry(id uint64) error {
	return &Error{Summary: fmt.Sprintf("No address book entry %d", id), Hint: "Search the address book for the entry's ID.", Code: apitype.CodeNoEntry}
}
