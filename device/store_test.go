package device

import (
	"errors"
	"path/filepath"
	"strings"
	"testing"

	bolt "go.etcd.io/bbolt"

	"scanmail/device/apitype"
)

func TestStoreReopen(t *testing.T) {
	t.Parallel()
	path := filepath.Join(t.TempDir(), "state", "scanmail.db")
	st, err := OpenStore(path)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := st.UpdateSettings(func(s *Settings) error { return s.Set("client_id", "abc") }); err != nil {
		t.Fatal(err)
	}
	if m := fileMode(t, path); m != 0o600 {
		t.Errorf("state file mode %o, want 600", m)
	}
	if _, err := OpenStore(path); !errors.Is(err, ErrStoreBusy) {
		t.Errorf("second open: %v, want ErrStoreBusy", err)
	}
	st.Close()

	st, err = OpenStore(path)
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	s, err := st.Settings()
	if err != nil || s.ClientID != "abc" || s.Provider != "exchange-online" {
		t.Fatalf("after reopen: %+v, %v", s, err)
	}
}

// TestStoreNewerSchema: a file from a newer daemon is refused, not misread.
func TestStoreNewerSchema(t *testing.T) {
	t.Parallel()
	path := filepath.Join(t.TempDir(), "scanmail.db")
	db, err := bolt.Open(path, 0o600, nil)
	if err != nil {
		t.Fatal(err)
	}
	db.Update(func(tx *bolt.Tx) error {
		b, _ := tx.CreateBucketIfNotExists(bucketMeta)
		return b.Put(keySchema, []byte("99"))
	})
	db.Close()
	if _, err := OpenStore(path); err == nil || !strings.Contains(err.Error(), "newer") {
		t.Fatalf("got %v, want a refusal naming a newer scanmaild", err)
	}
}

// TestStoreFailedUpdateKeepsState: a change that fails leaves nothing half
// written.
func TestStoreFailedUpdateKeepsState(t *testing.T) {
	t.Parallel()
	st, err := OpenStore(filepath.Join(t.TempDir(), "scanmail.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	_, err = st.UpdateSettings(func(s *Settings) error {
		s.ClientID = "half"
		return s.Set("custom.smtp_port", "465")
	})
	if err == nil {
		t.Fatal("port 465 accepted")
	}
	if s, _ := st.Settings(); s.ClientID != "" {
		t.Fatalf("a failed change left client_id %q", s.ClientID)
	}
}

// TestStoreIndexesOutbox: a state file from before the outbox index gets
// one on opening, so its waiting jobs are still found.
func TestStoreIndexesOutbox(t *testing.T) {
	t.Parallel()
	path := filepath.Join(t.TempDir(), "scanmail.db")
	db, err := bolt.Open(path, 0o600, nil)
	if err != nil {
		t.Fatal(err)
	}
	err = db.Update(func(tx *bolt.Tx) error {
		meta, _ := tx.CreateBucketIfNotExists(bucketMeta)
		meta.Put(keySchema, []byte("1"))
		jobs, _ := tx.CreateBucketIfNotExists(bucketJobs)
		for _, j := range []apitype.Job{{ID: 1, State: apitype.JobSent}, {ID: 2, State: apitype.JobQueued}, {ID: 3, State: apitype.JobFailed}, {ID: 4, State: apitype.JobSending}} {
			if err := putJSON(jobs, jobKey(j.ID), jobRecordOf(j)); err != nil {
				return err
			}
		}
		return nil
	})
	db.Close()
	if err != nil {
		t.Fatal(err)
	}
	st, err := OpenStore(path)
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	jobs, err := st.Unfinished()
	if err != nil || len(jobs) != 2 || jobs[0].ID != 2 || jobs[1].ID != 4 {
		t.Fatalf("unfinished %+v (%v), want jobs 2 and 4", jobs, err)
	}
	// Ending a job takes it out.
	if _, err := st.UpdateJob(2, func(j *apitype.Job) error { j.State = apitype.JobCanceled; return nil }); err != nil {
		t.Fatal(err)
	}
	if jobs, _ := st.Unfinished(); len(jobs) != 1 || jobs[0].ID != 4 {
		t.Fatalf("after a cancel: %+v", jobs)
	}
}
