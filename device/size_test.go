package device

import (
	"context"
	"strings"
	"testing"

	"scanmail/device/apitype"
	"scanmail/device/idptest"
	"scanmail/mailer/smtptest"
)

// TestOversizeAdvertised: a server that advertises its limit (SIZE in its
// EHLO answer, RFC 1870) gets a document larger than that in parts that
// fit from the first: the whole document is never uploaded (no DATA for
// it), each part is within the limit, and each MAIL FROM says the exact
// size the server then receives.
func TestOversizeAdvertised(t *testing.T) {
	t.Parallel()
	const limit = 700 << 10
	r := newRig(t, rigOptions{idp: idptest.Options{IgnoreInterval: true}, smtp: smtptest.Options{MaxMessageBytes: limit}})
	r.signedIn(testUPN)
	r.configure(map[string]string{"scan.dpi": "150", "limits.max_message_mb": "-1"})
	var notes []string
	job, err := r.dev.Scan(context.Background(), apitype.ScanRequest{To: to, Pages: 9}, func(ev apitype.JobEvent) {
		if ev.Note != "" {
			notes = append(notes, ev.Note)
		}
	})
	if err != nil || job.State != apitype.JobSent {
		t.Fatalf("job %s: %v (%s)", job.State, err, job.Error)
	}
	msgs := r.mail.Messages()
	if len(job.Parts) < 2 || len(msgs) != len(job.Parts) {
		t.Fatalf("%d messages for %d parts, want several", len(msgs), len(job.Parts))
	}
	if n := r.mail.DataCommands(); n != len(msgs) {
		t.Errorf("%d DATA commands for %d messages: an upload was refused", n, len(msgs))
	}
	for i, m := range msgs {
		if m.Size > limit || m.Size != int64(len(m.Data)) || m.DeclaredSize != m.Size {
			t.Errorf("part %d: %d bytes received (%d kept), MAIL FROM SIZE=%d; want at most %d, as announced",
				i+1, m.Size, len(m.Data), m.DeclaredSize, limit)
		}
	}
	if told := strings.Join(notes, "\n"); !strings.Contains(told, "The mail server takes at most 0.7 MB a message") {
		t.Errorf("operator notes %q, want the server's limit", notes)
	}
}
