package device

import (
	"context"
	"fmt"
	"strings"
	"testing"

	"scanmail/device/apitype"
	"scanmail/device/idptest"
)

// TestScanProgressParts: each step Scan reports of a job sent in parts
// says the parts sent by then, not the ones sent later: the sender goes on
// marking parts sent while a client's stream still holds the earlier
// steps.
func TestScanProgressParts(t *testing.T) {
	t.Parallel()
	r := newRig(t, rigOptions{idp: idptest.Options{IgnoreInterval: true}})
	r.signedIn(testUPN)
	r.configure(map[string]string{"scan.dpi": "150", "limits.max_message_mb": "1"})
	var notes []apitype.JobEvent
	job, err := r.dev.Scan(context.Background(), apitype.ScanRequest{To: to, Pages: 6}, func(ev apitype.JobEvent) {
		if strings.HasPrefix(ev.Note, "Sending part ") {
			notes = append(notes, ev)
		}
	})
	if err != nil || job.State != apitype.JobSent || len(job.Parts) < 2 {
		t.Fatalf("job %s in %d parts: %v", job.State, len(job.Parts), err)
	}
	for i, ev := range notes {
		if want := fmt.Sprintf("Sending part %d of", i+1); !strings.HasPrefix(ev.Note, want) || ev.Job.PartsSent() != i {
			t.Errorf("step %q says %d part(s) sent, want %d", ev.Note, ev.Job.PartsSent(), i)
		}
	}
}
