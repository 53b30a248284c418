package webui_test

import (
	"bufio"
	"context"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"scanmail/webui"
)

// TestEventStream: the stream names each change's kind and nothing more,
// sends heartbeats, and ends when the session's browser leaves.
func TestEventStream(t *testing.T) {
	r := newRig(t)
	srv := httptest.NewServer(webui.NewWithEventTimes(webui.Config{API: r.api}, time.Second, 20*time.Millisecond))
	t.Cleanup(srv.Close)
	c := r.login(t, srv)

	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	req, _ := http.NewRequestWithContext(ctx, "GET", srv.URL+"/events", nil)
	req.Header.Set("Accept", "text/event-stream")
	res, err := c.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	if ct := res.Header.Get("Content-Type"); ct != "text/event-stream" || res.StatusCode != http.StatusOK {
		t.Fatalf("events: %s %s", res.Status, ct)
	}
	lines := bufio.NewScanner(res.Body)
	expect := func(want string) {
		t.Helper()
		for lines.Scan() {
			line := lines.Text()
			if strings.HasPrefix(line, "data: ") && line != "data: " {
				t.Errorf("an event carries data: %q", line)
			}
			if line == want {
				return
			}
		}
		t.Fatalf("stream ended before %q: %v", want, lines.Err())
	}
	expect("event: snapshot")
	expect(": alive")
	if _, err := r.dev.SetConfig("subject", "Scan {date}"); err != nil {
		t.Fatal(err)
	}
	expect("event: settings")
}
