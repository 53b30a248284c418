package device

import (
	"context"
	"strings"
	"testing"

	bolt "go.etcd.io/bbolt"

	"scanmail/device/apitype"
	"scanmail/device/idptest"
	"scanmail/scan/filecheck"
	"scanmail/scan/link"
	"scanmail/scan/scansim"
)

// TestQuickSetDuplex: a Quick Set keeps "2-sided" across a restart, one
// stored before Quick Sets had it reads as 1-sided, and a job with a
// 2-sided Quick Set's options scans both sides, or is refused in words by
// a scanner that cannot.
func TestQuickSetDuplex(t *testing.T) {
	t.Parallel()
	for _, tt := range []struct {
		name    string
		scanner Scanner
		pages   int
		refused string
	}{
		{"duplex unit", &linkScanner{engine: &scansim.Simulator{}, opts: link.EngineOptions{Duplex: true}}, 6, ""},
		{"no duplex unit", &linkScanner{engine: &scansim.Simulator{}}, 0, "This scanner cannot scan 2-sided"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			r := newRig(t, rigOptions{idp: idptest.Options{IgnoreInterval: true}, scanner: tt.scanner})
			r.signedIn(testUPN)
			r.configure(map[string]string{"scan.dpi": "75", "scan.blank_pages": "keep"})
			q, err := r.dev.PutQuickSet(apitype.QuickSet{Name: "Both sides", To: to, Options: apitype.ScanOptions{Format: "pdf-compact", Duplex: true}})
			if err != nil || !q.Options.Duplex {
				t.Fatalf("stored %+v, %v", q, err)
			}
			// A record as the daemons before "2-sided" wrote it.
			err = r.store.db.Update(func(tx *bolt.Tx) error {
				return tx.Bucket(bucketQuickSets).Put(jobKey(99), []byte(`{"id":99,"name":"Old","to":["old@contoso.example"],"options":{"format":"tiff"}}`))
			})
			if err != nil {
				t.Fatal(err)
			}
			r.reopen()
			l, err := r.dev.QuickSets()
			if err != nil || len(l.QuickSets) != 2 {
				t.Fatalf("after a restart: %+v %v", l, err)
			}
			both, old := l.QuickSets[0], l.QuickSets[1]
			if both.Name != "Both sides" || !both.Options.Duplex || both.Options.Format != "pdf-compact" {
				t.Errorf("after a restart: %+v", both)
			}
			if old.Name != "Old" || old.Options.Duplex || old.Options.Format != "tiff" {
				t.Errorf("the old record: %+v, want 1-sided tiff", old)
			}

			req := apitype.ScanRequest{To: both.To, Pages: 3, ScanOptions: both.Options}
			job, err := r.dev.Scan(context.Background(), req, nil)
			if tt.refused != "" {
				summary, hint := Explain(err)
				if err == nil || !strings.HasPrefix(summary, tt.refused) || hint == "" {
					t.Fatalf("got %q (%q), %v; want refused with %q", summary, hint, err, tt.refused)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if job.Pages != tt.pages {
				t.Errorf("job: %d pages, want %d (3 sheets, 2-sided)", job.Pages, tt.pages)
			}
			msgs := r.mail.Messages()
			if len(msgs) != 1 {
				t.Fatalf("%d messages", len(msgs))
			}
			filecheck.PDF(t, attachments(t, msgs[0].Data)[0].data, tt.pages)
		})
	}
}
