package device

import (
	"time"

	bolt "go.etcd.io/bbolt"
)

// bucketAdmin holds the admin secrets' records: the panel's PIN and the
// web pages' password. It is made when one is first set, and a daemon
// from before them ignores it, so it needs no new schema version.
var (
	bucketAdmin = []byte("admin.v1")
	keyPIN      = []byte("pin")
	keyPassword = []byte("password")
)

// secretRecord is an admin secret as the state file keeps it: its hash
// (nil when none is set) and the wrong tries since the last right one, so
// that a restart does not give a guesser fresh tries.
type secretRecord struct {
	Hash        *secretHash `json:"hash,omitempty"`
	Failures    int         `json:"failures,omitempty"`
	LastFailure time.Time   `json:"last_failure,omitzero"`
}

// secret reads the record at key; the zero record when none is set.
func (st *Store) secret(key []byte) (secretRecord, error) {
	var r secretRecord
	err := st.db.View(func(tx *bolt.Tx) error {
		b := tx.Bucket(bucketAdmin)
		if b == nil {
			return nil
		}
		_, err := getJSON(b, key, &r)
		return err
	})
	return r, err
}

// putSecret stores the record at key; the zero record deletes it. also,
// when not nil, runs in the same transaction.
func (st *Store) putSecret(key []byte, r secretRecord, also func(*bolt.Tx) error) error {
	return st.db.Update(func(tx *bolt.Tx) error {
		b, err := tx.CreateBucketIfNotExists(bucketAdmin)
		if err != nil {
			return err
		}
		if r.Hash == nil && r.Failures == 0 {
			err = b.Delete(key)
		} else {
			err = putJSON(b, key, r)
		}
		if err != nil || also == nil {
			return err
		}
		return also(tx)
	})
}
