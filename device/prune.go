package device

import (
	"bytes"
	"context"
	"encoding/binary"
	"os"
	"time"

	bolt "go.etcd.io/bbolt"
)

const (
	// defaultKeepJobs and defaultKeepDays bound the job history when the
	// settings say 0. Each record holds up to 16 KB of SMTP log: a
	// thousand are some 16 MB of the state file, which 32-bit ARM maps
	// whole.
	defaultKeepJobs = 1000
	defaultKeepDays = 90
	// pruneBatch is how many records one transaction removes, so that the
	// pruning never holds the state file's write lock for long.
	pruneBatch = 100
	// pruneEvery is how often the history is pruned besides after each
	// job's end.
	pruneEvery = time.Hour
)

// keep is how many ended jobs are kept, and for how long.
func (s JobsSettings) keep() (jobs int, age time.Duration) {
	jobs, days := s.Keep, s.KeepDays
	if jobs <= 0 {
		jobs = defaultKeepJobs
	}
	if days <= 0 {
		days = defaultKeepDays
	}
	return jobs, time.Duration(days) * 24 * time.Hour
}

// PruneJobs removes, oldest first and at most batch of them, the records
// of ended jobs that are not among the newest keep jobs made, or that
// ended before cutoff. A job not ended is never removed. It returns the
// IDs removed; fewer than batch means nothing more is due.
//
// Jobs are looked at in the order they were made, and the first ended job
// young enough stops the walk: those made after it ended later, but for a
// few sent again, which wait for the next pruning after their own end.
func (st *Store) PruneJobs(keep int, cutoff time.Time, batch int) ([]uint64, error) {
	var gone []uint64
	err := st.db.Update(func(tx *bolt.Tx) error {
		b, outbox := tx.Bucket(bucketJobs), tx.Bucket(bucketOutbox)
		newest := b.Sequence()
		var keys [][]byte
		c := b.Cursor()
		for k, v := c.First(); k != nil && len(keys) < batch; k, v = c.Next() {
			if inBucket(outbox, k) {
				continue
			}
			var id uint64
			if len(k) == 8 {
				id = binary.BigEndian.Uint64(k)
			}
			if id+uint64(keep) > newest {
				j, err := decodeJob(v)
				if err != nil || !ended(j.State) {
					continue // unreadable: removed once beyond the count
				}
				if !j.Finished.Before(cutoff) {
					break
				}
			}
			keys = append(keys, bytes.Clone(k))
			gone = append(gone, id)
		}
		for _, k := range keys {
			if err := b.Delete(k); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	for _, id := range gone {
		st.corrupt.forget(jobKey(id))
	}
	return gone, nil
}

func inBucket(b *bolt.Bucket, key []byte) bool {
	k, _ := b.Cursor().Seek(key)
	return bytes.Equal(k, key)
}

// kickPrune makes the pruning look at once, after a job ended.
func (d *Device) kickPrune() {
	select {
	case d.pruneKick <- struct{}{}:
	default:
	}
}

// runPrune keeps the job history (and the web sessions) bounded until ctx
// ends: bbolt reuses the pages of records removed, so the state file stops
// growing.
func (d *Device) runPrune(ctx context.Context) {
	for {
		d.pruneJobs(ctx)
		d.pruneSessions()
		t := time.NewTimer(pruneEvery)
		woke := d.pings.prune.wait(ctx, t.C, d.pruneKick)
		t.Stop()
		if !woke {
			return
		}
	}
}

// pruneJobs removes the ended jobs the settings no longer keep, batch by
// batch, with their documents if any are left in the spool.
func (d *Device) pruneJobs(ctx context.Context) {
	s, err := d.store.Settings()
	if err != nil {
		d.log.Error("pruning the job history", "err", err)
		return
	}
	keep, age := s.Jobs.keep()
	removed := 0
	for ctx.Err() == nil {
		gone, err := d.store.PruneJobs(keep, d.now().Add(-age), pruneBatch)
		if err != nil {
			d.log.Error("pruning the job history", "err", err)
			break
		}
		for _, id := range gone {
			os.RemoveAll(spoolPath(d.spoolDir, id))
		}
		removed += len(gone)
		d.pings.prune.answer()
		if len(gone) < pruneBatch {
			break
		}
	}
	if removed > 0 {
		d.log.Info("job history pruned", "removed", removed, "keep", keep, "keep_days", int(age.Hours()/24))
	}
}
