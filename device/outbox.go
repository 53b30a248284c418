package device

import (
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"os"
	"path/filepath"
	"time"

	"scanmail/device/apitype"
	"scanmail/mailer"
	"scanmail/scan"
)

const (
	// retryWindow is how long a job that fails for passing reasons
	// (network, 4xx, throttling) is tried again before it fails, unless
	// retry.window_hours says otherwise.
	retryWindow = 24 * time.Hour
	retryFirst  = time.Minute
	retryMost   = time.Hour
)

// errTaken means another party changed the job's state first.
var errTaken = errors.New("the job changed state")

// deliver makes one delivery attempt of the queued job id and records how
// it went: sent; queued again for later (a passing failure, or a sign-in
// an admin must renew, which pauses it without spending an attempt); or
// failed for good. Attempts are one at a time: Exchange limits concurrent
// connections, and a job is never picked up twice.
func (d *Device) deliver(ctx context.Context, id uint64, report func(apitype.JobEvent)) (apitype.Job, error) {
	d.sendMu.Lock()
	defer d.sendMu.Unlock()
	// Taken in one transaction: the scan and the outbox may both reach
	// for a job, and a cancel may come at the same moment.
	job, err := d.store.UpdateJob(id, func(j *apitype.Job) error {
		if j.State != apitype.JobQueued || j.NextAttempt.After(d.now()) {
			return errTaken // sent, failed, canceled, or waiting for its next try
		}
		j.State = apitype.JobSending
		j.Attempts++
		return nil
	})
	if errors.Is(err, errTaken) {
		return job, jobError(job)
	}
	if err != nil {
		return job, err
	}
	return d.attempt(ctx, job, report)
}

// jobError is the recorded reason a job is not sent yet, or failed.
func jobError(job apitype.Job) error {
	if job.State == apitype.JobSent || job.Error == "" {
		return nil
	}
	return &Error{Summary: job.Error, Hint: job.Hint, Temporary: job.State == apitype.JobQueued, Code: job.ErrorCode}
}

// attempt is deliver's attempt on job, taken for sending; the caller holds
// sendMu.
func (d *Device) attempt(ctx context.Context, job apitype.Job, report func(apitype.JobEvent)) (apitype.Job, error) {
	report(apitype.JobEvent{Job: job})
	dir := spoolPath(d.spoolDir, job.ID)
	err := d.send(ctx, &job, dir, func(note string) {
		report(apitype.JobEvent{Job: job, Note: note})
		d.publishJob(apitype.JobEvent{Job: job, Note: note})
	})
	var refused *mailer.RefusedError
	switch {
	case err == nil:
		d.attemptSent()
		job = d.finish(job, nil)
		os.RemoveAll(dir)
		return job, nil
	case errors.As(err, &refused):
		d.attemptSent()
		// Delivered to the others; the refused addresses are told, not
		// retried: the server refused them for good.
		job = d.finish(job, nil)
		job.Error, job.Hint = Explain(err)
		job.ErrorCode = CodeOf(err)
		os.RemoveAll(dir)
		return job, d.store.PutJob(job)
	case errors.Is(err, ErrSignInNeeded), errors.Is(err, ErrAddressMismatch), errors.Is(err, errRoadSetup):
		// Not the job's fault: wait for the admin, spend no attempt.
		job.Attempts--
		job.NextAttempt = time.Time{}
	case temporary(err) && d.now().Sub(windowStart(job)) < d.retryWindow():
		d.attemptFailed(err)
		job.NextAttempt = d.now().Add(backoff(job.Attempts))
	default:
		d.attemptFailed(err)
		return d.finish(job, err), err
	}
	job.State = apitype.JobQueued
	job.Error, job.Hint = Explain(err)
	job.ErrorCode = CodeOf(err)
	if !job.NextAttempt.IsZero() {
		job.Hint = fmt.Sprintf("The device tries again at %s by itself. %s", job.NextAttempt.Local().Format("15:04"), job.Hint)
	} else {
		job.Hint = "The job waits and is sent by itself once this is fixed. " + job.Hint
	}
	d.log.Warn("job not sent yet", "job", job.ID, "attempt", job.Attempts, "next", job.NextAttempt, "err", err)
	if perr := d.store.PutJob(job); perr != nil {
		return job, perr
	}
	return job, err
}

// retryWindow is how long passing failures are tried again.
func (d *Device) retryWindow() time.Duration {
	s, err := d.store.Settings()
	if err != nil {
		return retryWindow
	}
	return s.retryWindow()
}

// retryWindow is how long the settings say passing failures are tried
// again.
func (s Settings) retryWindow() time.Duration {
	if s.RetryHours <= 0 {
		return retryWindow
	}
	return time.Duration(min(s.RetryHours, maxRetryHours)) * time.Hour
}

// windowStart is when a job's retry window began: when it was made, or
// when an admin sent it again.
func windowStart(job apitype.Job) time.Time {
	if job.Resent.After(job.Created) {
		return job.Resent
	}
	return job.Created
}

