package device

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/emersion/go-message/mail"
	"github.com/emersion/go-smtp"

	"scanmail/device/apitype"
	"scanmail/device/idptest"
	"scanmail/mailer/smtptest"
	"scanmail/scan/filecheck"
)

// TestOversizeSplit: a document too large for one message goes as
// numbered mails of whole pages, each within the limit, whether the limit
// is the device's setting or only the server's 552 5.3.4 tells it.
func TestOversizeSplit(t *testing.T) {
	const pages = 9
	tests := []struct {
		name     string
		settings map[string]string
		server   int64 // the server's largest message, refused only after its upload; 0 = none
		limit    int64 // every message must stay within
		opts     apitype.ScanOptions
	}{
		{"device limit", map[string]string{"limits.max_message_mb": "1"}, 0, 1 << 20, apitype.ScanOptions{}},
		{"server 552 5.3.4", map[string]string{"limits.max_message_mb": "-1"}, 700 << 10, 700 << 10, apitype.ScanOptions{}},
		{"tiff", map[string]string{"limits.max_message_mb": "1", "scan.format": "tiff"}, 0, 1 << 20, apitype.ScanOptions{}},
		{"jpeg files", map[string]string{"limits.max_message_mb": "1", "scan.format": "jpeg"}, 0, 1 << 20, apitype.ScanOptions{}},
		{"pdf per page", map[string]string{"limits.max_message_mb": "1"}, 0, 1 << 20, apitype.ScanOptions{PerPage: true}},
		{"pdfa named", map[string]string{"limits.max_message_mb": "1", "scan.pdfa": "yes", "scan.file_name": "{device} {date}"}, 0, 1 << 20, apitype.ScanOptions{}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			r := newRig(t, rigOptions{idp: idptest.Options{IgnoreInterval: true}, smtp: smtptest.Options{MailboxLimit: tt.server}})
			r.signedIn(testUPN)
			r.configure(map[string]string{"scan.dpi": "150"})
			r.configure(tt.settings)
			var notes []string
			job, err := r.dev.Scan(context.Background(), apitype.ScanRequest{To: to, Pages: pages, ScanOptions: tt.opts}, func(ev apitype.JobEvent) {
				if ev.Note != "" {
					notes = append(notes, ev.Note)
				}
			})
			if err != nil || job.State != apitype.JobSent {
				t.Fatalf("job %s: %v (%s)", job.State, err, job.Error)
			}
			if len(job.Parts) < 2 {
				t.Fatalf("sent as %d part(s), want several", len(job.Parts))
			}
			msgs := r.mail.Messages()
			if len(msgs) != len(job.Parts) {
				t.Fatalf("%d messages for %d parts", len(msgs), len(job.Parts))
			}
			next := 1
			for i, part := range job.Parts {
				label := fmt.Sprintf("part %d of %d", i+1, len(job.Parts))
				if !part.Sent || part.First != next || part.Last < part.First {
					t.Fatalf("%s: %+v, want sent from page %d", label, part, next)
				}
				next = part.Last + 1
				data := msgs[i].Data
				if int64(len(data)) > tt.limit {
					t.Errorf("%s is %d bytes, over %d", label, len(data), tt.limit)
				}
				h := header(t, data)
				if subj, _ := h.Subject(); !strings.HasSuffix(subj, "("+label+")") {
					t.Errorf("subject %q, want it to end in (%s)", subj, label)
				}
				if id, _ := h.MessageID(); id != part.MessageID || id == job.MessageID {
					t.Errorf("%s has Message-ID %q, want its own %q", label, id, part.MessageID)
				}
				n := part.Last - part.First + 1
				atts := attachments(t, data)
				switch {
				case strings.Contains(tt.name, "jpeg"):
					if len(atts) != n {
						t.Fatalf("%s: %d attachments for %d pages", label, len(atts), n)
					}
				case tt.opts.PerPage:
					if len(atts) != n {
						t.Fatalf("%s: %d attachments for %d pages", label, len(atts), n)
					}
					for j, a := range atts {
						if want := fmt.Sprintf("-p%03d.pdf", part.First+j); !strings.HasSuffix(a.name, want) {
							t.Errorf("%s: attachment %s, want it to end in %s", label, a.name, want)
						}
						filecheck.PDF(t, a.data, 1)
					}
				case len(atts) != 1:
					t.Fatalf("%s: %d attachments", label, len(atts))
				case strings.Contains(tt.name, "tiff"):
					if !strings.HasSuffix(atts[0].name, fmt.Sprintf("-part%dof%d.tif", i+1, len(job.Parts))) {
						t.Errorf("%s named %s", label, atts[0].name)
					}
					path := filepath.Join(t.TempDir(), atts[0].name)
					if err := os.WriteFile(path, atts[0].data, 0o600); err != nil {
						t.Fatal(err)
					}
					filecheck.TIFF(t, path, n)
				default:
					if !strings.HasSuffix(atts[0].name, fmt.Sprintf("-part%dof%d.pdf", i+1, len(job.Parts))) {
						t.Errorf("%s named %s", label, atts[0].name)
					}
					filecheck.PDF(t, atts[0].data, n)
					if tt.settings["scan.pdfa"] == "yes" {
						filecheck.PDFA(t, atts[0].data, map[string]string{
							"Title":  fmt.Sprintf("Scanned document, %s", label),
							"Author": testUPN, "Producer": "scanmail",
						})
						if want := "scanner " + job.Created.Format("2006-01-02"); !strings.HasPrefix(atts[0].name, want) {
							t.Errorf("%s named %s, want it to start with %s", label, atts[0].name, want)
						}
					}
				}
			}
			if next != pages+1 {
				t.Errorf("parts end at page %d, the document has %d", next-1, pages)
			}
			told := strings.Join(notes, "\n")
			if len(notes) < len(job.Parts) || !strings.Contains(told, fmt.Sprintf("Sending part %d of %d", len(job.Parts), len(job.Parts))) {
				t.Errorf("operator notes %q", notes)
			}
			if refused := strings.Contains(told, "refused the message as too large"); refused != (tt.server != 0) {
				t.Errorf("told of the server's refusal: %v, want %v (notes %q)", refused, tt.server != 0, notes)
			}
			spool := spoolPath(r.dev.spoolDir, job.ID)
			if _, err := spoolFiles(spool); err == nil {
				t.Errorf("spool %s kept after the job was sent", spool)
			}
		})
	}
}

