package device

import (
	"context"
	"path/filepath"
	"strings"
	"testing"

	bolt "go.etcd.io/bbolt"

	"scanmail/device/apitype"
)

// TestCorruptJobRecord: damaged job records (bad JSON, one of them in the
// outbox, and an outbox entry with no record) do not stop the device from
// starting; they are skipped, logged once each with their key, and counted
// in the status; listing jobs and scanning go on.
func TestCorruptJobRecord(t *testing.T) {
	r := newRig(t, rigOptions{})
	r.signedIn(testUPN)
	ctx := context.Background()
	if job, err := r.dev.Scan(ctx, apitype.ScanRequest{To: []string{"a@fabrikam.example"}, Pages: 1}, nil); err != nil || job.State != apitype.JobSent {
		t.Fatalf("first job: %s, %v", job.State, err)
	}
	r.close()

	db, err := bolt.Open(r.dbPath, 0o600, nil)
	if err != nil {
		t.Fatal(err)
	}
	err = db.Update(func(tx *bolt.Tx) error {
		jobs, outbox := tx.Bucket(bucketJobs), tx.Bucket(bucketOutbox)
		jobs.Put(jobKey(100), []byte(`{"id": 100, "state": `)) // cut short
		jobs.Put(jobKey(101), []byte("\x00\xffgarbage"))
		outbox.Put(jobKey(101), []byte{})
		return outbox.Put(jobKey(102), []byte{}) // no such record
	})
	db.Close()
	if err != nil {
		t.Fatal(err)
	}

	r.open() // failed before: "resuming jobs: job ... in the outbox"
	st, err := r.dev.Status()
	if err != nil {
		t.Fatal(err)
	}
	if st.CorruptJobs != 3 || st.LastJob == nil || st.LastJob.ID != 1 || st.Waiting != 0 {
		t.Errorf("status: %d corrupt, last job %+v, %d waiting; want 3, job 1, 0", st.CorruptJobs, st.LastJob, st.Waiting)
	}
	jobs, err := r.dev.Jobs(10)
	if err != nil || len(jobs) != 1 || jobs[0].ID != 1 {
		t.Fatalf("jobs: %+v, %v; want job 1 alone", jobs, err)
	}
	r.dev.Status()
	for _, key := range []string{"0000000000000064", "0000000000000065", "0000000000000066"} {
		if n := strings.Count(r.log.String(), "job record unreadable; skipped\" key="+key); n != 1 {
			t.Errorf("record %s logged %d times, want once", key, n)
		}
	}
	// Nothing else is held up: the spool is purged, a new job is sent.
	job, err := r.dev.Scan(ctx, apitype.ScanRequest{To: []string{"a@fabrikam.example"}, Pages: 1}, nil)
	if err != nil || job.State != apitype.JobSent || job.ID != 2 {
		t.Fatalf("a new job: %d %s, %v", job.ID, job.State, err)
	}
	if _, err := r.dev.ResendJob(100); err == nil {
		t.Errorf("resending an unreadable job: no error")
	}
}

// TestCorruptJobRecordUpgrade: indexing an older state file skips a damaged
// record instead of refusing the file.
func TestCorruptJobRecordUpgrade(t *testing.T) {
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
		jobs.Put(jobKey(1), []byte("not json"))
		return putJSON(jobs, jobKey(2), jobRecordOf(apitype.Job{ID: 2, State: apitype.JobQueued}))
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
	if jobs, err := st.Unfinished(); err != nil || len(jobs) != 1 || jobs[0].ID != 2 || st.CorruptJobs() != 1 {
		t.Fatalf("unfinished %+v (%v), %d corrupt; want job 2, 1 corrupt", jobs, err, st.CorruptJobs())
	}
}
