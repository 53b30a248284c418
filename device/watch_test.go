package device

import (
	"context"
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/emersion/go-smtp"

	"scanmail/device/apitype"
	"scanmail/device/idptest"
)

// TestWatchJob: two watchers see a sign-in, settings changed and a job
// that is throttled, refused with a 4xx, tried again later and sent in
// parts; one sees every transition of it, in order, while the other stops
// reading after its snapshot. The device goes on all the same, and the
// watcher that stopped is sent a fresh snapshot, marked as after missed
// changes, when it reads again.
func TestWatchJob(t *testing.T) {
	t.Parallel()
	const pages = 9
	clock := &fakeClock{t: time.Now()}
	var r *rig
	limitWaits := 0
	sleep := func(_ context.Context, d time.Duration) error {
		// Only the sending limits sleep: the status says until when.
		if st, err := r.dev.Status(); err != nil || !st.LimitWait.Equal(clock.Now().Add(d)) {
			t.Errorf("status while waiting %v for the sending limit: limit wait %v, %v", d, st.LimitWait, err)
		}
		limitWaits++
		clock.Add(d)
		return nil
	}
	r = newRig(t, rigOptions{now: clock.Now, sleep: sleep, idp: idptest.Options{IgnoreInterval: true, Now: clock.Now}})
	ctx := context.Background()

	// More room than the test makes changes: the reader never falls
	// behind, however slow it runs.
	all := r.dev.watchQueued(4096)
	defer all.Close()
	stopped := r.dev.watchQueued(4)
	defer stopped.Close()
	first, err := stopped.Next(ctx)
	if err != nil || first.Kind != apitype.NotifySnapshot || first.Status == nil || first.Status.Ready || first.Missed != 0 {
		t.Fatalf("first notification %+v, %v; want a snapshot of a device not ready", first, err)
	}

	var mu sync.Mutex
	var seen []apitype.Notify
	done := make(chan struct{}) // the job of pages pages was sent
	go func() {
		for {
			n, err := all.Next(ctx)
			if err != nil {
				return
			}
			mu.Lock()
			seen = append(seen, n)
			mu.Unlock()
			if n.Kind == apitype.NotifyJob && n.Job.Job.State == apitype.JobSent && n.Job.Job.Pages == pages {
				close(done)
			}
		}
	}()

	r.signedIn(testUPN)
	r.configure(map[string]string{
		"limits.messages_per_minute": "1",
		"limits.max_message_mb":      "1",
		"scan.dpi":                   "150",
	})
	// This minute's message: the next one waits for the limit.
	if _, err := r.dev.Scan(ctx, apitype.ScanRequest{To: to, Pages: 1}, nil); err != nil {
		t.Fatal(err)
	}
	r.mail.FailNext("mail", &smtp.SMTPError{Code: 421, EnhancedCode: smtp.EnhancedCode{4, 3, 2}, Message: "Service not available"})
	job, _ := r.dev.Scan(ctx, apitype.ScanRequest{To: to, Pages: pages}, nil)
	for {
		j, _, err := r.store.Job(job.ID)
		if err != nil {
			t.Fatal(err)
		}
		if j.State == apitype.JobQueued && j.Attempts == 1 && j.Error != "" {
			break
		}
		time.Sleep(10 * time.Millisecond) // the outbox may have taken the first attempt
	}
	clock.Add(2 * time.Minute)
	r.dev.retryDue(ctx)
	sent := waitJob(t, r, job.ID, apitype.JobSent)
	<-done
	parts := len(sent.Parts)
	if parts < 3 || limitWaits != parts {
		t.Fatalf("sent in %d parts after %d waits for the limit, want several parts and as many waits", parts, limitWaits)
	}
	if st, _ := r.dev.Status(); !st.LimitWait.IsZero() {
		t.Errorf("status after the waits: limit wait %v", st.LimitWait)
	}

	mu.Lock()
	var got []string
	kinds := map[string]int{}
	for _, n := range seen {
		kinds[n.Kind]++
		if n.Kind == apitype.NotifyJob && n.Job.Job.ID == job.ID {
			got = append(got, transition(t, n))
		}
	}
	mu.Unlock()
	want := []string{"scanning"}
	for p := range pages {
		want = append(want, fmt.Sprintf("page %d", p+1))
	}
	want = append(want, "queued", "sending, attempt 1", fmt.Sprintf("sending, attempt 1, 0 of %d parts sent", parts),
		fmt.Sprintf("note: part 1 of %d", parts), "note: waiting for the sending limit",
		"retry later: 421 4.3.2")
	for p := range parts {
		want = append(want, fmt.Sprintf("sending, attempt 2, %d of %d parts sent", p, parts), fmt.Sprintf("note: part %d of %d", p+1, parts))
		if p > 0 {
			want = append(want, "note: waiting for the sending limit")
		}
	}
	want = append(want, fmt.Sprintf("sending, attempt 2, %d of %d parts sent", parts, parts), "sent")
	if strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Errorf("the job's transitions:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
	if kinds[apitype.NotifySnapshot] != 1 || kinds[apitype.NotifySignIn] < 2 || kinds[apitype.NotifySettings] != 3 || kinds[apitype.NotifyStatus] == 0 {
		t.Errorf("notifications by kind %v: want one snapshot, the sign-in's steps, 3 settings and status changes", kinds)
	}

	// The watcher that stopped reading held nothing up; it starts again
	// from a snapshot of now.
	again, err := stopped.Next(ctx)
	if err != nil || again.Kind != apitype.NotifySnapshot || again.Missed == 0 {
		t.Fatalf("after reading nothing: %s, missed %d, %v; want a snapshot after missed changes", again.Kind, again.Missed, err)
	}
	if st := again.Status; !st.Ready || st.LastJob == nil || st.LastJob.ID != job.ID || st.LastJob.State != apitype.JobSent || len(again.Jobs) != 0 {
		t.Errorf("snapshot after the job: %+v, jobs not ended %d", st, len(again.Jobs))
	}
	if acct := again.Status.Account; acct == nil || acct.NextKeepAlive.IsZero() || acct.SignInNeeded {
		t.Errorf("snapshot's account: %+v, want its next keep-alive", acct)
	}
	// And it hears of changes again.
	r.configure(map[string]string{"subject": "Scan"})
	if n, err := stopped.Next(ctx); err != nil || n.Kind != apitype.NotifySettings || n.Setting.Key != "subject" || n.Setting.Value != "Scan" {
		t.Errorf("after the snapshot: %+v, %v; want the setting changed", n, err)
	}
	// A watcher that goes away and comes back starts from a snapshot.
	stopped.Close()
	if _, err := stopped.Next(ctx); err != ErrClosed {
		t.Errorf("Next after Close: %v", err)
	}
	back := r.dev.Watch()
	defer back.Close()
	if n, err := back.Next(ctx); err != nil || n.Kind != apitype.NotifySnapshot || n.Missed != 0 || !n.Status.Ready {
		t.Errorf("watching again: %s, missed %d, %v", n.Kind, n.Missed, err)
	}
}

// TestStatusSignInNeeded: the status says when an admin must sign in
// again, and then plans no keep-alive.
func TestStatusSignInNeeded(t *testing.T) {
	t.Parallel()
	r := newRig(t, rigOptions{idp: idptest.Options{IgnoreInterval: true}})
	r.signedIn(testUPN)
	st, err := r.dev.Status()
	if err != nil || st.Account == nil || st.Account.SignInNeeded || st.Account.NextKeepAlive.IsZero() {
		t.Fatalf("signed in: %+v, %v", st.Account, err)
	}
	r.configure(map[string]string{"client_id": "99999999-2222-3333-4444-555555555555"})
	if st, _ := r.dev.Status(); !st.Account.SignInNeeded || st.Ready {
		t.Errorf("after the client ID changed: %+v, ready %v", st.Account, st.Ready)
	}
	if err := r.store.EndSignIn(testUPN, Ended{Summary: "The sign-in ended"}); err != nil {
		t.Fatal(err)
	}
	if st, _ := r.dev.Status(); !st.Account.SignInNeeded || !st.Account.NextKeepAlive.IsZero() {
		t.Errorf("after the provider ended the sign-in: %+v", st.Account)
	}
}

// transition says what a job's notification tells, in the words of the
// test's expectations.
func transition(t *testing.T, n apitype.Notify) string {
	t.Helper()
	ev, j := n.Job, n.Job.Job
	switch {
	case len(j.SMTPLog) > 0:
		return "carries the SMTP log"
	case ev.Page > 0:
		return fmt.Sprintf("page %d", ev.Page)
	case strings.Contains(ev.Note, "sending limit"):
		return "note: waiting for the sending limit"
	case strings.HasPrefix(ev.Note, "Sending part "):
		var i, of int
		fmt.Sscanf(ev.Note, "Sending part %d of %d", &i, &of)
		return fmt.Sprintf("note: part %d of %d", i, of)
	case ev.Note != "":
		return "note: " + ev.Note
	case j.State == apitype.JobQueued && j.Error != "":
		if !j.NextAttempt.After(n.Time) || !strings.Contains(j.Hint, "tries again at") {
			return fmt.Sprintf("retry without a time: next %v at %v (%s)", j.NextAttempt, n.Time, j.Hint)
		}
		if strings.Contains(j.Error, "421 4.3.2") {
			return "retry later: 421 4.3.2"
		}
		return "retry later: " + j.Error
	case j.State == apitype.JobSending && len(j.Parts) > 0:
		return fmt.Sprintf("sending, attempt %d, %d of %d parts sent", j.Attempts, j.PartsSent(), len(j.Parts))
	case j.State == apitype.JobSending:
		return fmt.Sprintf("sending, attempt %d", j.Attempts)
	}
	return j.State
}
