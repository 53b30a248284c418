package device

import (
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"scanmail/device/apitype"
	"scanmail/device/idptest"
	"scanmail/scan/filecheck"
)

func TestFileNames(t *testing.T) {
	created := time.Date(2026, 3, 4, 9, 5, 7, 0, time.UTC)
	long := strings.Repeat("é", 150)
	tests := []struct {
		template string
		pages    int
		// the whole document's name, page 2's alone, part 1 of 3's
		doc, page2, part string
	}{
		{"", 3, "spool.pdf", "spool.pdf", "spool.pdf"},
		{"{device}_{date}_{time}", 3, "scanner_2026-03-04_090507.pdf", "scanner_2026-03-04_090507-p002.pdf", "scanner_2026-03-04_090507-part1of3.pdf"},
		{"Scan {n} of {pages}", 12, "Scan  of 12.pdf", "Scan 002 of 12.pdf", "Scan  of 12-part1of3.pdf"},
		{"../../etc/passwd", 1, "_.._etc_passwd.pdf", "_.._etc_passwd-p002.pdf", "_.._etc_passwd-part1of3.pdf"},
		{"a\x00b\r\nc\td\u202ee", 1, "a_b__c_d_e.pdf", "a_b__c_d_e-p002.pdf", "a_b__c_d_e-part1of3.pdf"},
		{`C:\x<y>|z?*"`, 1, "C__x_y__z___.pdf", "C__x_y__z___-p002.pdf", "C__x_y__z___-part1of3.pdf"},
		{" . hidden. ", 1, "hidden.pdf", "hidden-p002.pdf", "hidden-part1of3.pdf"},
		{"...", 1, "scan.pdf", "scan-p002.pdf", "scan-part1of3.pdf"},
		{"bad\xffutf8", 1, "bad_utf8.pdf", "bad_utf8-p002.pdf", "bad_utf8-part1of3.pdf"},
		// Cut to 100 characters; the page number and part stay.
		{long, 1, strings.Repeat("é", 100) + ".pdf", strings.Repeat("é", 100) + "-p002.pdf", strings.Repeat("é", 100) + "-part1of3.pdf"},
	}
	for _, tt := range tests {
		t.Run(fmt.Sprintf("%q", tt.template), func(t *testing.T) {
			f := fileNames{template: tt.template, device: deviceName(testUPN), created: created, pages: tt.pages}
			if got := f.document("spool.pdf", 0, 0); got != tt.doc {
				t.Errorf("document: %q, want %q", got, tt.doc)
			}
			if got := f.page("spool.pdf", 2); got != tt.page2 {
				t.Errorf("page 2: %q, want %q", got, tt.page2)
			}
			if got := f.document("spool.pdf", 1, 3); got != tt.part {
				t.Errorf("part 1 of 3: %q, want %q", got, tt.part)
			}
		})
	}
}

// TestMailedFileNames mails jobs under a file name template and reads the
// names the attachments arrived with, and what the PDF says of itself.
func TestMailedFileNames(t *testing.T) {
	t.Parallel()
	tests := []struct {
		format, template, pdfa string
		want                   func(created time.Time) []string
	}{
		{"pdf", "", "no", func(c time.Time) []string { return []string{"scan-" + c.Format("20060102-150405") + ".pdf"} }},
		{"pdf", "{device} {date} {time} ({pages} pages)", "yes", func(c time.Time) []string {
			return []string{"scanner " + c.Format("2006-01-02 150405") + " (2 pages).pdf"}
		}},
		{"jpeg", "Invoice/{date}", "no", func(c time.Time) []string {
			d := c.Format("2006-01-02")
			return []string{"Invoice_" + d + "-p001.jpg", "Invoice_" + d + "-p002.jpg"}
		}},
		{"jpeg", "p{n}-of-{pages}", "no", func(time.Time) []string { return []string{"p001-of-2.jpg", "p002-of-2.jpg"} }},
	}
	for _, tt := range tests {
		t.Run(tt.format+"/"+tt.template, func(t *testing.T) {
			t.Parallel()
			r := newRig(t, rigOptions{idp: idptest.Options{IgnoreInterval: true}})
			r.signedIn(testUPN)
			r.configure(map[string]string{"scan.mode": "gray8", "scan.dpi": "100", "scan.format": tt.format,
				"scan.file_name": tt.template, "scan.pdfa": tt.pdfa, "subject": "Contract {pages} p. of {date}"})
			job, err := r.dev.Scan(context.Background(), apitype.ScanRequest{To: to, Pages: 2}, nil)
			if err != nil {
				t.Fatal(err)
			}
			msgs := r.mail.Messages()
			if len(msgs) != 1 {
				t.Fatalf("%d messages", len(msgs))
			}
			parts := attachments(t, msgs[0].Data)
			want := tt.want(job.Created)
			if len(parts) != len(want) {
				t.Fatalf("%d attachments, want %d", len(parts), len(want))
			}
			for i, p := range parts {
				if p.name != want[i] {
					t.Errorf("attachment %d is named %q, want %q", i+1, p.name, want[i])
				}
			}
			if tt.format != "pdf" {
				return
			}
			filecheck.PDF(t, parts[0].data, 2)
			if tt.pdfa == "yes" {
				filecheck.PDFA(t, parts[0].data, map[string]string{"Author": testUPN, "Producer": "scanmail"})
			}
			file := filepath.Join(t.TempDir(), "a.pdf")
			if err := os.WriteFile(file, parts[0].data, 0o600); err != nil {
				t.Fatal(err)
			}
			pdfinfo, err := filecheck.Tool("pdfinfo")
			if err != nil {
				t.Fatal(err)
			}
			out, err := exec.Command(pdfinfo, "-isodates", file).Output()
			if err != nil {
				t.Fatal(err)
			}
			meta := "no"
			if tt.pdfa == "yes" {
				meta = "yes"
			}
			for _, line := range []string{
				"Title: +Contract 2 p. of " + job.Created.Format("2006-01-02 15:04"),
				"Author: +" + testUPN,
				"Producer: +scanmail",
				"CreationDate: +" + regexp.QuoteMeta(job.Created.UTC().Format("2006-01-02T15:04:05Z")),
				"Metadata Stream: +" + meta,
			} {
				if !regexp.MustCompile("(?m)^" + line + "$").Match(out) {
					t.Errorf("pdfinfo says no %q:\n%s", line, out)
				}
			}
		})
	}
}
