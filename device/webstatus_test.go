package device

import (
	"context"
	"slices"
	"testing"
	"time"

	"scanmail/device/apitype"
)

// TestSetWebStatus: where the web pages listen shows in the status and
// goes to the watchers as a status change; the same again is no change,
// and the caller's slice changed later changes nothing.
func TestSetWebStatus(t *testing.T) {
	r := newPINRig(t)
	// A change not published would leave Next waiting: the deadline
	// turns that into a failure.
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	// Once the loops answer, the keep-alive has published its first
	// status change: the changes seen from now on are the test's.
	if err := r.dev.Alive(ctx); err != nil {
		t.Fatal(err)
	}
	w := r.dev.watchQueued(16)
	defer w.Close()
	if n, err := w.Next(ctx); err != nil || n.Kind != apitype.NotifySnapshot || n.Status.Web.URLs != nil {
		t.Fatalf("first: %+v %v, want a snapshot without web pages", n, err)
	}
	urls := []string{"https://192.0.2.7:8443/", "https://scanner.local:8443/"}
	const fp = "AB:CD:EF"
	r.dev.SetWeb(apitype.Web{URLs: urls, Fingerprint: fp})
	urls[0] = "changed by the caller"
	n, err := w.Next(ctx)
	if err != nil || n.Kind != apitype.NotifyStatus || n.Status == nil {
		t.Fatalf("after SetWeb: %+v %v, want a status change", n, err)
	}
	want := apitype.Web{URLs: []string{"https://192.0.2.7:8443/", "https://scanner.local:8443/"}, Fingerprint: fp}
	st, err := r.dev.Status()
	if err != nil {
		t.Fatal(err)
	}
	for _, st := range []apitype.Status{*n.Status, st} {
		if !slices.Equal(st.Web.URLs, want.URLs) || st.Web.Fingerprint != fp {
			t.Errorf("status's web pages %+v, want %+v", st.Web, want)
		}
	}
	r.dev.SetWeb(want)
	w.mu.Lock()
	queued := len(w.queue)
	w.mu.Unlock()
	if queued != 0 {
		t.Errorf("the same web pages again: %d changes published, want none", queued)
	}
	r.dev.SetWeb(apitype.Web{})
	if n, err := w.Next(ctx); err != nil || n.Kind != apitype.NotifyStatus || n.Status.Web.URLs != nil || n.Status.Web.Fingerprint != "" {
		t.Fatalf("after the web pages stop: %+v %v", n, err)
	}
}
