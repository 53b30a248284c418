package device

import (
	"context"
	"errors"
	"fmt"

	"scanmail/device/apitype"
)

const (
	// keepAliveAlertAfter is how many keep-alive refreshes in a row fail
	// for passing reasons before the admin is told. After a failure the
	// keep-alive tries again every hour (keepAliveRetry), so three
	// failures are two hours without the sign-in service. The sign-in
	// itself would survive weeks of that, but jobs need the same service
	// every hour (an access token lasts about one), so by then mail has
	// most likely stopped too; fewer would alert on a passing blip.
	keepAliveAlertAfter = 3
	// jobsAlertAfter is how many delivery attempts in a row fail before
	// the admin is told: one or two are a server's passing trouble that
	// the retries absorb; three in a row, spaced by the retries' back-off,
	// are not.
	jobsAlertAfter = 3
)

// signInEnded raises the alert for a sign-in the provider ended: nothing
// is sent until an admin signs in again.
func (d *Device) signInEnded(e Ended) {
	hint := e.Hint
	if hint == "" {
		hint = "Sign in again."
	}
	d.raiseAlert(apitype.AlertSignInEnded,
		fmt.Sprintf("Scans are not sent: the sign-in ended (%s)", e.Summary),
		hint+" The scans waiting are sent by themselves once the device is signed in again.")
}

// signedIn resolves the alert of an ended sign-in.
func (d *Device) signedIn() { d.resolveAlert(apitype.AlertSignInEnded) }

// keepAliveFailed counts a keep-alive refresh that failed for a passing
// reason, and raises the alert from keepAliveAlertAfter in a row on.
func (d *Device) keepAliveFailed(err error) {
	n := d.countFailure(&d.keepAliveFails)
	if n < keepAliveAlertAfter {
		return
	}
	summary, hint := Explain(err)
	d.raiseAlert(apitype.AlertKeepAliveFailing,
		fmt.Sprintf("The sign-in could not be renewed %d times in a row (%s)", n, summary),
		joinHints(hint, "The device tries again every hour by itself. Check that it reaches the sign-in service: unrenewed, the sign-in ends and scans are no longer sent."))
}

// refreshed ends the count of failed keep-alives: the sign-in service
// renewed the sign-in, for the keep-alive or a job.
func (d *Device) refreshed() {
	d.endFailures(&d.keepAliveFails)
	d.resolveAlert(apitype.AlertKeepAliveFailing)
}

// attemptFailed counts a delivery attempt that failed, and raises the
// alert from jobsAlertAfter in a row on. Jobs paused for a sign-in are not
// counted: the sign-in's own alert says it; nor are those canceled.
func (d *Device) attemptFailed(err error) {
	if errors.Is(err, ErrScanCanceled) || errors.Is(err, context.Canceled) || errors.Is(err, ErrClosed) {
		return // someone stopped it, nothing failed
	}
	n := d.countFailure(&d.sendFails)
	if n < jobsAlertAfter {
		return
	}
	summary, hint := Explain(err)
	d.raiseAlert(apitype.AlertJobsFailing,
		fmt.Sprintf("%d sending attempts in a row failed (%s)", n, summary),
		joinHints(hint, "Jobs that can wait are tried again by themselves; the connection test shows where sending stops."))
}

// attemptSent ends the count of failed attempts.
func (d *Device) attemptSent() {
	d.endFailures(&d.sendFails)
	d.resolveAlert(apitype.AlertJobsFailing)
}

// countFailure counts one more failure in a row in *n, a field of d
// guarded by d.mu, and returns how many there are now.
func (d *Device) countFailure(n *int) int {
	d.mu.Lock()
	defer d.mu.Unlock()
	*n++
	return *n
}

// endFailures ends the row of failures counted in *n.
func (d *Device) endFailures(n *int) {
	d.mu.Lock()
	defer d.mu.Unlock()
	*n = 0
}

func joinHints(a, b string) string {
	if a == "" {
		return b
	}
	return a + " " + b
}
