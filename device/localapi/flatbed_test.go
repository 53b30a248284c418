package localapi_test

import (
	"context"
	"errors"
	"net/http"
	"strings"
	"testing"

	"scanmail/device/apitype"
	"scanmail/device/localclient"
)

// TestFlatbedOverSocket: a flatbed scan over the local API waits after
// each page, with more_pages on its stream; jobs/more answers it, and
// jobs/cancel cancels it while it waits. An answer for no job, or for a
// job that does not wait, and a scan option the device refuses, are
// refused with their codes and statuses.
func TestFlatbedOverSocket(t *testing.T) {
	r := newErrorRig(t)
	ctx := context.Background()
	r.idp.AutoApprove(testUPN)
	if st, err := r.c.SignIn(ctx, apitype.SignInRequest{}, nil); err != nil || st.State != apitype.SignInDone {
		t.Fatalf("sign-in: %+v %v", st, err)
	}
	r.set(t, map[string]string{"scan.dpi": "75"})
	to := []string{"alice@fabrikam.example"}

	type result struct {
		job apitype.Job
		err error
	}
	flatbed := func() (chan apitype.Job, chan result) {
		waits, done := make(chan apitype.Job, 8), make(chan result, 1)
		go func() {
			job, err := r.c.Scan(ctx, apitype.ScanRequest{To: to, Flatbed: true}, func(ev apitype.JobEvent) {
				if ev.Job.MorePages {
					waits <- ev.Job
				}
			})
			done <- result{job, err}
		}()
		return waits, done
	}

	waits, done := flatbed()
	job := <-waits
	if got, err := r.c.MorePages(ctx, job.ID, true); err != nil || got.ID != job.ID || got.MorePages {
		t.Fatalf("jobs/more: %+v %v", got, err)
	}
	if job = <-waits; job.Pages != 2 {
		t.Fatalf("waiting after %d pages, want 2", job.Pages)
	}
	if _, err := r.c.MorePages(ctx, job.ID, false); err != nil {
		t.Fatal(err)
	}
	res := <-done
	if res.err != nil || res.job.State != apitype.JobSent || res.job.Pages != 2 {
		t.Fatalf("job %+v: %v", res.job, res.err)
	}
	if n := len(r.mail.Messages()); n != 1 {
		t.Fatalf("%d messages", n)
	}
	refused(t, "a sent job", r.c.MorePages, res.job.ID, apitype.CodeJobState, http.StatusConflict)
	refused(t, "no job", r.c.MorePages, 999, apitype.CodeNoJob, http.StatusNotFound)

	waits, done = flatbed()
	job = <-waits
	if got, err := r.c.CancelJob(ctx, job.ID); err != nil || got.State != apitype.JobCanceled {
		t.Fatalf("jobs/cancel while waiting: %+v %v", got, err)
	}
	if res := <-done; res.job.State != apitype.JobCanceled {
		t.Fatalf("job %+v: %v", res.job, res.err)
	}
	if n := len(r.mail.Messages()); n != 1 {
		t.Fatalf("%d messages, want the first job's only", n)
	}

	_, err := r.c.Scan(ctx, apitype.ScanRequest{To: to, ScanOptions: apitype.ScanOptions{Format: "png"}}, nil)
	var le *localclient.Error
	if !errors.As(err, &le) || le.Code != apitype.CodeInvalidRequest || le.Status != http.StatusBadRequest || !strings.Contains(le.Message, "format") {
		t.Fatalf("format png: %v (%+v), want a 400 invalid-request naming the format", err, le)
	}
}

func refused(t *testing.T, what string, more func(context.Context, uint64, bool) (apitype.Job, error), id uint64, code apitype.ErrorCode, status int) {
	t.Helper()
	_, err := more(context.Background(), id, true)
	var le *localclient.Error
	if !errors.As(err, &le) || le.Code != code || le.Status != status {
		t.Errorf("jobs/more on %s: %v (%+v), want %s %d", what, err, le, code, status)
	}
}