// temporary reports whether trying again later may work by itself.
func temporary(err error) bool {
	if me, ok := errors.AsType[*mailer.Error](err); ok {
		return me.Temporary()
	}
	if de, ok := errors.AsType[*Error](err); ok {
		return de.Temporary
	}
	return false
}

// backoff is the pause before attempt n+1: doubling from a minute to an
// hour, with jitter so that devices that lost the same server do not come
// back at the same moment.
func backoff(attempts int) time.Duration {
	d := retryFirst << min(attempts-1, 6)
	d = min(d, retryMost)
	return d - time.Duration(rand.Int64N(int64(d)/5))
}

// resume puts the jobs a power cut interrupted back on their way: a job
// cut off while sending is queued again (the server may have it already;
// the same Message-ID makes a second copy recognisable); a scan cut off
// midway cannot be finished and fails, telling the operator to scan again,
// while one cut off after its document was stored whole is queued.
func (d *Device) resume() error {
	jobs, err := d.store.Unfinished()
	if err != nil {
		return err
	}
	for _, job := range jobs {
		switch job.State {
		case apitype.JobSending:
			job.State, job.NextAttempt = apitype.JobQueued, d.now()
		case apitype.JobScanning:
			job.MorePages = false // no one waits for an answer now
			os.RemoveAll(spoolPath(d.spoolDir, job.ID) + ".part")
			if spooled, ok := d.spooled(job); ok {
				// Cut off after the document was stored whole,
				// before the job was queued: it goes.
				job = spooled
				break
			}
			job.State, job.Finished = apitype.JobFailed, d.now()
			job.Error = "The scan was interrupted (the device was switched off or restarted)"
			job.Hint = "Scan the document again."
		default:
			continue
		}
		d.log.Info("job resumed after a restart", "job", job.ID, "state", job.State)
		if err := d.store.PutJob(job); err != nil {
			return err
		}
	}
	return nil
}

// spooled queues a job whose scan was cut off after its document was
// stored whole: what the scan would have recorded is read from the spool.
func (d *Device) spooled(job apitype.Job) (apitype.Job, bool) {
	dir := spoolPath(d.spoolDir, job.ID)
	files, err := spoolFiles(dir)
	if err != nil {
		return job, false
	}
	refs, err := scan.ReadIndex(dir)
	if err != nil {
		return job, false
	}
	format := scan.FormatPDF
	for _, f := range []scan.Format{scan.FormatPDF, scan.FormatTIFF, scan.FormatJPEG} {
		if filepath.Ext(files[0]) == "."+f.Ext() {
			format = f
		}
	}
	// The record has the format from the start; the file's extension
	// alone cannot tell a compact PDF from a normal one.
	if recorded, err := scan.ParseFormat(job.Format); err == nil && recorded.Ext() == format.Ext() {
		format = recorded
	}
	job.Pages, job.Size, job.Format = len(refs), filesSize(files), format.String()
	job.State, job.NextAttempt = apitype.JobQueued, d.now()
	job.MessageID = mailer.MessageIDFor(d.deviceAddress())
	return job, true
}

// retryDue sends every queued job whose time has come, and those paused
// for a sign-in once the device is ready again. It returns when to look
// again.
func (d *Device) retryDue(ctx context.Context) time.Duration {
	next := retryMost
	jobs, err := d.store.Unfinished()
	if err != nil {
		d.log.Error("outbox", "err", err)
		return next
	}
	_, readyErr := d.checkReady()
	for _, job := range jobs {
		if job.State != apitype.JobQueued || ctx.Err() != nil {
			continue
		}
		switch {
		case job.NextAttempt.IsZero() && readyErr != nil:
			continue // paused until an admin acts; a sign-in kicks the outbox
		case job.NextAttempt.After(d.now()):
			next = min(next, job.NextAttempt.Sub(d.now()))
			continue
		}
		d.pings.outbox.answer() // alive between two jobs of a long queue
		j, _ := d.deliver(ctx, job.ID, func(apitype.JobEvent) {})
		if j.State == apitype.JobQueued && !j.NextAttempt.IsZero() {
			next = min(next, j.NextAttempt.Sub(d.now()))
		}
	}
	return max(next, time.Second)
}

// kick makes the outbox look at once, after a sign-in or a new job.
func (d *Device) kick() {
	select {
	case d.outboxKick <- struct{}{}:
	default:
	}
}

// runOutbox sends queued jobs until ctx ends.
func (d *Device) runOutbox(ctx context.Context) {
	for {
		if s, err := d.store.Settings(); err == nil {
			d.purgeSpool(s.Spool)
		}
		next := d.retryDue(ctx)
		t := time.NewTimer(next)
		woke := d.pings.outbox.wait(ctx, t.C, d.outboxKick)
		t.Stop()
		if !woke {
			return
		}
	}
}
