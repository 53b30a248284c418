package device

import (
	"time"

	bolt "go.etcd.io/bbolt"
)

// bucketAdmin holds the admin PIN's record. It is made when a PIN is
// first set, and a daemon from before the PIN ignores it, so it needs no
// new schema version.
var (
	bucketAdmin = []byte("admin.v1")
	keyPIN      = []byte("pin")
)

// pinRecord is the admin PIN as the state file keeps it: its hash (nil
// when none is set) and the wrong tries since the last right one, so that
// a restart does not give a guesser fresh tries.
type pinRecord struct {
	Hash        *pinHashRecord `json:"hash,omitempty"`
	Failures    int            `json:"failures,omitempty"`
	LastFailure time.Time      `json:"last_failure,omitzero"`
}

// pin reads the admin PIN's record; the zero record when none is set.
func (st *Store) pin() (pinRecord, error) {
	var r pinRecord
	err := st.db.View(func(tx *bolt.Tx) error {
		b := tx.Bucket(bucketAdmin)
		if b == nil {
			return nil
		}
		_, err := getJSON(b, keyPIN, &r)
		return err
	})
	return r, err
}

// putPIN stores the admin PIN's record; the zero record deletes it.
func (st *Store) putPIN(r pinRecord) error {
	return st.db.Update(func(tx *bolt.Tx) error {
		b, err := tx.CreateBucketIfNotExists(bucketAdmin)
		if err != nil {
			return err
		}
		if r.Hash == nil && r.Failures == 0 {
			return b.Delete(keyPIN)
		}
		return putJSON(b, keyPIN, r)
	})
}
