package device

import (
	"context"
	"strings"
	"sync"
	"testing"
	"time"

	"scanmail/device/apitype"
	"scanmail/device/idptest"
)

// TestSendingLimit: with Exchange Online's 30 messages a minute, the 31st
// message within a minute waits until the first leaves the window, the
// operator is told why, and the count survives a restart.
func TestSendingLimit(t *testing.T) {
	t.Parallel()
	clock := &fakeClock{t: time.Now()}
	var mu sync.Mutex
	var waits []time.Duration
	sleep := func(_ context.Context, d time.Duration) error {
		mu.Lock()
		waits = append(waits, d)
		mu.Unlock()
		clock.Add(d)
		return nil
	}
	r := newRig(t, rigOptions{now: clock.Now, sleep: sleep, idp: idptest.Options{IgnoreInterval: true, Now: clock.Now}})
	r.signedIn(testUPN)

	for i := range 30 {
		clock.Add(time.Second)
		if _, err := r.dev.Scan(context.Background(), apitype.ScanRequest{To: to, Pages: 1}, nil); err != nil {
			t.Fatalf("message %d: %v", i+1, err)
		}
	}
	if len(waits) != 0 {
		t.Fatalf("30 messages in a minute waited %v", waits)
	}
	var notes []string
	if _, err := r.dev.Scan(context.Background(), apitype.ScanRequest{To: to, Pages: 1}, func(ev apitype.JobEvent) {
		if ev.Note != "" {
			notes = append(notes, ev.Note)
		}
	}); err != nil {
		t.Fatal(err)
	}
	// The first message went at +1s, the 31st asks at +30s: 31s to wait.
	if len(waits) != 1 || waits[0] != 31*time.Second {
		t.Fatalf("the 31st message waited %v, want [31s]", waits)
	}
	if len(notes) != 1 || !strings.Contains(notes[0], "sending limit") {
		t.Errorf("operator notes %q", notes)
	}
	if n := len(r.mail.Messages()); n != 31 {
		t.Fatalf("%d messages arrived, want 31", n)
	}

	// After a restart the count goes on: 30 more in this minute wait.
	r.reopen()
	waits = nil
	for range 30 {
		if _, err := r.dev.Scan(context.Background(), apitype.ScanRequest{To: to, Pages: 1}, nil); err != nil {
			t.Fatal(err)
		}
	}
	if len(waits) == 0 {
		t.Fatal("the restart forgot the messages of the last minute")
	}
}

func TestDailyRecipientLimit(t *testing.T) {
	t.Parallel()
	r := newRig(t, rigOptions{idp: idptest.Options{IgnoreInterval: true}})
	r.signedIn(testUPN)
	r.configure(map[string]string{"limits.recipients_per_day": "2"})
	_, err := r.dev.Scan(context.Background(), apitype.ScanRequest{To: []string{"a@fabrikam.example,b@fabrikam.example,c@fabrikam.example"}, Pages: 1}, nil)
	if summary, hint := Explain(err); !strings.Contains(summary, "more than the mail provider accepts in a day") || hint == "" {
		t.Fatalf("got %q, want the daily limit explained", summary)
	}
	if n := r.mail.Connections(); n != 0 {
		t.Errorf("%d connections for a message over the limit", n)
	}
}

// TestScannerFreeWhileWaiting: a job waiting for the sending limit has
// left the scanner; the next document is scanned and queued meanwhile.
func TestScannerFreeWhileWaiting(t *testing.T) {
	t.Parallel()
	clock := &fakeClock{t: time.Now()}
	waiting := make(chan struct{})
	release := make(chan struct{})
	var once sync.Once
	sleep := func(ctx context.Context, d time.Duration) error {
		once.Do(func() { close(waiting) })
		<-release
		clock.Add(d)
		return nil
	}
	r := newRig(t, rigOptions{now: clock.Now, sleep: sleep, idp: idptest.Options{IgnoreInterval: true, Now: clock.Now}})
	r.signedIn(testUPN)
	r.configure(map[string]string{"limits.messages_per_minute": "1"})
	if _, err := r.dev.Scan(context.Background(), apitype.ScanRequest{To: to, Pages: 1}, nil); err != nil {
		t.Fatal(err)
	}

	second := make(chan apitype.Job, 1)
	go func() {
		job, err := r.dev.Scan(context.Background(), apitype.ScanRequest{To: to, Pages: 1}, nil)
		if err != nil {
			t.Error(err)
		}
		second <- job
	}()
	<-waiting // the second job waits for the limit
	queued := make(chan apitype.Job, 1)
	third := make(chan struct{})
	go func() {
		defer close(third)
		job, err := r.dev.Scan(context.Background(), apitype.ScanRequest{To: to, Pages: 2}, func(ev apitype.JobEvent) {
			if ev.Job.State == apitype.JobQueued {
				queued <- ev.Job
			}
		})
		if err != nil {
			t.Error(err)
		}
		if job.State != apitype.JobSent {
			t.Errorf("third job %s: %s", job.State, job.Error)
		}
	}()
	select {
	case job := <-queued:
		if job.Pages != 2 {
			t.Errorf("third job queued with %d pages", job.Pages)
		}
	case <-time.After(30 * time.Second):
		t.Fatal("the scanner stayed busy while a job waited for the sending limit")
	}
	close(release)
	if job := <-second; job.State != apitype.JobSent {
		t.Fatalf("second job %s: %s", job.State, job.Error)
	}
	<-third
}
