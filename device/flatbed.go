package device

import (
	"fmt"
	"time"

	"scanmail/device/apitype"
)

// defaultMorePagesTimeout is how long a flatbed job waits for the operator
// to say whether another page follows when Config.MorePagesTimeout is 0:
// long enough to lay the next page on the glass, short enough that a
// person who walked away does not hold the scanner long.
const defaultMorePagesTimeout = 2 * time.Minute

// moreAnswer is the operator's answer to a flatbed job waiting, and where
// the job, once it took the answer, is handed back.
type moreAnswer struct {
	more  bool
	reply chan apitype.Job // buffered: the job never waits for the caller
}

// MorePages answers the flatbed job id waiting for the operator (its
// MorePages set): more scans another page into the same document,
// otherwise the document ends and the job is queued and sent. It returns
// the job once it took the answer.
func (d *Device) MorePages(id uint64, more bool) (apitype.Job, error) {
	reply := make(chan apitype.Job, 1)
	d.mu.Lock()
	sc := d.scan
	waiting := sc != nil && id != 0 && sc.id == id && sc.waiting
	if waiting {
		// Under mu, as awaitMore takes it: the job finds the answer
		// whether or not its wait ended at this very moment. The
		// channel has room for the one answer a wait takes.
		sc.waiting = false
		sc.more <- moreAnswer{more: more, reply: reply}
	}
	d.mu.Unlock()
	if !waiting {
		job, ok, err := d.store.Job(id)
		switch {
		case err != nil:
			return job, err
		case !ok:
			return job, jobCtlError(id, fmt.Errorf("%w: %d", ErrNoJob, id))
		}
		return job, &Error{
			Summary: fmt.Sprintf("Job %d is not waiting for another page (%s)", id, job.State),
			Hint:    "Answer only while a flatbed job asks whether another page follows.",
			Code:    apitype.CodeJobState,
		}
	}
	select {
	case job := <-reply:
		return job, nil
	case <-sc.done:
		// Canceled or failed at the same moment: the job says how.
		job, _, err := d.store.Job(id)
		return job, err
	case <-d.ctx.Done():
		return apitype.Job{}, ErrClosed
	}
}

// awaitMore records that the flatbed job has pages scanned and waits for
// the operator (MorePages), a cancel, or the idle timeout, which ends the
// document with the pages scanned. It reports whether another page
// follows. The scanner stays held meanwhile.
func (d *Device) awaitMore(sc *runningScan, job *apitype.Job, pages int, report func(apitype.JobEvent)) (bool, error) {
	// Waiting before anyone hears of it: an answer may come as soon as
	// the job is reported, and it waits in sc.more for the select below.
	d.mu.Lock()
	sc.waiting = true
	d.mu.Unlock()
	job.Pages, job.MorePages = pages, true
	var answer moreAnswer
	answered := false
	err := d.store.PutJob(*job) // the watchers hear of it
	if err == nil {
		report(apitype.JobEvent{Job: *job})
		t := time.NewTimer(d.morePagesTimeout)
		defer t.Stop()
		select {
		case answer = <-sc.more:
			answered = true
		case <-sc.ctx.Done():
		case <-t.C:
		}
	}
	d.mu.Lock()
	sc.waiting = false
	if !answered {
		select {
		case answer = <-sc.more:
			answered = true
		default:
		}
	}
	d.mu.Unlock()
	job.MorePages = false
	if err != nil {
		return false, err // MorePages, if called, hears of the end from sc.done
	}

	if err := sc.ctx.Err(); err != nil {
		if stopped := scanStopped(sc.ctx); stopped != nil {
			return false, stopped
		}
		return false, &Error{Summary: "Scanning stopped: the device is shutting down", Err: ErrClosed}
	}
	if !answered {
		d.log.Info("no answer whether another page follows; the document ends with the pages scanned",
			"job", job.ID, "pages", pages, "waited", d.morePagesTimeout)
	}
	if err := d.store.PutJob(*job); err != nil {
		return false, err
	}
	report(apitype.JobEvent{Job: *job})
	if answered {
		answer.reply <- *job
	}
	return answered && answer.more, nil
}
