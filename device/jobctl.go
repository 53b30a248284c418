package device

import (
	"errors"
	"fmt"
	"os"
	"time"

	"scanmail/device/apitype"
)

// CancelJob stops a job scanning or waiting to be sent: it will not be
// sent, and its document is removed. A scan is stopped (the scanner is
// told to stop) and CancelJob returns once the scanner is free. A job
// being sent at this moment, or already ended, cannot be canceled.
func (d *Device) CancelJob(id uint64) (apitype.Job, error) {
	if job, ok, err := d.cancelScan(id); ok || err != nil {
		return job, err
	}
	job, err := d.store.UpdateJob(id, func(j *apitype.Job) error {
		switch j.State {
		case apitype.JobQueued:
		case apitype.JobSending:
			return &Error{Summary: fmt.Sprintf("Job %d is being sent right now", id), Hint: "Wait for this attempt to end; cancel it then if it did not go.", Code: apitype.CodeBusy}
		case apitype.JobScanning:
			// Only before its scan is under way.
			return &Error{Summary: fmt.Sprintf("Job %d is starting to scan", id), Hint: "Cancel it again in a moment.", Code: apitype.CodeBusy}
		default:
			return &Error{Summary: fmt.Sprintf("Job %d has ended already (%s)", id, j.State), Code: apitype.CodeJobState}
		}
		j.State, j.Finished = apitype.JobCanceled, d.now()
		j.NextAttempt = time.Time{}
		j.Error, j.Hint, j.ErrorCode = "Canceled before it was sent", "", apitype.CodeCanceled
		if sent := j.PartsSent(); sent > 0 {
			j.Error = fmt.Sprintf("Canceled after %d of its %d parts were sent", sent, len(j.Parts))
		}
		return nil
	})
	if err != nil {
		return job, jobCtlError(id, err)
	}
	os.RemoveAll(spoolPath(d.spoolDir, id))
	d.log.Info("job canceled", "job", id)
	d.kickPrune()
	return job, nil
}

// ResendJob queues a failed job again, once its cause is fixed, as long as
// its document is still kept (spool.keep_failed_days). Parts already sent
// are not sent again.
func (d *Device) ResendJob(id uint64) (apitype.Job, error) {
	if _, err := spoolFiles(spoolPath(d.spoolDir, id)); err != nil {
		if _, ok, _ := d.store.Job(id); !ok {
			return apitype.Job{}, jobCtlError(id, fmt.Errorf("%w: %d", ErrNoJob, id))
		}
		return apitype.Job{}, &Error{
			Summary: fmt.Sprintf("The document of job %d is no longer kept", id),
			Hint:    "Scan it again. Failed jobs' documents are kept only as many days as the settings say.",
			Code:    apitype.CodeDocumentGone,
		}
	}
	s, err := d.store.Settings()
	if err != nil {
		return apitype.Job{}, err
	}
	job, err := d.store.UpdateJob(id, func(j *apitype.Job) error {
		if j.State != apitype.JobFailed {
			return &Error{Summary: fmt.Sprintf("Job %d has not failed (%s)", id, j.State), Hint: "Only a failed job can be sent again.", Code: apitype.CodeJobState}
		}
		if s.road() == apitype.RoadDirect {
			if err := checkInternal(j.To, s.acceptedDomains()); err != nil {
				return err
			}
		}
		j.State, j.Finished = apitype.JobQueued, time.Time{}
		j.NextAttempt, j.Resent = d.now(), d.now()
		j.Error, j.Hint, j.ErrorCode = "", "", ""
		return nil
	})
	if err != nil {
		return job, jobCtlError(id, err)
	}
	d.log.Info("job queued again", "job", id)
	d.kick()
	return job, nil
}

func jobCtlError(id uint64, err error) error {
	if errors.Is(err, ErrNoJob) {
		return &Error{Summary: fmt.Sprintf("There is no job %d", id), Hint: "Check the job's number in the list of jobs.", Err: err}
	}
	return err
}
