package device

import (
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/emersion/go-smtp"

	"scanmail/device/apitype"
	"scanmail/device/idptest"
	"scanmail/scan/filecheck"
)

// TestScanOptions: a job's own options win over the settings, for that
// job only, and reach the mail: the colour mode and resolution of the
// PDF's images, the file format, one file a page, the subject.
func TestScanOptions(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name    string
		opts    apitype.ScanOptions
		subject string // as received
		ctype   string
		files   int    // attachments
		images  string // pdfimages' colour and coding, with the resolution
	}{
		{"mode, dpi, subject", apitype.ScanOptions{Mode: "rgb24", DPI: 100, Subject: "Invoice: {pages} pages"},
			"Invoice: 2 pages", "application/pdf", 1, "rgb jpeg 100"},
		{"format", apitype.ScanOptions{Format: "tiff", Mode: "gray8"}, "Scanned document", "image/tiff", 1, ""},
		{"compact pdf", apitype.ScanOptions{Format: "pdf-compact", Mode: "rgb24", DPI: 150}, "Scanned document", "application/pdf", 1, ""},
		{"pdf per page", apitype.ScanOptions{PerPage: true, DPI: 150}, "Scanned document", "application/pdf", 2, "gray ccitt 150"},
		{"tiff per page", apitype.ScanOptions{PerPage: true, Format: "tiff"}, "Scanned document", "image/tiff", 2, ""},
		{"jpeg", apitype.ScanOptions{Format: "jpeg", PerPage: true, DPI: 150}, "Scanned document", "image/jpeg", 2, ""},
		{"none: the settings", apitype.ScanOptions{}, "Scanned document", "application/pdf", 1, "gray ccitt 75"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			r := newRig(t, rigOptions{idp: idptest.Options{IgnoreInterval: true}})
			r.signedIn(testUPN)
			r.configure(map[string]string{"scan.mode": "bw1", "scan.dpi": "75", "scan.format": "pdf"})
			job, err := r.dev.Scan(context.Background(), apitype.ScanRequest{To: to, Pages: 2, ScanOptions: tt.opts}, nil)
			if err != nil || job.State != apitype.JobSent {
				t.Fatalf("job %+v: %v", job, err)
			}
			msgs := r.mail.Messages()
			if len(msgs) != 1 {
				t.Fatalf("%d messages", len(msgs))
			}
			if subj, _ := header(t, msgs[0].Data).Subject(); subj != tt.subject {
				t.Errorf("subject %q, want %q", subj, tt.subject)
			}
			atts := attachments(t, msgs[0].Data)
			if len(atts) != tt.files {
				t.Fatalf("%d attachments, want %d", len(atts), tt.files)
			}
			checkAttachments(t, atts, tt.ctype, job.Created, 2)
			if tt.images != "" {
				for _, a := range atts {
					if got := pdfImages(t, a.data); got != tt.images {
						t.Errorf("%s: images %q, want %q", a.name, got, tt.images)
					}
				}
			}
			// The settings are the same for the next job.
			if s, _ := r.store.Settings(); s.Scan.Mode != "bw1" || s.Scan.DPI != 75 || s.Scan.Format != "pdf" || s.Subject != "Scanned document" {
				t.Errorf("settings changed: %+v, subject %q", s.Scan, s.Subject)
			}
		})
	}
}

// checkAttachments has independent tools read each attachment: one file
// of all pages, or, when there are as many as pages, one file a page named
// in page order.
func checkAttachments(t *testing.T, atts []attachment, ctype string, created time.Time, pages int) {
	t.Helper()
	perPage := len(atts) > 1
	for i, a := range atts {
		if a.contentType != ctype {
			t.Errorf("%s is %s, want %s", a.name, a.contentType, ctype)
		}
		n := pages
		if perPage {
			n = 1
			ext := map[string]string{"application/pdf": "pdf", "image/tiff": "tif", "image/jpeg": "jpg"}[ctype]
			if want := fmt.Sprintf("scan-%s-p%03d.%s", created.Format("20060102-150405"), i+1, ext); a.name != want {
				t.Errorf("attachment %d named %s, want %s", i+1, a.name, want)
			}
		}
		path := filepath.Join(t.TempDir(), a.name)
		if err := os.WriteFile(path, a.data, 0o600); err != nil {
			t.Fatal(err)
		}
		switch ctype {
		case "application/pdf":
			filecheck.PDF(t, a.data, n)
		case "image/tiff":
			filecheck.TIFF(t, path, n)
		case "image/jpeg":
			filecheck.JPEG(t, path, 1240, 1754)
		}
	}
}

// pdfImages is the colour, coding and resolution of a PDF's images, as
// poppler's pdfimages lists them, when all are alike.
func pdfImages(t *testing.T, pdf []byte) string {
	t.Helper()
	tool, err := filecheck.Tool("pdfimages")
	if err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(t.TempDir(), "images.pdf")
	if err := os.WriteFile(path, pdf, 0o600); err != nil {
		t.Fatal(err)
	}
	out, err := exec.Command(tool, "-list", path).CombinedOutput()
	if err != nil {
		t.Fatalf("pdfimages: %v\n%s", err, out)
	}
	// page num type width height color comp bpc enc interp object ID x-ppi y-ppi size ratio
	lines := strings.Split(strings.TrimSpace(string(out)), "\n")
	seen := map[string]bool{}
	for _, line := range lines[2:] {
		f := strings.Fields(line)
		if len(f) < 14 {
			t.Fatalf("pdfimages line %q", line)
		}
		seen[f[5]+" "+f[8]+" "+f[12]] = true
	}
	if len(seen) != 1 {
		t.Fatalf("pdfimages lists %v", seen)
	}
	for k := range seen {
		return k
	}
	return ""
}

