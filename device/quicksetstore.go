package device

import (
	"encoding/binary"
	"encoding/json"
	"fmt"
	"slices"
	"strings"

	bolt "go.etcd.io/bbolt"

	"scanmail/device/apitype"
)

// bucketQuickSets holds the Quick Sets, one quickSetRecord under its ID.
// It is made when the first is stored, and a daemon from before Quick
// Sets ignores it, so it needs no new schema version.
var bucketQuickSets = []byte("quicksets.v1")

// maxQuickSets bounds the Quick Sets: the panel lists them on one screen
// after another, and each is a button.
const maxQuickSets = 100

// quickSetRecord is a Quick Set as the state file holds it. Its name is
// unique, ignoring case. Entries are address book entry IDs, which may
// name an entry deleted since: the scan refuses it then, with words.
type quickSetRecord struct {
	ID      uint64         `json:"id"`
	Name    string         `json:"name"`
	To      []string       `json:"to,omitempty"`
	Entries []uint64       `json:"entries,omitempty"`
	Groups  []string       `json:"groups,omitempty"`
	Options scanOptsRecord `json:"options"`
}

type scanOptsRecord struct {
	Mode    string `json:"mode,omitempty"`
	DPI     int    `json:"dpi,omitempty"`
	Format  string `json:"format,omitempty"`
	PerPage bool   `json:"per_page,omitempty"`
	Subject string `json:"subject,omitempty"`
	// Duplex came after the first Quick Sets: a record without it is
	// 1-sided, as they all were.
	Duplex bool `json:"duplex,omitempty"`
}

// quickSets reads every Quick Set, by name. A record that cannot be read
// is left out, so that one damaged record does not hide the others.
func (st *Store) quickSets() ([]quickSetRecord, error) {
	var out []quickSetRecord
	err := st.db.View(func(tx *bolt.Tx) (err error) {
		out, err = readQuickSets(tx)
		return err
	})
	return out, err
}

func readQuickSets(tx *bolt.Tx) ([]quickSetRecord, error) {
	b := tx.Bucket(bucketQuickSets)
	if b == nil {
		return nil, nil
	}
	var out []quickSetRecord
	err := b.ForEach(func(k, v []byte) error {
		var r quickSetRecord
		if err := json.Unmarshal(v, &r); err != nil || len(k) != 8 || r.ID != binary.BigEndian.Uint64(k) {
			return nil
		}
		out = append(out, r)
		return nil
	})
	slices.SortFunc(out, func(a, b quickSetRecord) int {
		return strings.Compare(strings.ToLower(a.Name), strings.ToLower(b.Name))
	})
	return out, err
}

// putQuickSet creates the Quick Set (ID 0) or replaces the one with its
// ID.
func (st *Store) putQuickSet(r quickSetRecord) (quickSetRecord, error) {
	err := st.db.Update(func(tx *bolt.Tx) error {
		all, err := readQuickSets(tx)
		if err != nil {
			return err
		}
		if err := checkQuickSetPut(all, r); err != nil {
			return err
		}
		b, err := tx.CreateBucketIfNotExists(bucketQuickSets)
		if err != nil {
			return err
		}
		if r.ID == 0 {
			if r.ID, err = b.NextSequence(); err != nil {
				return err
			}
		}
		return putJSON(b, jobKey(r.ID), r)
	})
	return r, err
}

// checkQuickSetPut refuses to store r among all: an unknown ID, a name
// taken, or one too many.
func checkQuickSetPut(all []quickSetRecord, r quickSetRecord) error {
	found := r.ID == 0
	for _, q := range all {
		if q.ID == r.ID {
			found = true
			continue
		}
		if strings.EqualFold(q.Name, r.Name) {
			return &Error{Summary: fmt.Sprintf("Another Quick Set is named %q", q.Name), Hint: "Choose another name, or change that Quick Set.", Code: apitype.CodeInvalidRequest}
		}
	}
	switch {
	case !found:
		return errNoQuickSet(r.ID)
	case r.ID == 0 && len(all) >= maxQuickSets:
		return &Error{Summary: fmt.Sprintf("There are as many Quick Sets as the device keeps (%d)", maxQuickSets), Hint: "Delete a Quick Set no longer used.", Code: apitype.CodeInvalidRequest}
	}
	return nil
}

// deleteQuickSet deletes the Quick Set with ID id and returns it.
func (st *Store) deleteQuickSet(id uint64) (quickSetRecord, error) {
	var r quickSetRecord
	err := st.db.Update(func(tx *bolt.Tx) error {
		b := tx.Bucket(bucketQuickSets)
		if b == nil {
			return errNoQuickSet(id)
		}
		found, err := getJSON(b, jobKey(id), &r)
		if err != nil || !found {
			return errNoQuickSet(id)
		}
		return b.Delete(jobKey(id))
	})
	return r, err
}

func errNoQuickSet(id uint64) error {
	return &Error{Summary: fmt.Sprintf("No Quick Set %d", id), Hint: "List the Quick Sets for their IDs.", Code: apitype.CodeNoQuickSet}
}
