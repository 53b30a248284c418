package device

import (
	"context"
	"strings"
	"testing"

	"scanmail/device/apitype"
	"scanmail/device/idptest"
	"scanmail/scan/filecheck"
	"scanmail/scan/link"
	"scanmail/scan/scansim"
)

// TestDuplexJobs scans 2-sided end to end: over the scanner link from the
// simulated engine, and from the in-process simulator. Blank backs go
// when blank-page removal is on; a scanner that cannot scan 2-sided, and
// the glass, refuse it in words.
func TestDuplexJobs(t *testing.T) {
	t.Parallel()
	for _, tt := range []struct {
		name    string
		scanner func() Scanner
		flatbed bool
		blank   string
		pages   int
		leftOut int
		refused string
	}{
		{"link, blank backs removed", func() Scanner {
			return &linkScanner{engine: &scansim.Simulator{Blank: []int{2, 6}}, opts: link.EngineOptions{Duplex: true}}
		}, false, "remove", 4, 2, ""},
		{"link, blank backs kept", func() Scanner {
			return &linkScanner{engine: &scansim.Simulator{Blank: []int{2, 4}}, opts: link.EngineOptions{Duplex: true}}
		}, false, "keep", 6, 0, ""},
		{"in-process simulator", func() Scanner { return &scansim.Scanner{Blank: []int{4}} }, false, "remove", 5, 1, ""},
		{"engine without a duplex unit", func() Scanner { return &linkScanner{engine: &scansim.Simulator{}} }, false, "remove", 0, 0,
			"This scanner cannot scan 2-sided: scan: unsupported: 2-sided scanning: the scanner has no duplex unit"},
		{"from the glass", func() Scanner { return &scansim.Scanner{} }, true, "remove", 0, 0, "The scan option duplex was refused"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			r := newRig(t, rigOptions{idp: idptest.Options{IgnoreInterval: true}, scanner: tt.scanner()})
			r.signedIn(testUPN)
			r.configure(map[string]string{"scan.dpi": "75", "scan.blank_pages": tt.blank})
			req := apitype.ScanRequest{To: to, Pages: 3, Flatbed: tt.flatbed, ScanOptions: apitype.ScanOptions{Duplex: true}}
			job, err := r.dev.Scan(context.Background(), req, nil)
			if tt.refused != "" {
				summary, hint := Explain(err)
				if err == nil || !strings.HasPrefix(summary, tt.refused) || hint == "" {
					t.Fatalf("got %q (%q), %v; want refused with %q", summary, hint, err, tt.refused)
				}
				if n := len(r.mail.Messages()); n != 0 {
					t.Errorf("%d messages sent", n)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if job.Pages != tt.pages || job.BlankLeftOut != tt.leftOut {
				t.Errorf("job: %d pages, %d left out; want %d, %d", job.Pages, job.BlankLeftOut, tt.pages, tt.leftOut)
			}
			msgs := r.mail.Messages()
			if len(msgs) != 1 {
				t.Fatalf("%d messages", len(msgs))
			}
			filecheck.PDF(t, attachments(t, msgs[0].Data)[0].data, tt.pages)
		})
	}
}
