package device

import (
	"encoding/binary"
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
	st.stored(job, err)
	return job, err
}

// PutJob stores job under its ID.
func (st *Store) PutJob(job apitype.Job) error {
	err := st.db.Update(func(tx *bolt.Tx) error { return putJob(tx, job) })
	st.stored(job, err)
	return err
}

// stored tells of a job record written, unless writing it failed.
func (st *Store) stored(job apitype.Job, err error) {
	if f := st.jobStored.Load(); f != nil && err == nil {
		(*f)(job)
	}
}

// putJob stores job and keeps the outbox index of jobs not ended.
func putJob(tx *bolt.Tx, job apitype.Job) error {
	key := jobKey(job.ID)
	if err := putJSON(tx.Bucket(bucketJobs), key, jobRecordOf(job)); err != nil {
		return err
	}
	if ended(job.State) {
		return tx.Bucket(bucketOutbox).Delete(key)
	}
	return tx.Bucket(bucketOutbox).Put(key, []byte{})
}

// indexOutbox builds the outbox index from the job records, for a state
// file written before it existed. A record that cannot be read is left
// out.
func (st *Store) indexOutbox(tx *bolt.Tx) error {
	return tx.Bucket(bucketJobs).ForEach(func(k, v []byte) error {
		j, err := decodeJob(v)
		if err != nil {
			st.corrupt.note(k, err)
			return nil
		}
		return putJob(tx, j)
	})
}

// Jobs lists up to limit jobs, newest first, leaving out records that
// cannot be read.
func (st *Store) Jobs(limit int) ([]apitype.Job, error) {
	var jobs []apitype.Job
	err := st.db.View(func(tx *bolt.Tx) error {
		c := tx.Bucket(bucketJobs).Cursor()
		for k, v := c.Last(); k != nil && len(jobs) < limit; k, v = c.Prev() {
			j, err := decodeJob(v)
			if err != nil {
				st.corrupt.note(k, err)
				continue
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
		ok, err = st.getJob(tx.Bucket(bucketJobs), jobKey(id), &job)
		return err
	})
	return job, ok, err
}

// getJob is getJSON for a job record, noting one that cannot be read.
func (st *Store) getJob(b *bolt.Bucket, key []byte, job *apitype.Job) (bool, error) {
	var r jobRecord
	ok, err := getJSON(b, key, &r)
	*job = r.job()
	if err != nil {
		err = errors.Unwrap(err) // getJSON's names the key as raw bytes
		st.corrupt.note(key, err)
		err = fmt.Errorf("%w: %x: %w", ErrUnreadableJob, key, err)
	}
	return ok, err
}

// CorruptJobs counts the job records found unreadable so far.
func (st *Store) CorruptJobs() int { return st.corrupt.count() }

// ended reports whether a job in state has come to its end.
func ended(state string) bool {
	return state == apitype.JobSent || state == apitype.JobFailed || state == apitype.JobCanceled
}

// Unfinished lists the jobs not ended, oldest first, leaving out those
// whose records cannot be read.
func (st *Store) Unfinished() ([]apitype.Job, error) {
	var jobs []apitype.Job
	err := st.db.View(func(tx *bolt.Tx) error {
		b := tx.Bucket(bucketJobs)
		return tx.Bucket(bucketOutbox).ForEach(func(k, _ []byte) error {
			var j apitype.Job
			ok, err := st.getJob(b, k, &j)
			if err == nil && !ok {
				st.corrupt.note(k, fmt.Errorf("in the outbox: %w", ErrNoJob))
			}
			if ok && err == nil {
				jobs = append(jobs, j)
			}
			return nil
		})
	})
	return jobs, err
}

// ErrUnreadableJob means a job record in the state file cannot be read.
var ErrUnreadableJob = errors.New("job record cannot be read")

// ErrNoJob means there is no job with the ID asked for.
var ErrNoJob = errors.New("no such job")

// UpdateJob changes job id in one transaction; fn sees the stored job and
// may refuse the change by returning an error. It is how one party takes
// a job from a state another party may also be changing it from.
func (st *Store) UpdateJob(id uint64, fn func(*apitype.Job) error) (apitype.Job, error) {
	var job apitype.Job
	err := st.db.Update(func(tx *bolt.Tx) error {
		b := tx.Bucket(bucketJobs)
		ok, err := st.getJob(b, jobKey(id), &job)
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
	st.stored(job, err)
	return job, err
}
