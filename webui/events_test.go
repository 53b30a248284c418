package webui_test

import (
	"bufio"
	"context"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
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

// stalledBrowser is a connection whose reader stopped reading: a write
// waits until the deadline set on it, then fails, as a socket's does.
type stalledBrowser struct {
	header   http.Header
	deadline chan time.Time
}

func (b *stalledBrowser) Header() http.Header { return b.header }
func (b *stalledBrowser) WriteHeader(int)     {}
func (b *stalledBrowser) Flush() error        { return nil }

func (b *stalledBrowser) SetWriteDeadline(d time.Time) error {
	b.deadline <- d
	return nil
}

func (b *stalledBrowser) Write(p []byte) (int, error) {
	// The handler set a deadline before it writes; without one this
	// write would wait forever, as it would on a real stalled socket.
	d := <-b.deadline
	time.Sleep(time.Until(d))
	return 0, os.ErrDeadlineExceeded
}

// TestEventStreamStalledBrowser: a browser that stops reading does not
// hold the stream's goroutine: each write has a deadline.
func TestEventStreamStalledBrowser(t *testing.T) {
	r := newRig(t)
	h := webui.NewWithEventTimes(webui.Config{API: r.api}, 10*time.Millisecond, time.Hour)
	c := r.login(t, r.plain)
	u, _ := url.Parse(r.plain.URL)
	req := httptest.NewRequest("GET", r.plain.URL+"/events", nil)
	req.Header.Set("Accept", "text/event-stream")
	for _, ck := range c.Jar.Cookies(u) {
		req.AddCookie(ck)
	}
	b := &stalledBrowser{header: http.Header{}, deadline: make(chan time.Time, 1)}
	h.ServeHTTP(b, req) // returns: the test would hang otherwise
	if b.header.Get("Content-Type") != "text/event-stream" {
		t.Errorf("not the event stream: %v", b.header)
	}
}
