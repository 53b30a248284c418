package device

import (
	"bytes"
	"encoding/json"
	"time"

	bolt "go.etcd.io/bbolt"
)

// bucketSessions holds the web pages' sessions, each under the SHA-256 of
// its ID: a copied state file gives no cookie that logs in. It is made by
// the first login, and a daemon from before the web pages ignores it, so
// it needs no new schema version.
var bucketSessions = []byte("sessions.v1")

// sessionRecord is a web session as the state file keeps it.
type sessionRecord struct {
	Created time.Time `json:"created"`
	// LastUse is the last use written, at most sessionTouch before the
	// last use (see Device.CheckSession).
	LastUse time.Time `json:"last_use"`
}

// session reads the session stored under key.
func (st *Store) session(key []byte) (rec sessionRecord, found bool, err error) {
	err = st.db.View(func(tx *bolt.Tx) error {
		b := tx.Bucket(bucketSessions)
		if b == nil {
			return nil
		}
		found, err = getJSON(b, key, &rec)
		return err
	})
	return rec, found, err
}

// addSession stores a new session under key, after removing the sessions
// ended at now, and the oldest ones while more than max-1 are left.
func (st *Store) addSession(key []byte, rec sessionRecord, now time.Time, max int) error {
	return st.db.Update(func(tx *bolt.Tx) error {
		b, err := tx.CreateBucketIfNotExists(bucketSessions)
		if err != nil {
			return err
		}
		if _, err := removeSessions(b, now); err != nil {
			return err
		}
		for countKeys(b) >= max {
			if err := removeOldestSession(b); err != nil {
				return err
			}
		}
		return putJSON(b, key, rec)
	})
}

// touchSession writes the session's last use, unless it was removed
// meanwhile: a logout is never undone by a use that raced it.
func (st *Store) touchSession(key []byte, lastUse time.Time) (found bool, err error) {
	err = st.db.Update(func(tx *bolt.Tx) error {
		b := tx.Bucket(bucketSessions)
		if b == nil {
			return nil
		}
		var rec sessionRecord
		if found, err = getJSON(b, key, &rec); !found || err != nil {
			return err
		}
		rec.LastUse = lastUse
		return putJSON(b, key, rec)
	})
	return found, err
}

// deleteSession removes the session under key, if any.
func (st *Store) deleteSession(key []byte) error {
	return st.db.Update(func(tx *bolt.Tx) error {
		if b := tx.Bucket(bucketSessions); b != nil {
			return b.Delete(key)
		}
		return nil
	})
}

// pruneSessions removes the sessions ended at now and says how many.
func (st *Store) pruneSessions(now time.Time) (removed int, err error) {
	err = st.db.Update(func(tx *bolt.Tx) error {
		b := tx.Bucket(bucketSessions)
		if b == nil {
			return nil
		}
		removed, err = removeSessions(b, now)
		return err
	})
	return removed, err
}

// endSessions removes every session, in the transaction that changes the
// admin password.
func endSessions(tx *bolt.Tx) error {
	if tx.Bucket(bucketSessions) == nil {
		return nil
	}
	return tx.DeleteBucket(bucketSessions)
}

// removeSessions removes from b the sessions ended at now, and those it
// cannot read.
func removeSessions(b *bolt.Bucket, now time.Time) (int, error) {
	var gone [][]byte
	err := b.ForEach(func(k, v []byte) error {
		var rec sessionRecord
		if err := json.Unmarshal(v, &rec); err != nil || !rec.alive(now) {
			gone = append(gone, bytes.Clone(k))
		}
		return nil
	})
	if err != nil {
		return 0, err
	}
	for _, k := range gone {
		if err := b.Delete(k); err != nil {
			return 0, err
		}
	}
	return len(gone), nil
}

// removeOldestSession removes the session of b made first; one it cannot
// read counts as oldest.
func removeOldestSession(b *bolt.Bucket) error {
	var oldest []byte
	var at time.Time
	err := b.ForEach(func(k, v []byte) error {
		var rec sessionRecord
		if err := json.Unmarshal(v, &rec); err != nil {
			rec.Created = time.Time{}
		}
		if oldest == nil || rec.Created.Before(at) {
			oldest, at = bytes.Clone(k), rec.Created
		}
		return nil
	})
	if err != nil || oldest == nil {
		return err
	}
	return b.Delete(oldest)
}

func countKeys(b *bolt.Bucket) int {
	n := 0
	b.ForEach(func(k, v []byte) error { n++; return nil })
	return n
}
