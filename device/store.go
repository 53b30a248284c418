package device

import (
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"sync/atomic"
	"time"

	bolt "go.etcd.io/bbolt"

	"scanmail/device/apitype"
)

// schemaVersion is the layout of the state file. Bucket names carry the
// version of their values, so a later layout can migrate bucket by bucket
// and an older daemon refuses a file it does not understand. Version 2
// added the outbox index. The values are the records of records.go, and
// testdata/state-v2.db is a file of version 2 that every daemon must read.
const schemaVersion = 2

var (
	bucketMeta     = []byte("meta")
	bucketSettings = []byte("settings.v1")
	bucketTokens   = []byte("tokens.v1")
	bucketJobs     = []byte("jobs.v1")
	bucketLimits   = []byte("limits.v1")
	// bucketOutbox holds the IDs of the jobs not ended, so that the
	// outbox and the status never read the whole job history.
	bucketOutbox = []byte("outbox.v1")

	keySchema   = []byte("schema")
	keySettings = []byte("settings")
	// keyTenantIDs, in the settings bucket, maps each domain tenant
	// signed in to to its tenant ID.
	keyTenantIDs = []byte("tenant_ids")
	keyAccount   = []byte("account")
	keyThrottle  = []byte("throttle")
)

// ErrStoreBusy means another process holds the state file.
var ErrStoreBusy = errors.New("state file is in use by another scanmaild")

// Store is the device's state file: settings, the signed-in account with its
// tokens, and the job records. Every change is one bbolt transaction, so a
// power cut leaves either the old or the new state, never a mix.
type Store struct {
	db      *bolt.DB
	corrupt corruptJobs
	book    addressBook
	// jobStored, when set, is told of every job record written: the
	// device's watchers hear of each change of a job from there.
	jobStored atomic.Pointer[func(apitype.Job)]
}

// OpenStore opens or creates the state file at path with mode 0600.
func OpenStore(path string) (*Store, error) {
	if err := os.MkdirAll(filepath.Dir(path), 0o700); err != nil {
		return nil, fmt.Errorf("state directory: %w", err)
	}
	db, err := bolt.Open(path, 0o600, &bolt.Options{Timeout: time.Second})
	if errors.Is(err, bolt.ErrTimeout) {
		return nil, fmt.Errorf("%s: %w", path, ErrStoreBusy)
	}
	if err != nil {
		return nil, fmt.Errorf("open state file %s: %w", path, err)
	}
	// A file created by hand or restored from a backup may be readable by
	// others; it holds refresh tokens, so tighten it.
	if err := os.Chmod(path, 0o600); err != nil {
		db.Close()
		return nil, fmt.Errorf("state file mode: %w", err)
	}
	s := &Store{db: db}
	if err := s.init(); err != nil {
		db.Close()
		return nil, fmt.Errorf("state file %s: %w", path, err)
	}
	if err := s.loadBook(); err != nil {
		db.Close()
		return nil, fmt.Errorf("state file %s: %w", path, err)
	}
	return s, nil
}

func (s *Store) init() error {
	return s.db.Update(func(tx *bolt.Tx) error {
		meta, err := tx.CreateBucketIfNotExists(bucketMeta)
		if err != nil {
			return err
		}
		var got int
		if v := meta.Get(keySchema); v != nil {
			if err := json.Unmarshal(v, &got); err != nil {
				return fmt.Errorf("schema version: %w", err)
			}
			if got > schemaVersion {
				return fmt.Errorf("written by a newer scanmaild (schema %d, this one knows %d)", got, schemaVersion)
			}
		}
		if err := putJSON(meta, keySchema, schemaVersion); err != nil {
			return err
		}
		for _, name := range [][]byte{bucketSettings, bucketTokens, bucketJobs, bucketLimits, bucketOutbox, bucketBook} {
			if _, err := tx.CreateBucketIfNotExists(name); err != nil {
				return err
			}
		}
		if got < 2 {
			return s.indexOutbox(tx)
		}
		return nil
	})
}

// Close closes the state file.
func (s *Store) Close() error { return s.db.Close() }

// Path is the state file's path.
func (s *Store) Path() string { return s.db.Path() }

func putJSON(b *bolt.Bucket, key []byte, v any) error {
	data, err := json.Marshal(v)
	if err != nil {
		return err
	}
	return b.Put(key, data)
}

// getJSON decodes the value at key into v and reports whether it was there.
func getJSON(b *bolt.Bucket, key []byte, v any) (bool, error) {
	data := b.Get(key)
	if data == nil {
		return false, nil
	}
	if err := json.Unmarshal(data, v); err != nil {
		return true, fmt.Errorf("%s/%s: %w", "state", key, err)
	}
	return true, nil
}
