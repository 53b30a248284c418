package device

import (
	"context"
	"errors"
	"fmt"
	"io"
	"time"

	"scanmail/device/apitype"
	"scanmail/scan"
)

const (
	// defaultScannerTimeout is how long a scan waits for the scanner's
	// next page data when Config.ScannerTimeout is 0: longer than any
	// engine takes to warm up or feed a page.
	defaultScannerTimeout = 2 * time.Minute
	// cancelWait bounds how long canceling a scan waits for the scanner
	// to stop: the link ends a job within seconds, even a dead one.
	cancelWait = 30 * time.Second
)

// ErrScanCanceled means someone canceled the job while it was scanning.
var ErrScanCanceled = errors.New("scanning was canceled")

// errScannerSilent means the scanner kept its line alive but sent no page
// data for the scanner timeout.
var errScannerSilent = errors.New("no page data from the scanner")

// runningScan is the scan in progress, so that it can be canceled.
type runningScan struct {
	id     uint64 // 0 until the job is recorded
	ctx    context.Context
	cancel context.CancelCauseFunc
	done   chan struct{} // closed once the job is recorded and the scanner free
	// waiting (under Device.mu) is set while a flatbed job waits for the
	// operator, whose answer comes on more.
	waiting bool
	more    chan moreAnswer
}

// startScan registers the scan about to run under the scanner lock; end
// it with endScan.
func (d *Device) startScan() *runningScan {
	ctx, cancel := context.WithCancelCause(d.ctx)
	sc := &runningScan{ctx: ctx, cancel: cancel, done: make(chan struct{}), more: make(chan moreAnswer, 1)}
	d.mu.Lock()
	d.scan = sc
	d.mu.Unlock()
	return sc
}

func (d *Device) scanRecorded(sc *runningScan, id uint64) {
	d.mu.Lock()
	sc.id = id
	d.mu.Unlock()
}

func (d *Device) endScan(sc *runningScan) {
	d.mu.Lock()
	if d.scan == sc {
		d.scan = nil
	}
	d.mu.Unlock()
	sc.cancel(nil)
	close(sc.done)
}

// cancelScan cancels job id if it is scanning now, and waits until its
// scan has ended and the scanner is free. ok is false when job id is not
// scanning.
func (d *Device) cancelScan(id uint64) (job apitype.Job, ok bool, err error) {
	d.mu.Lock()
	sc := d.scan
	running := sc != nil && sc.id == id && id != 0
	d.mu.Unlock()
	if !running {
		return job, false, nil
	}
	d.log.Info("canceling the scan", "job", id)
	sc.cancel(ErrScanCanceled)
	t := time.NewTimer(cancelWait)
	defer t.Stop()
	select {
	case <-sc.done:
	case <-d.ctx.Done():
		return job, true, ErrClosed
	case <-t.C:
		return job, true, &Error{
			Summary: fmt.Sprintf("Job %d is being canceled, but the scanner has not stopped", id),
			Hint:    "Switch the scanner off and on; the job ends when its link fails.",
			Code:    apitype.CodeScannerFailed,
		}
	}
	job, found, err := d.store.Job(id)
	if err != nil || !found || job.State != apitype.JobCanceled {
		// The scan ended by itself first: the job is canceled as any
		// other.
		return job, false, err
	}
	return job, true, nil
}

// scanStopped words a scan that ended because its context was canceled,
// or returns nil if it was not.
func scanStopped(ctx context.Context) error {
	switch cause := context.Cause(ctx); {
	case errors.Is(cause, ErrScanCanceled):
		return &Error{Summary: "Scanning was canceled", Err: ErrScanCanceled}
	case errors.Is(cause, errScannerSilent):
		return &Error{
			Summary: "The scanner stopped sending pages",
			Hint:    "Check the scanner: a jam, an open cover or an error on its panel. Switch it off and on if it does not respond, and scan again.",
			Err:     cause,
		}
	}
	return nil
}

// watchedSource fails a scan, by stop, when the scanner sends nothing for
// wait while the job waits for a page or for a page's data. The time the
// job spends coding and writing is not counted: only the scanner's
// silence.
type watchedSource struct {
	scan.Source
	timer *time.Timer
	wait  time.Duration
}

func watchSource(src scan.Source, wait time.Duration, stop context.CancelCauseFunc) *watchedSource {
	t := time.AfterFunc(wait, func() {
		stop(fmt.Errorf("%w for %v", errScannerSilent, wait))
	})
	t.Stop()
	return &watchedSource{Source: src, timer: t, wait: wait}
}

func (w *watchedSource) NextPage(ctx context.Context) (scan.Page, error) {
	w.timer.Reset(w.wait)
	defer w.timer.Stop()
	pg, err := w.Source.NextPage(ctx)
	if err == nil {
		pg.Data = watchedReader{pg.Data, w}
	}
	return pg, err
}

func (w *watchedSource) Close() error {
	w.timer.Stop()
	return w.Source.Close()
}

type watchedReader struct {
	r io.Reader
	w *watchedSource
}

func (r watchedReader) Read(p []byte) (int, error) {
	r.w.timer.Reset(r.w.wait)
	defer r.w.timer.Stop()
	return r.r.Read(p)
}

// runningScan is the scan in progress, or nil.
func (d *Device) runningScan() *runningScan {
	d.mu.Lock()
	defer d.mu.Unlock()
	return d.scan
}
