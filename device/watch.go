package device

import (
	"context"
	"slices"
	"sync"

	"scanmail/device/apitype"
)

// watchQueue is how many changes wait for a watcher that reads slower
// than the device changes. A watcher that falls further behind loses them
// all and is sent a fresh snapshot instead: what a screen shows is the
// device's state, which a snapshot gives whole, so no change is lost to it.
const watchQueue = 64

// watchers is the device's set of Watchers. Publishing never blocks: the
// device publishes while it holds the scanner or the sending lock.
type watchers struct {
	mu  sync.Mutex
	set map[*Watcher]struct{}
}

// Watcher is one watcher of the device's changes (Device.Watch). Next
// gives a snapshot first, then every change, in the order they happened.
type Watcher struct {
	d     *Device
	max   int           // changes queued at most
	ready chan struct{} // holds a wake-up once something was queued

	mu       sync.Mutex
	queue    []apitype.Notify
	snapshot bool // the next Notify is a snapshot: the first, or after an overflow
	missed   int  // changes left out since the last snapshot
	closed   bool
}

// Watch starts watching the device's changes; Close the Watcher when done.
// Any number may watch at once, and a watcher that stops reading never
// holds up the device (see Watcher.Next).
func (d *Device) Watch() *Watcher {
	return d.watchQueued(watchQueue)
}

// watchQueued is Watch with room for max changes.
func (d *Device) watchQueued(max int) *Watcher {
	w := &Watcher{d: d, max: max, ready: make(chan struct{}, 1), snapshot: true}
	d.watch.mu.Lock()
	if d.watch.set == nil {
		d.watch.set = make(map[*Watcher]struct{})
	}
	d.watch.set[w] = struct{}{}
	d.watch.mu.Unlock()
	return w
}

// Close stops the watcher.
func (w *Watcher) Close() {
	w.d.watch.mu.Lock()
	delete(w.d.watch.set, w)
	w.d.watch.mu.Unlock()
	w.mu.Lock()
	w.closed, w.queue = true, nil
	w.mu.Unlock()
	w.wake()
}

// Next waits for the next change. The first is a snapshot of everything a
// screen shows; so is the one after changes were left out because the
// watcher did not read them in time, with Missed counting them. A change
// made while a snapshot is taken may come again after it.
func (w *Watcher) Next(ctx context.Context) (apitype.Notify, error) {
	for {
		w.mu.Lock()
		switch {
		case w.closed:
			w.mu.Unlock()
			return apitype.Notify{}, ErrClosed
		case w.snapshot:
			// Changes from now on are queued behind the snapshot.
			missed := w.missed
			w.snapshot, w.missed, w.queue = false, 0, nil
			w.mu.Unlock()
			n, err := w.d.snapshot()
			n.Missed = missed
			return n, err
		case len(w.queue) > 0:
			n := w.queue[0]
			w.queue = w.queue[1:]
			w.mu.Unlock()
			if n.Kind == apitype.NotifyStatus {
				// Taken now rather than when published: the
				// publisher does not wait for the store, and a
				// watcher behind gets the newest.
				st, err := w.d.Status()
				if err != nil {
					return n, err
				}
				n.Status = &st
			}
			return n, nil
		}
		w.mu.Unlock()
		select {
		case <-ctx.Done():
			return apitype.Notify{}, ctx.Err()
		case <-w.d.ctx.Done():
			return apitype.Notify{}, ErrClosed
		case <-w.ready:
		}
	}
}

func (w *Watcher) wake() {
	select {
	case w.ready <- struct{}{}:
	default:
	}
}

// put queues n; it never blocks. A watcher whose queue is full loses it
// and what is queued, and gets a snapshot next.
func (w *Watcher) put(n apitype.Notify) {
	w.mu.Lock()
	switch {
	case w.closed:
	case w.snapshot:
		w.missed++ // the snapshot to come covers it
	case n.Kind == apitype.NotifyStatus && len(w.queue) > 0 && w.queue[len(w.queue)-1].Kind == apitype.NotifyStatus:
		// One status read when delivered says both.
	case len(w.queue) >= w.max:
		w.missed += len(w.queue) + 1
		w.queue, w.snapshot = nil, true
	default:
		w.queue = append(w.queue, n)
	}
	w.mu.Unlock()
	w.wake()
}

// publish sends n to every watcher.
func (d *Device) publish(n apitype.Notify) {
	n.Time = d.now()
	d.watch.mu.Lock()
	defer d.watch.mu.Unlock()
	for w := range d.watch.set {
		w.put(n)
	}
}

// publishJob tells the watchers of a step of a job: a change of its record,
// a page scanned, or a note on why it waits.
func (d *Device) publishJob(ev apitype.JobEvent) {
	ev.Job.SMTPLog = nil // an admin's, for a job that went wrong: jobs -log
	// The sender goes on marking the parts it sent in the same slice,
	// while this change waits for its watchers.
	ev.Job.Parts = slices.Clone(ev.Job.Parts)
	d.publish(apitype.Notify{Kind: apitype.NotifyJob, Job: &ev})
}

// jobStored is told of every job record written. A job that was queued or
// ended changes the status too: what waits, the spool.
func (d *Device) jobStored(job apitype.Job) {
	d.publishJob(apitype.JobEvent{Job: job})
	if job.State != apitype.JobScanning && job.State != apitype.JobSending {
		d.statusChanged()
	}
}

// statusChanged tells the watchers that the status changed; each reads it
// when it takes the change.
func (d *Device) statusChanged() {
	d.publish(apitype.Notify{Kind: apitype.NotifyStatus})
}

// snapshot is what a watcher starts from: the status and the jobs not
// ended.
func (d *Device) snapshot() (apitype.Notify, error) {
	n := apitype.Notify{Kind: apitype.NotifySnapshot, Time: d.now()}
	st, err := d.Status()
	if err != nil {
		return n, err
	}
	jobs, err := d.store.Unfinished()
	if err != nil {
		return n, err
	}
	for i := range jobs {
		jobs[i].SMTPLog = nil
	}
	n.Status, n.Jobs = &st, jobs
	return n, nil
}
