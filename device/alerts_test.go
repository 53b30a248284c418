package device

import (
	"context"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/emersion/go-smtp"

	"scanmail/device/apitype"
	"scanmail/device/idptest"
)

// alertOf is the alert of kind the status shows, if any.
func alertOf(t *testing.T, r *rig, kind string) (apitype.Alert, bool) {
	t.Helper()
	st, err := r.dev.Status()
	if err != nil {
		t.Fatal(err)
	}
	for _, a := range st.Alerts {
		if a.Kind == kind {
			return a, true
		}
	}
	return apitype.Alert{}, false
}

// nextStatus waits on w for a status change and returns it.
func nextStatus(t *testing.T, w *Watcher) apitype.Status {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	for {
		n, err := w.Next(ctx)
		if err != nil {
			t.Fatalf("no status change: %v", err)
		}
		if n.Status != nil && n.Kind != apitype.NotifySnapshot {
			return *n.Status
		}
	}
}

// TestAlertSignInEnded: a refused refresh raises the alert at once, in the
// status and on the watch feed, with the device's words; a new sign-in
// marks it resolved and it stays until acknowledged; acknowledging it
// again is refused with its code.
func TestAlertSignInEnded(t *testing.T) {
	t.Parallel()
	r, clock := keepAliveRig(t)
	w := r.dev.Watch()
	defer w.Close()
	if _, err := w.Next(context.Background()); err != nil { // the snapshot
		t.Fatal(err)
	}
	r.idp.Revoke(testUPN)
	clock.Add(keepAliveEvery)
	r.dev.keepAlive(context.Background())

	var seen *apitype.Alert
	for seen == nil {
		st := nextStatus(t, w)
		for _, a := range st.Alerts {
			if a.Kind == apitype.AlertSignInEnded {
				seen = &a
			}
		}
	}
	if seen.Count != 1 || seen.First.IsZero() || !seen.Resolved.IsZero() ||
		!strings.Contains(seen.Summary, "sign-in ended") || !strings.Contains(seen.Summary, "no longer valid") ||
		!strings.Contains(seen.Hint, "Sign in again") || seen.MailError == "" {
		t.Fatalf("alert on the feed: %+v", *seen)
	}

	r.signedIn(testUPN)
	a, ok := alertOf(t, r, apitype.AlertSignInEnded)
	if !ok || a.Resolved.IsZero() {
		t.Fatalf("after a new sign-in: %+v (shown %v), want shown and resolved", a, ok)
	}

	st, err := r.dev.AckAlert(apitype.AlertSignInEnded)
	if err != nil || len(st.Alerts) != 0 {
		t.Fatalf("acknowledged: alerts %+v, %v", st.Alerts, err)
	}
	if _, err := r.dev.AckAlert(apitype.AlertSignInEnded); CodeOf(err) != apitype.CodeNoAlert {
		t.Errorf("acknowledged twice: %v, want %s", err, apitype.CodeNoAlert)
	}
	if _, err := r.dev.AckAlert("no-such-kind"); CodeOf(err) != apitype.CodeNoAlert {
		t.Errorf("an unknown kind: %v, want %s", err, apitype.CodeNoAlert)
	}
}

// TestAlertSurvivesRestart: an alert not acknowledged is there after a
// restart, as it was.
func TestAlertSurvivesRestart(t *testing.T) {
	t.Parallel()
	r, clock := keepAliveRig(t)
	r.idp.Revoke(testUPN)
	clock.Add(keepAliveEvery)
	r.dev.keepAlive(context.Background())
	before, ok := alertOf(t, r, apitype.AlertSignInEnded)
	if !ok {
		t.Fatal("no alert")
	}
	r.reopen()
	after, ok := alertOf(t, r, apitype.AlertSignInEnded)
	if !ok || !after.First.Equal(before.First) || after.Summary != before.Summary || after.Count != before.Count {
		t.Fatalf("after a restart: %+v (shown %v), want %+v", after, ok, before)
	}
}

