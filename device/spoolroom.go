package device

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"time"

	"scanmail/device/apitype"
	"scanmail/scan"
)

const (
	// defaultSpoolMB is the room for waiting documents when the setting
	// is 0.
	defaultSpoolMB = 512
	// spoolReserve is disk space no scan takes: the state file must
	// always be able to record what happens to the jobs.
	spoolReserve = 32 << 20
)

// spoolMax is the room for documents in bytes; 0 means no bound but the
// disk's.
func (s SpoolSettings) spoolMax() int64 {
	switch {
	case s.MaxMB < 0:
		return 0
	case s.MaxMB == 0:
		return defaultSpoolMB << 20
	}
	return megabytesUpTo(s.MaxMB, maxSpoolMB)
}

// spoolUsage is the bytes the spool's documents take, and how many there
// are.
func spoolUsage(dir string) (bytes int64, docs int) {
	entries, _ := os.ReadDir(dir)
	for _, e := range entries {
		if !e.IsDir() {
			continue
		}
		docs++
		filepath.WalkDir(filepath.Join(dir, e.Name()), func(_ string, f os.DirEntry, err error) error {
			if err == nil && f.Type().IsRegular() {
				if fi, err := f.Info(); err == nil {
					bytes += fi.Size()
				}
			}
			return nil
		})
	}
	return bytes, docs
}

// spoolRoom is how many bytes the next document may take, or an error
// for the operator when there is no room at all. Documents already in the
// spool are never touched to make room. The room is promised to the
// document on the disk until release is called.
func (d *Device) spoolRoom(s SpoolSettings) (room int64, release func(), err error) {
	used, docs := spoolUsage(d.spoolDir)
	room = noBound
	if max := s.spoolMax(); max > 0 {
		room = max - used
	}
	release = func() {}
	if free, ok := freeSpace(d.spoolDir); ok && room > 0 {
		room, release, _ = d.claims.claim(free, room, 1)
	}
	if room > 0 {
		return room, release, nil
	}
	return 0, release, &Error{
		Summary: fmt.Sprintf("The storage for scans is full: %d document(s) take %s", docs, megabytes(used)),
		Hint: "Documents waiting to be sent take the room: fix what stops them (the mail settings, the sign-in), " +
			"or cancel those that need not go. Failed jobs' documents are kept as many days as the settings say.",
		Err: ErrSpoolFull,
	}
}

// ErrSpoolFull means a document does not fit in the room for scans.
var ErrSpoolFull = errors.New("no room for the document in the spool")

// tooBigForRoom is the error for a document that outgrew the room left.
func tooBigForRoom(room int64) error {
	return &Error{
		Summary: fmt.Sprintf("The document does not fit in the room left for scans (%s)", megabytes(room)),
		Hint:    "Scan it in smaller batches, or wait until the documents waiting are sent.",
		Err:     ErrSpoolFull,
	}
}

// spoolFull words a document that did not fit: in the room left for
// scans, or on the disk. It is nil for other failures.
func spoolFull(err error, room int64) error {
	if errors.Is(err, scan.ErrTooLarge) {
		return tooBigForRoom(room)
	}
	return diskFull(err)
}

// diskFull words a write that failed because the disk is full.
func diskFull(err error) error {
	if !errors.Is(err, syscall.ENOSPC) {
		return nil
	}
	return &Error{
		Summary: "The device's storage is full; the scan was not kept",
		Hint:    "Wait until the documents waiting are sent, or cancel some, then scan again.",
		Err:     err,
	}
}

// purgeSpool removes documents no job needs any more: those of jobs sent
// or canceled, of failed jobs kept longer than the settings say, and
// those no job record names. A document being written is left alone.
func (d *Device) purgeSpool(s SpoolSettings) {
	entries, err := os.ReadDir(d.spoolDir)
	if err != nil {
		d.log.Error("spool", "err", err)
		return
	}
	for _, e := range entries {
		name, ok := strings.CutPrefix(e.Name(), "job-")
		if !e.IsDir() || !ok || strings.HasSuffix(name, ".part") {
			continue
		}
		id, err := strconv.ParseUint(name, 10, 64)
		if err != nil {
			continue
		}
		job, ok, err := d.store.Job(id)
		if errors.Is(err, ErrUnreadableJob) {
			// Logged once by the store: its document is kept, and
			// the others are still looked at.
			continue
		}
		if err != nil {
			d.log.Error("spool", "err", err)
			return
		}
		if ok && !expired(job, s.KeepFailedDays, d.now()) {
			continue
		}
		if err := os.RemoveAll(filepath.Join(d.spoolDir, e.Name())); err != nil {
			d.log.Error("spool", "err", err)
			continue
		}
		d.log.Info("document removed from the spool", "job", id, "state", job.State)
	}
}

// expired reports whether a job's document is no longer needed.
func expired(job apitype.Job, keepFailedDays int, now time.Time) bool {
	switch job.State {
	case apitype.JobSent, apitype.JobCanceled:
		return true
	case apitype.JobFailed:
		// Counted in calendar days, not as a time.Duration, which ends
		// after 106,751 days, and no further than the setting's bound: a
		// value stored before there was one must not wrap to a negative
		// age that removes the document at once.
		days := min(keepFailedDays, maxKeepFailedDays)
		return days >= 0 && !now.Before(job.Finished.AddDate(0, 0, days))
	}
	return false
}
