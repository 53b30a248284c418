package localapi_test

import (
	"bufio"
	"context"
	"encoding/json"
	"fmt"
	"net"
	"net/http"
	"testing"
	"time"

	"scanmail/device/apitype"
)

// TestWatch: the watch route streams a snapshot and then a job's changes
// through the socket to one client, while another client that stops
// reading after its snapshot holds up neither the job nor the first
// client; when it reads again it is sent a fresh snapshot, marked as after
// missed changes, that tells of the job sent.
func TestWatch(t *testing.T) {
	const pages = 150
	dev, c, sock := signedIn(t)

	conn, err := net.Dial("unix", sock)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	fmt.Fprintf(conn, "GET %swatch HTTP/1.1\r\nHost: x\r\n\r\n", apitype.PathPrefix)
	res, err := http.ReadResponse(bufio.NewReader(conn), nil)
	if err != nil {
		t.Fatal(err)
	}
	// The stream never ends by itself: closing conn ends it (closing the
	// body would read it to its end first).
	dec := json.NewDecoder(res.Body)
	var first apitype.Notify
	if err := dec.Decode(&first); err != nil || first.Kind != apitype.NotifySnapshot || first.Status == nil || !first.Status.Ready {
		t.Fatalf("first line %+v, %v; want a snapshot of a device ready", first, err)
	}
	// Nothing more is read from conn until the job has ended.

	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	watched := make(chan apitype.Notify, 1024)
	watching := make(chan error, 1)
	go func() {
		watching <- c.Watch(ctx, func(n apitype.Notify) { watched <- n })
		close(watched)
	}()
	if n := <-watched; n.Kind != apitype.NotifySnapshot {
		t.Fatalf("the client's first notification is %s, want a snapshot", n.Kind)
	}

	job, err := c.Scan(context.Background(), apitype.ScanRequest{To: manyRecipients(), Pages: pages}, nil)
	if err != nil || job.State != apitype.JobSent {
		t.Fatalf("job %s, %v", job.State, err)
	}
	waitJobEnded(t, dev, job.ID)

	// The client that read all along heard of the job sent: from its
	// change, or from a snapshot after it fell behind.
	for n := range watched {
		if n.Kind == apitype.NotifyJob && n.Job.Job.ID == job.ID && n.Job.Job.State == apitype.JobSent ||
			n.Kind == apitype.NotifySnapshot && n.Status.LastJob != nil && n.Status.LastJob.ID == job.ID && n.Status.LastJob.State == apitype.JobSent {
			break
		}
	}
	cancel()
	for range watched {
	}
	if err := <-watching; err != context.Canceled {
		t.Errorf("Watch returned %v after its context ended", err)
	}

	// The one that stopped reads again: what its socket held, then a
	// snapshot after the changes it missed. (The deadline only turns a
	// stream without that snapshot into a failure instead of a hang.)
	conn.SetReadDeadline(time.Now().Add(time.Minute))
	for {
		var n apitype.Notify
		if err := dec.Decode(&n); err != nil {
			t.Fatalf("no snapshot after the missed changes: %v", err)
		}
		if n.Kind != apitype.NotifySnapshot {
			continue
		}
		if n.Missed == 0 || n.Status.LastJob == nil || n.Status.LastJob.ID != job.ID || n.Status.LastJob.State != apitype.JobSent {
			t.Fatalf("snapshot after reading again: missed %d, last job %+v", n.Missed, n.Status.LastJob)
		}
		break
	}
}