// TestAlertKeepAliveFailing: the keep-alive failing for passing reasons
// raises its alert at the keepAliveAlertAfter'th failure in a row, not
// before; a refresh that works resolves it.
func TestAlertKeepAliveFailing(t *testing.T) {
	t.Parallel()
	r, clock := keepAliveRig(t)
	clock.Add(keepAliveEvery)
	for i := 1; i <= keepAliveAlertAfter; i++ {
		r.idp.ScriptRefresh(idptest.RefreshAnswer{Status: http.StatusServiceUnavailable})
		if next := r.dev.keepAlive(context.Background()); next != keepAliveRetry {
			t.Fatalf("failure %d: next in %v", i, next)
		}
		clock.Add(keepAliveRetry)
		_, shown := alertOf(t, r, apitype.AlertKeepAliveFailing)
		if want := i == keepAliveAlertAfter; shown != want {
			t.Fatalf("after %d failures: alert shown %v, want %v", i, shown, want)
		}
	}
	a, _ := alertOf(t, r, apitype.AlertKeepAliveFailing)
	if !strings.Contains(a.Summary, "3 times in a row") || !strings.Contains(a.Summary, "unavailable") || !strings.Contains(a.Hint, "every hour") {
		t.Errorf("words: %q / %q", a.Summary, a.Hint)
	}
	if next := r.dev.keepAlive(context.Background()); next != keepAliveEvery {
		t.Fatalf("the provider back: next in %v", next)
	}
	if a, ok := alertOf(t, r, apitype.AlertKeepAliveFailing); !ok || a.Resolved.IsZero() {
		t.Fatalf("after a refresh that worked: %+v (shown %v), want resolved", a, ok)
	}
}

// waitAttempts waits until job id was tried n times and waits again.
func waitAttempts(t *testing.T, r *rig, id uint64, n int) {
	t.Helper()
	deadline := time.Now().Add(20 * time.Second)
	for {
		job, _, err := r.store.Job(id)
		if err != nil {
			t.Fatal(err)
		}
		if job.Attempts == n && job.State == apitype.JobQueued {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("job %d: %d attempts, %s; want %d attempts, queued", id, job.Attempts, job.State, n)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// TestAlertJobsFailing: the third delivery attempt in a row that fails
// raises the alert, not the second; a job sent resolves it.
func TestAlertJobsFailing(t *testing.T) {
	t.Parallel()
	clock := &fakeClock{t: time.Now()}
	r := newRig(t, rigOptions{now: clock.Now, idp: idptest.Options{IgnoreInterval: true, Now: clock.Now}})
	r.signedIn(testUPN)
	busy := &smtp.SMTPError{Code: 421, EnhancedCode: smtp.EnhancedCode{4, 3, 2}, Message: "Service not available"}
	for range jobsAlertAfter {
		r.mail.FailNext("mail", busy)
	}
	job, _ := r.dev.Scan(context.Background(), apitype.ScanRequest{To: to, Pages: 1}, nil)
	for n := 1; n <= jobsAlertAfter; n++ {
		waitAttempts(t, r, job.ID, n)
		_, shown := alertOf(t, r, apitype.AlertJobsFailing)
		if want := n == jobsAlertAfter; shown != want {
			t.Fatalf("after %d failed attempts: alert shown %v, want %v", n, shown, want)
		}
		clock.Add(retryMost)
		r.dev.retryDue(context.Background())
	}
	waitJob(t, r, job.ID, apitype.JobSent)
	a, ok := alertOf(t, r, apitype.AlertJobsFailing)
	if !ok || a.Resolved.IsZero() || !strings.Contains(a.Summary, "3 sending attempts in a row failed") {
		t.Fatalf("after a job sent: %+v (shown %v), want resolved", a, ok)
	}
}

// TestAlertMessage: the mail names the device and what happened in its
// subject, and says when, what to do and where the web pages are.
func TestAlertMessage(t *testing.T) {
	t.Parallel()
	s := DefaultSettings()
	s.DeviceAddress, s.Alerts.To = "scanner@contoso.example", "admin@contoso.example"
	first := time.Date(2026, 12, 3, 9, 0, 0, 0, time.UTC)
	r := alertRecord{Summary: "Scans are not sent: the sign-in ended (The sign-in is no longer valid)", Hint: "Sign in again.",
		First: first, Last: first.Add(time.Hour), Count: 2}
	web := apitype.Web{URLs: []string{"https://192.0.2.7/"}, Fingerprint: "AB:CD"}
	msg := alertMessage(s, apitype.AlertSignInEnded, r, web)
	if msg.Subject != "Scanner scanner@contoso.example: the sign-in ended, scans are not sent" {
		t.Errorf("subject %q", msg.Subject)
	}
	if len(msg.To) != 1 || msg.To[0] != s.Alerts.To {
		t.Errorf("to %q", msg.To)
	}
	for _, want := range []string{"What happened: Scans are not sent: the sign-in ended (The sign-in is no longer valid).",
		"(2 times)", "What to do: Sign in again.", "https://192.0.2.7/", "AB:CD", "at most once every 24 hours"} {
		if !strings.Contains(msg.Body, want) {
			t.Errorf("the body lacks %q:\n%s", want, msg.Body)
		}
	}
}