// TestScanOptionsRefused: an option the settings would refuse is refused
// before anything is scanned, naming the field, in the settings' words.
func TestScanOptionsRefused(t *testing.T) {
	t.Parallel()
	r := newRig(t, rigOptions{idp: idptest.Options{IgnoreInterval: true}})
	r.signedIn(testUPN)
	tests := []struct {
		opts  apitype.ScanOptions
		words []string
	}{
		{apitype.ScanOptions{Mode: "cmyk"}, []string{"mode", `"cmyk"`, "bw1, gray8, rgb24, jpeg"}},
		{apitype.ScanOptions{DPI: 123}, []string{"dpi", "123 dpi is not offered", "75, 100, 150, 200, 300, 600"}},
		{apitype.ScanOptions{DPI: -300}, []string{"dpi", "-300 dpi is not offered"}},
		{apitype.ScanOptions{Format: "png"}, []string{"format", `"png"`, "pdf, pdf-compact, tiff, jpeg"}},
		{apitype.ScanOptions{Subject: "Hi\r\nBcc: eve@example.com"}, []string{"subject", "U+000D"}},
		{apitype.ScanOptions{Subject: "Invoice \u202egnp.exe"}, []string{"subject", "U+202E"}},
		{apitype.ScanOptions{Subject: "bad \xff"}, []string{"subject", "UTF-8"}},
		{apitype.ScanOptions{Subject: strings.Repeat("é", maxSubject+1)}, []string{"subject", fmt.Sprintf("%d characters, at most %d", maxSubject+1, maxSubject)}},
	}
	for _, tt := range tests {
		_, err := r.dev.Scan(context.Background(), apitype.ScanRequest{To: to, Pages: 1, ScanOptions: tt.opts}, nil)
		if CodeOf(err) != apitype.CodeInvalidRequest {
			t.Errorf("%+v: %v (code %s), want %s", tt.opts, err, CodeOf(err), apitype.CodeInvalidRequest)
			continue
		}
		summary, hint := Explain(err)
		for _, w := range tt.words {
			if !strings.Contains(summary, w) {
				t.Errorf("%+v: %q does not say %s", tt.opts, summary, w)
			}
		}
		if hint == "" {
			t.Errorf("%+v: no hint", tt.opts)
		}
	}
	if jobs, _ := r.store.Jobs(10); len(jobs) != 0 {
		t.Errorf("jobs were started: %+v", jobs)
	}
	if n := r.mail.Connections(); n != 0 {
		t.Errorf("%d connections to the mail server", n)
	}
	// The longest subject allowed goes.
	long := strings.Repeat("é", maxSubject)
	if _, err := r.dev.Scan(context.Background(), apitype.ScanRequest{To: to, Pages: 1, ScanOptions: apitype.ScanOptions{Subject: long}}, nil); err != nil {
		t.Fatalf("subject of %d characters: %v", maxSubject, err)
	}
	if subj, _ := header(t, r.mail.Messages()[0].Data).Subject(); subj != long {
		t.Errorf("subject %q", subj)
	}
}

// TestScanOptionsSurviveRestart: a job queued with its own options and
// sent after the daemon restarted, with other settings by then, is sent
// as it was asked for.
func TestScanOptionsSurviveRestart(t *testing.T) {
	t.Parallel()
	clock := &fakeClock{t: time.Now()}
	r := newRig(t, rigOptions{now: clock.Now, idp: idptest.Options{IgnoreInterval: true, Now: clock.Now}})
	r.signedIn(testUPN)
	r.configure(map[string]string{"scan.dpi": "100"})
	r.mail.FailNext("data", &smtp.SMTPError{Code: 451, EnhancedCode: smtp.EnhancedCode{4, 3, 0}, Message: "Temporary server error"})
	opts := apitype.ScanOptions{Format: "tiff", PerPage: true, Subject: "Mine: {pages}"}
	job, err := r.dev.Scan(context.Background(), apitype.ScanRequest{To: to, Pages: 2, ScanOptions: opts}, nil)
	if err == nil || job.State != apitype.JobQueued {
		t.Fatalf("after a 451: %v, job %+v", err, job)
	}
	r.configure(map[string]string{"scan.format": "jpeg", "subject": "Theirs"})
	r.reopen()
	clock.Add(2 * time.Minute)
	r.dev.retryDue(context.Background())
	sent := waitJob(t, r, job.ID, apitype.JobSent)
	if sent.Format != "tiff" || !sent.PerPage || sent.Subject != opts.Subject {
		t.Errorf("job after the restart %+v", sent)
	}
	msgs := r.mail.Messages()
	if len(msgs) != 1 {
		t.Fatalf("%d messages", len(msgs))
	}
	if subj, _ := header(t, msgs[0].Data).Subject(); subj != "Mine: 2" {
		t.Errorf("subject %q", subj)
	}
	atts := attachments(t, msgs[0].Data)
	if len(atts) != 2 {
		t.Fatalf("%d attachments, want 2", len(atts))
	}
	checkAttachments(t, atts, "image/tiff", job.Created, 2)
}