// TestOversizeResumes: a part that fails for a passing reason is tried
// again later; the parts sent before are not sent twice.
func TestOversizeResumes(t *testing.T) {
	t.Parallel()
	clock := &fakeClock{t: time.Now()}
	r := newRig(t, rigOptions{now: clock.Now, idp: idptest.Options{IgnoreInterval: true, Now: clock.Now}})
	r.signedIn(testUPN)
	r.configure(map[string]string{"scan.dpi": "150", "limits.max_message_mb": "1"})
	r.mail.FailNext("data", nil)
	r.mail.FailNext("data", &smtp.SMTPError{Code: 451, EnhancedCode: smtp.EnhancedCode{4, 3, 0}, Message: "Temporary server error"})
	job, err := r.dev.Scan(context.Background(), apitype.ScanRequest{To: to, Pages: 9}, nil)
	if err == nil || job.State != apitype.JobQueued || len(job.Parts) < 3 || !job.Parts[0].Sent || job.Parts[1].Sent {
		t.Fatalf("after a 451 on part 2: %v, job %+v", err, job)
	}
	clock.Add(2 * time.Minute)
	r.dev.retryDue(context.Background())
	sent := waitJob(t, r, job.ID, apitype.JobSent)
	msgs := r.mail.Messages()
	if len(msgs) != len(sent.Parts) {
		t.Fatalf("%d messages arrived for %d parts", len(msgs), len(sent.Parts))
	}
	for i, part := range sent.Parts {
		if part.MessageID != job.Parts[i].MessageID {
			t.Errorf("part %d changed its Message-ID on the retry", i+1)
		}
		if id, _ := header(t, msgs[i].Data).MessageID(); id != part.MessageID {
			t.Errorf("message %d is %s, want part %d's %s", i+1, id, i+1, part.MessageID)
		}
	}
	// Canceled halfway, the job says how far it got.
	r.mail.FailNext("data", nil)
	r.mail.FailNext("data", &smtp.SMTPError{Code: 451, EnhancedCode: smtp.EnhancedCode{4, 3, 0}, Message: "Temporary server error"})
	job, _ = r.dev.Scan(context.Background(), apitype.ScanRequest{To: to, Pages: 9}, nil)
	canceled, err := r.dev.CancelJob(job.ID)
	if err != nil || canceled.State != apitype.JobCanceled || canceled.Error != fmt.Sprintf("Canceled after 1 of its %d parts were sent", len(job.Parts)) {
		t.Fatalf("cancel halfway: %v, job %+v", err, canceled)
	}
}

// TestOversizeOnePage: a page too large on its own is refused, saying so:
// before connecting when the limit is known, after the server's 552 when
// only the server knew it.
func TestOversizeOnePage(t *testing.T) {
	tests := []struct {
		name        string
		settings    map[string]string
		server      int64
		connections bool
	}{
		{"known limit", map[string]string{"limits.max_message_mb": "1", "scan.dpi": "600"}, 0, false},
		{"server's limit", map[string]string{"limits.max_message_mb": "-1"}, 100 << 10, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			r := newRig(t, rigOptions{idp: idptest.Options{IgnoreInterval: true}, smtp: smtptest.Options{MaxMessageBytes: tt.server}})
			r.signedIn(testUPN)
			r.configure(tt.settings)
			job, err := r.dev.Scan(context.Background(), apitype.ScanRequest{To: to, Pages: 2}, nil)
			if err == nil || job.State != apitype.JobFailed || !strings.Contains(job.Error, "Page 1 alone is too large") || !strings.Contains(job.Hint, "lower resolution") {
				t.Fatalf("job %+v (%v), want refused: a page alone is too large", job, err)
			}
			if len(r.mail.Messages()) != 0 {
				t.Error("a message arrived")
			}
			if got := r.mail.Connections() > 0; got != tt.connections {
				t.Errorf("connected: %v, want %v", got, tt.connections)
			}
		})
	}
}

