package main

import (
	"encoding/binary"
	"path/filepath"
	"strings"
	"testing"

	bolt "go.etcd.io/bbolt"
)

// TestCorruptJobRecordStarts: the daemon starts on a state file holding a
// job record that cannot be read, and `status` says so.
func TestCorruptJobRecordStarts(t *testing.T) {
	dir := t.TempDir()
	sock := filepath.Join(dir, "scanmaild.sock")
	db := filepath.Join(dir, "scanmail.db")
	d := start(t, dir, "-db", db)
	waitSocket(t, sock)
	d.stop()

	// The damage is written as a failing disk or a bug would leave it:
	// into the job bucket of the state file (schema 2), and named in the
	// outbox index, which the daemon reads as it starts.
	bdb, err := bolt.Open(db, 0o600, nil)
	if err != nil {
		t.Fatal(err)
	}
	err = bdb.Update(func(tx *bolt.Tx) error {
		key := binary.BigEndian.AppendUint64(nil, 7)
		if err := tx.Bucket([]byte("jobs.v1")).Put(key, []byte(`{"id": 7, "sta`)); err != nil {
			return err
		}
		return tx.Bucket([]byte("outbox.v1")).Put(key, []byte{})
	})
	bdb.Close()
	if err != nil {
		t.Fatal(err)
	}

	d = start(t, dir, "-db", db)
	waitSocket(t, sock)
	out, code := runCLI(t, sock, "status")
	if code != 0 || !strings.Contains(out, "unreadable jobs:     1 job record(s) could not be read") {
		t.Errorf("status: exit %d\n%s", code, out)
	}
	if out, code := runCLI(t, sock, "jobs"); code != 0 || !strings.Contains(out, "no jobs yet") {
		t.Errorf("jobs: exit %d\n%s", code, out)
	}
	d.stop()
	if log := d.output(); !strings.Contains(log, "job record unreadable; skipped\" key=0000000000000007") {
		t.Errorf("the log does not name the record:\n%s", log)
	}
}
