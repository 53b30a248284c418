package localapi_test

import (
	"bufio"
	"context"
	"encoding/json"
	"fmt"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"scanmail/device"
	"scanmail/device/apitype"
	"scanmail/device/idptest"
	"scanmail/device/localapi"
	"scanmail/device/localclient"
	"scanmail/device/mstest"
)

// signedIn serves the local API of a device signed in with a local
// identity provider and sending to a local SMTP server, set up for fast
// scans of many small pages.
func signedIn(t *testing.T) (*device.Device, *localclient.Client, string) {
	t.Helper()
	ms, err := mstest.Start(mstest.Options{IdP: idptest.Options{Interval: 1, ClientID: "app-1"}})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(ms.Close)
	idp := ms.IdP
	dev, dir := newDevice(t)
	for _, kv := range append(ms.Settings(), [][2]string{
		{"scan.mode", "bw1"},
		{"scan.dpi", "75"},
		{"limits.messages_per_minute", "-1"},
		{"limits.recipients_per_day", "-1"},
	}...) {
		if _, err := dev.SetConfig(kv[0], kv[1]); err != nil {
			t.Fatal(err)
		}
	}
	idp.AutoApprove("scanner@contoso.example")
	if _, err := dev.StartSignIn(context.Background(), apitype.SignInRequest{}); err != nil {
		t.Fatal(err)
	}
	for {
		st, changed := dev.SignIn()
		if st.Done() {
			if st.State != apitype.SignInDone {
				t.Fatalf("sign-in: %+v", st)
			}
			break
		}
		<-changed
	}
	c := serveDevice(t, dev, dir)
	return dev, c, c.Socket
}

// manyRecipients makes every event of a job some 15 KB long, so that a
// job's events fill a socket's buffer many times over.
func manyRecipients() []string {
	var to []string
	for i := range 100 {
		to = append(to, fmt.Sprintf("recipient-%03d-%s@%sfabrikam.example", i, strings.Repeat("x", 50), strings.Repeat("scanned-documents.", 4)))
	}
	return to
}

// TestClientNotReading: a client that starts a scan and does not read its
// answer does not hold up the device: the job is scanned and sent, and the
// scanner takes the next job, while that client's socket is full. When the
// client reads at last, it gets the job's end and is told how many events
// it missed.
func TestClientNotReading(t *testing.T) {
	const pages = 60
	dev, c, sock := signedIn(t)
	conn, err := net.Dial("unix", sock)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	body, _ := json.Marshal(apitype.ScanRequest{To: manyRecipients(), Pages: pages})
	fmt.Fprintf(conn, "POST %sscan HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: %d\r\n\r\n%s",
		apitype.PathPrefix, len(body), body)
	// Nothing is read from conn until both jobs have ended.

	first := waitJobEnded(t, dev, 1)
	if first.State != apitype.JobSent || first.Pages != pages {
		t.Fatalf("the unread client's job: %s, %d pages (%s)", first.State, first.Pages, first.Error)
	}
	job, err := c.Scan(context.Background(), apitype.ScanRequest{To: []string{"a@fabrikam.example"}, Pages: 1}, nil)
	if err != nil || job.State != apitype.JobSent {
		t.Fatalf("next job: %s, %v", job.State, err)
	}

	res, err := http.ReadResponse(bufio.NewReader(conn), nil)
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	var last apitype.JobEvent
	missed, read := 0, 0
	dec := json.NewDecoder(res.Body)
	for {
		var ev apitype.JobEvent
		if err := dec.Decode(&ev); err != nil {
			break
		}
		missed += ev.Missed
		if ev.Page > 0 {
			read++
		}
		last = ev
	}
	if last.Job.State != apitype.JobSent {
		t.Fatalf("last event: the job %s, want sent", last.Job.State)
	}
	if missed == 0 || read+missed < pages {
		t.Errorf("read %d page events, told of %d missed; want some missed, and every page accounted for", read, missed)
	}
}

// waitJobEnded waits until job id has ended. Before the fix it never did:
// the device hung in its progress report.
func waitJobEnded(t *testing.T, dev *device.Device, id uint64) apitype.Job {
	t.Helper()
	deadline := time.Now().Add(60 * time.Second)
	for {
		jobs, err := dev.Jobs(10)
		if err != nil {
			t.Fatal(err)
		}
		state := "not there"
		for _, j := range jobs {
			if j.ID == id {
				if j.State == apitype.JobSent || j.State == apitype.JobFailed {
					return j
				}
				state = j.State
			}
		}
		if time.Now().After(deadline) {
			t.Fatalf("job %d still %s after 60s", id, state)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

func TestJobsLimit(t *testing.T) {
	dev, _ := newDevice(t)
	h := localapi.NewHandler(dev, nil)
	for _, tt := range []struct {
		limit string
		want  int
	}{
		{"1", http.StatusOK},
		{"1000", http.StatusOK},
		{"1001", http.StatusBadRequest},
		{"1000000000", http.StatusBadRequest},
		{"0", http.StatusBadRequest},
		{"-1", http.StatusBadRequest},
		{"x", http.StatusBadRequest},
	} {
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, httptest.NewRequest("GET", apitype.PathPrefix+"jobs?limit="+tt.limit, nil))
		if rec.Code != tt.want || (tt.want != http.StatusOK && !strings.Contains(rec.Body.String(), "from 1 to 1000")) {
			t.Errorf("limit %s: %d %s, want %d", tt.limit, rec.Code, rec.Body, tt.want)
		}
	}
}
