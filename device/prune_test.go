package device

import (
	"encoding/binary"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	bolt "go.etcd.io/bbolt"

	"scanmail/device/apitype"
	"scanmail/scan/scansim"
)

// smtpLog is a delivery's SMTP log of about 16 KB, the most a job keeps.
func smtpLog() []string {
	var lines []string
	for i := 0; len(lines)*80 < 16<<10; i++ {
		lines = append(lines, fmt.Sprintf("S: 250-2.0.0 line %05d of a long EHLO answer from the mail server, padded to 80", i))
	}
	return lines
}

// addJobs stores n jobs in one transaction, made at created and ended
// (unless state is not an end) at finished.
func addJobs(t testing.TB, st *Store, n int, state string, created, finished time.Time, log []string) {
	t.Helper()
	err := st.db.Update(func(tx *bolt.Tx) error {
		b := tx.Bucket(bucketJobs)
		for range n {
			id, err := b.NextSequence()
			if err != nil {
				return err
			}
			j := apitype.Job{ID: id, Created: created, Finished: finished, State: state, To: []string{"a@fabrikam.example"}, SMTPLog: log}
			if !ended(state) {
				j.Finished = time.Time{}
			}
			if err := putJob(tx, j); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
}

// addSent stores n sent jobs with the same SMTP log, as addJobs does, but
// encodes the log once: twenty thousand encodings of 16 KB are most of the
// test's time under -race.
func addSent(t testing.TB, st *Store, n int, finished time.Time, log []string) {
	t.Helper()
	logJSON, err := json.Marshal(log)
	if err != nil {
		t.Fatal(err)
	}
	at, _ := finished.MarshalJSON()
	err = st.db.Update(func(tx *bolt.Tx) error {
		b := tx.Bucket(bucketJobs)
		for range n {
			id, err := b.NextSequence()
			if err != nil {
				return err
			}
			rec := fmt.Appendf(nil, `{"id":%d,"created":%s,"finished":%s,"to":["a@fabrikam.example"],"state":"sent","smtp_log":%s}`, id, at, at, logJSON)
			if err := b.Put(jobKey(id), rec); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
}

// pruneAll prunes in batches until nothing more is due, as the device's
// background pruning does.
func pruneAll(t testing.TB, st *Store, keep int, cutoff time.Time) []uint64 {
	t.Helper()
	var all []uint64
	for {
		gone, err := st.PruneJobs(keep, cutoff, pruneBatch)
		if err != nil {
			t.Fatal(err)
		}
		all = append(all, gone...)
		if len(gone) < pruneBatch {
			return all
		}
	}
}

func ids(jobs []apitype.Job) []uint64 {
	var out []uint64
	for _, j := range jobs {
		out = append(out, j.ID)
	}
	slices.Sort(out)
	return out
}

func span(from, to uint64) []uint64 {
	var out []uint64
	for i := from; i <= to; i++ {
		out = append(out, i)
	}
	return out
}

// TestPruneJobs: ended jobs go once they are beyond the count kept or
// older than the days kept; jobs not ended stay, however old.
func TestPruneJobs(t *testing.T) {
	t.Parallel()
	now := time.Date(2026, 12, 1, 12, 0, 0, 0, time.UTC)
	cutoff := now.AddDate(0, 0, -90)
	old, young := now.AddDate(0, 0, -100), now.AddDate(0, 0, -1)
	tests := []struct {
		name string
		fill func(t *testing.T, st *Store)
		keep int
		want []uint64 // the jobs left
	}{
		{"beyond the count", func(t *testing.T, st *Store) {
			addJobs(t, st, 250, apitype.JobSent, young, young, nil)
		}, 100, span(151, 250)},
		{"older than the days", func(t *testing.T, st *Store) {
			addJobs(t, st, 5, apitype.JobFailed, old, old, nil)
			addJobs(t, st, 5, apitype.JobCanceled, young, young, nil)
		}, 100, span(6, 10)},
		{"not ended never", func(t *testing.T, st *Store) {
			addJobs(t, st, 2, apitype.JobQueued, old, old, nil)
			addJobs(t, st, 1, apitype.JobSending, old, old, nil)
			addJobs(t, st, 1, apitype.JobScanning, old, old, nil)
			addJobs(t, st, 20, apitype.JobSent, old, old, nil)
		}, 10, span(1, 4)},
		{"within both", func(t *testing.T, st *Store) {
			addJobs(t, st, 10, apitype.JobSent, young, young, nil)
		}, 10, span(1, 10)},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			st, err := OpenStore(filepath.Join(t.TempDir(), "scanmail.db"))
			if err != nil {
				t.Fatal(err)
			}
			defer st.Close()
			tt.fill(t, st)
			pruneAll(t, st, tt.keep, cutoff)
			jobs, err := st.Jobs(1000)
			if err != nil {
				t.Fatal(err)
			}
			if got := ids(jobs); !slices.Equal(got, tt.want) {
				t.Errorf("left %v, want %v", got, tt.want)
			}
		})
	}
}

// TestPruneUnreadable: an unreadable record beyond the count goes; one
// still within it stays, as does one the outbox names.
func TestPruneUnreadable(t *testing.T) {
	t.Parallel()
	st, err := OpenStore(filepath.Join(t.TempDir(), "scanmail.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	now := time.Now()
	addJobs(t, st, 30, apitype.JobSent, now, now, nil)
	st.db.Update(func(tx *bolt.Tx) error {
		b := tx.Bucket(bucketJobs)
		b.Put(jobKey(1), []byte("garbage"))
		b.Put(jobKey(2), []byte("garbage"))
		tx.Bucket(bucketOutbox).Put(jobKey(2), []byte{})
		return b.Put(jobKey(25), []byte("garbage"))
	})
	st.Jobs(100)
	if n := st.CorruptJobs(); n != 3 {
		t.Fatalf("%d corrupt, want 3", n)
	}
	pruneAll(t, st, 10, now.AddDate(0, 0, -90))
	var left []uint64
	st.db.View(func(tx *bolt.Tx) error {
		return tx.Bucket(bucketJobs).ForEach(func(k, _ []byte) error {
			left = append(left, uint64(k[7]))
			return nil
		})
	})
	if want := append([]uint64{2}, span(21, 30)...); !slices.Equal(left, want) {
		t.Errorf("left %v, want %v", left, want)
	}
	if n := st.CorruptJobs(); n != 2 {
		t.Errorf("%d corrupt after pruning, want 2 (the one removed is no longer counted)", n)
	}
}

// TestPruneBoundsStateFile: a busy device's 20,000 jobs, each with a full
// SMTP log, pruned as they come to the newest 1,000, leave a state file
// about the size of 1,000 jobs, not of 20,000 (bbolt reuses the pages of
// records removed).
func TestPruneBoundsStateFile(t *testing.T) {
	t.Parallel()
	path := filepath.Join(t.TempDir(), "scanmail.db")
	st, err := OpenStore(path)
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	st.db.NoSync = true // the test's own: its speed, not the file's size, changes

	log := smtpLog()
	now := time.Now()
	const total, keep, batch = 20000, 1000, 500
	for n := 0; n < total; n += batch {
		addSent(t, st, batch, now, log)
		pruneAll(t, st, keep, now.AddDate(0, 0, -90))
	}
	var left []uint64
	st.db.View(func(tx *bolt.Tx) error {
		return tx.Bucket(bucketJobs).ForEach(func(k, _ []byte) error {
			left = append(left, binary.BigEndian.Uint64(k))
			return nil
		})
	})
	if !slices.Equal(left, span(total-keep+1, total)) {
		t.Errorf("%d jobs left, want the newest %d", len(left), keep)
	}
	fi, err := os.Stat(path)
	if err != nil {
		t.Fatal(err)
	}
	record := int64(len(strings.Join(log, "")))
	// Up to keep+batch records live between two prunings, in pages of
	// a transaction still being freed: room for three times keep.
	if bound := 3 * keep * record; fi.Size() > bound {
		t.Errorf("state file %d MB after %d jobs; want under %d MB (%d jobs of %d KB)", fi.Size()>>20, total, bound>>20, keep, record>>10)
	}
	t.Logf("state file %.1f MB; %d jobs of %d KB would take %d MB", float64(fi.Size())/(1<<20), total, record>>10, int64(total)*record>>20)
}

// TestDevicePrunes: the device prunes the history in the background, from
// its start, by its settings, and removes a pruned job's document.
func TestDevicePrunes(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	st, err := OpenStore(filepath.Join(dir, "scanmail.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	now := time.Now()
	addJobs(t, st, 30, apitype.JobFailed, now, now, nil)
	if _, err := st.UpdateSettings(func(s *Settings) error { return s.Set("jobs.keep", "10") }); err != nil {
		t.Fatal(err)
	}
	spool := filepath.Join(dir, "spool")
	storeDocument(t, spoolPath(spool, 1), 1) // a failed job's document, kept for a resend
	dev, err := New(Config{Store: st, Scanner: &scansim.Scanner{}, SpoolDir: spool})
	if err != nil {
		t.Fatal(err)
	}
	defer dev.Close()
	// The document goes after the records' transaction: wait for both.
	for deadline := time.Now().Add(20 * time.Second); ; time.Sleep(10 * time.Millisecond) {
		jobs, err := dev.Jobs(100)
		if err != nil {
			t.Fatal(err)
		}
		_, err = os.Stat(spoolPath(spool, 1))
		got := ids(jobs)
		if slices.Equal(got, span(21, 30)) && os.IsNotExist(err) {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("after 20s: jobs %v, want 21 to 30; the pruned job's document: %v, want it removed", got, err)
		}
	}
}
