package device

import (
	"encoding/binary"
	"encoding/json"
	"errors"
	"fmt"

	bolt "go.etcd.io/bbolt"

	"scanmail/device/apitype"
)

func jobKey(id uint64) []byte {
	return binary.BigEndian.AppendUint64(nil, id)
}

// NewJob stores job with a new ID, which it returns.
func (st *Store) NewJob(job apitype.Job) (apitype.Job, error) {
	err := st.db.Update(func(tx *bolt.Tx) error {
		b := tx.Bucket(bucketJobs)
		id, err := b.NextSequence()
		if err != nil {
			return err
		}
		job.ID = id
		return putJob(tx, job)
	})
	return job, err
}

// PutJob stores job under its ID.
func (st *Store) PutJob(job apitype.Job) error {
	return st.db.Update(func(tx *bolt.Tx) error { return putJob(tx, job) })
}

// putJob stores job and keeps the outbox index of jobs not ended.
func putJob(tx *bolt.Tx, job apitype.Job) error {
	key := jobKey(job.ID)
	if err := putJSON(tx.Bucket(bucketJobs), key, job); err != nil {
		return err
	}
	if ended(job.State) {
		return tx.Bucket(bucketOutbox).Delete(key)
	}
	return tx.Bucket(bucketOutbox).Put(key, []byte{})
}

// indexOutbox builds the outbox index from the job records, for a state
// file written before it existed.
func indexOutbox(tx *bolt.Tx) error {
	return tx.Bucket(bucketJobs).ForEach(func(k, v []byte) error {
		var j apitype.Job
		if err := json.Unmarshal(v, &j); err != nil {
			return fmt.Errorf("job %x: %w", k, err)
		}
		return putJob(tx, j)
	})
}

// Jobs lists up to limit jobs, newest first.
func (st *Store) Jobs(limit int) ([]apitype.Job, error) {
	var jobs []apitype.Job
	err := st.db.View(func(tx *bolt.Tx) error {
		c := tx.Bucket(bucketJobs).Cursor()
		for k, v := c.Last(); k != nil && len(jobs) < limit; k, v = c.Prev() {
			var j apitype.Job
			if err := json.Unmarshal(v, &j); err != nil {
				return fmt.Errorf("job %x: %w", k, err)
			}
			jobs = append(jobs, j)
		}
		return nil
	})
	return jobs, err
}

// Job reads one job; ok is false when there is none with that ID.
func (st *Store) Job(id uint64) (job apitype.Job, ok bool, err error) {
	err = st.db.View(func(tx *bolt.Tx) error {
		ok, err = getJSON(tx.Bucket(bucketJobs), jobKey(id), &job)
		return err
	})
	return job, ok, err
}

// ended reports whether a job in state has come to its end.
func ended(state string) bool {
	return state == apitype.JobSent || state == apitype.JobFailed || state == apitype.JobCanceled
}

// Unfinished lists the jobs not ended, oldest first.
func (st *Store) Unfinished() ([]apitype.Job, error) {
	var jobs []apitype.Job
	err := st.db.View(func(tx *bolt.Tx) error {
		b := tx.Bucket(bucketJobs)
		return tx.Bucket(bucketOutbox).ForEach(func(k, _ []byte) error {
			var j apitype.Job
			ok, err := getJSON(b, k, &j)
			if err == nil && !ok {
				err = ErrNoJob
			}
			if err != nil {
				return fmt.Errorf("job %x in the outbox: %w", k, err)
			}
			jobs = append(jobs, j)
			return nil
		})
	})
	return jobs, err
}

// ErrNoJob means there is no job with the ID asked for.
var ErrNoJob = errors.New("no such job")

// UpdateJob changes job id in one transaction; fn sees the stored job and
// may refuse the change by returning an error. It is how one party takes
// a job from a state another party may also be changing it from.
func (st *Store) UpdateJob(id uint64, fn func(*apitype.Job) error) (apitype.Job, error) {
	var job apitype.Job
	err := st.db.Update(func(tx *bolt.Tx) error {
		b := tx.Bucket(bucketJobs)
		ok, err := getJSON(b, jobKey(id), &job)
		if err != nil {
			return err
		}
		if !ok {
			return fmt.Errorf("%w: %d", ErrNoJob, id)
		}
		if err := fn(&job); err != nil {
			return err
		}
		return putJob(tx, job)
	})
	return job, err
}