func header(t *testing.T, msg []byte) *mail.Header {
	t.Helper()
	mr, err := mail.CreateReader(strings.NewReader(string(msg)))
	if err != nil {
		t.Fatal(err)
	}
	defer mr.Close()
	return &mr.Header
}

// TestOversizeRecipientRefused: a recipient refused for good on the first
// part is not tried again on the others, and the job names it once.
func TestOversizeRecipientRefused(t *testing.T) {
	t.Parallel()
	r := newRig(t, rigOptions{idp: idptest.Options{IgnoreInterval: true}})
	r.signedIn(testUPN)
	r.configure(map[string]string{"scan.dpi": "150", "limits.max_message_mb": "1"})
	r.mail.FailNext("rcpt", nil)
	r.mail.FailNext("rcpt", &smtp.SMTPError{Code: 550, EnhancedCode: smtp.EnhancedCode{5, 1, 1}, Message: "User unknown"})
	job, err := r.dev.Scan(context.Background(), apitype.ScanRequest{To: []string{"a@fabrikam.example", "nobody@fabrikam.example"}, Pages: 9}, nil)
	if err != nil || job.State != apitype.JobSent || len(job.Parts) < 2 || strings.Count(job.Error, "nobody@fabrikam.example") != 1 {
		t.Fatalf("job %s in %d parts, error %q (%v); want sent, naming the refused address once", job.State, len(job.Parts), job.Error, err)
	}
	for i, m := range r.mail.Messages() {
		if strings.Join(m.To, ",") != "a@fabrikam.example" {
			t.Errorf("part %d went to %v", i+1, m.To)
		}
	}
}

// TestOversizeCompact: a compact PDF too large for the server arrives as
// numbered parts of whole pages, each within the limit and a valid PDF
// (PDF/A when set) of compact pages.
func TestOversizeCompact(t *testing.T) {
	const pages = 6
	for _, pdfa := range []string{"no", "yes"} {
		t.Run("pdfa "+pdfa, func(t *testing.T) {
			t.Parallel()
			const limit = 400 << 10
			r := newRig(t, rigOptions{idp: idptest.Options{IgnoreInterval: true}, smtp: smtptest.Options{MaxMessageBytes: limit}})
			r.signedIn(testUPN)
			r.configure(map[string]string{"limits.max_message_mb": "-1", "scan.format": "pdf-compact", "scan.mode": "rgb24", "scan.dpi": "300", "scan.pdfa": pdfa})
			job, err := r.dev.Scan(context.Background(), apitype.ScanRequest{To: to, Pages: pages}, nil)
			if err != nil || job.State != apitype.JobSent {
				t.Fatalf("job %s: %v (%s %s)", job.State, err, job.Error, job.Hint)
			}
			msgs := r.mail.Messages()
			if len(job.Parts) < 2 || len(msgs) != len(job.Parts) {
				t.Fatalf("%d messages for %d parts, want several", len(msgs), len(job.Parts))
			}
			next := 1
			for i, part := range job.Parts {
				label := fmt.Sprintf("part %d of %d", i+1, len(job.Parts))
				if !part.Sent || part.First != next || part.Last < part.First {
					t.Fatalf("%s: %+v, want sent from page %d", label, part, next)
				}
				next = part.Last + 1
				if len(msgs[i].Data) > limit {
					t.Errorf("%s is %d bytes, over %d", label, len(msgs[i].Data), limit)
				}
				atts := attachments(t, msgs[i].Data)
				if len(atts) != 1 || !strings.HasSuffix(atts[0].name, fmt.Sprintf("-part%dof%d.pdf", i+1, len(job.Parts))) {
					t.Fatalf("%s: attachments %d, first named %q", label, len(atts), atts[0].name)
				}
				filecheck.PDF(t, atts[0].data, part.Last-part.First+1)
				if !strings.Contains(string(atts[0].data), "/ImageMask true") {
					t.Errorf("%s has no compact page", label)
				}
				if pdfa == "yes" {
					filecheck.PDFA(t, atts[0].data, map[string]string{
						"Title": fmt.Sprintf("Scanned document, %s", label), "Author": testUPN, "Producer": "scanmail",
					})
				}
			}
			if next != pages+1 {
				t.Errorf("parts end at page %d, the document has %d", next-1, pages)
			}
		})
	}
}
