package device

import (
	"context"
	"strings"
	"testing"

	"scanmail/device/apitype"
	"scanmail/device/idptest"
	"scanmail/scan/filecheck"
	"scanmail/scan/scansim"
)

// TestBlankPagesLeftOut scans documents with blank backs (noise and the
// front showing through) in each raster mode: with scan.blank_pages
// remove they are not in the mailed PDF and the job says how many were left
// out; with keep every page goes; a document of blank pages only keeps its
// first.
func TestBlankPagesLeftOut(t *testing.T) {
	t.Parallel()
	for _, tt := range []struct {
		name, mode, blankPages string
		pages                  int
		blank                  []int
		want, leftOut          int
		allBlank               bool
		words                  string
	}{
		{"gray remove", "gray8", "remove", 5, []int{2, 4}, 3, 2, false, "3 pages, 2 blank pages left out"},
		{"bw remove", "bw1", "remove", 3, []int{3}, 2, 1, false, "2 pages, 1 blank page left out"},
		{"colour remove", "rgb24", "remove", 3, []int{1, 2}, 1, 2, false, "1 page, 2 blank pages left out"},
		{"keep", "gray8", "keep", 3, []int{2}, 3, 0, false, "3 pages"},
		{"all blank", "gray8", "remove", 3, []int{1, 2, 3}, 1, 2, true, "1 page, all 3 pages blank: the first kept"},
		{"engine jpeg: kept", "jpeg", "remove", 2, []int{2}, 2, 0, false, "2 pages"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			r := newRig(t, rigOptions{idp: idptest.Options{IgnoreInterval: true}, scanner: &scansim.Scanner{Blank: tt.blank}})
			r.signedIn(testUPN)
			r.configure(map[string]string{"scan.mode": tt.mode, "scan.dpi": "100", "scan.blank_pages": tt.blankPages})
			job, err := r.dev.Scan(context.Background(), apitype.ScanRequest{To: to, Pages: tt.pages}, nil)
			if err != nil {
				t.Fatal(err)
			}
			if job.Pages != tt.want || job.BlankLeftOut != tt.leftOut || job.AllBlank != tt.allBlank {
				t.Errorf("job: %d pages, %d left out, all blank %v; want %d, %d, %v", job.Pages, job.BlankLeftOut, job.AllBlank, tt.want, tt.leftOut, tt.allBlank)
			}
			if got := job.PagesText(); got != tt.words {
				t.Errorf("words %q, want %q", got, tt.words)
			}
			msgs := r.mail.Messages()
			if len(msgs) != 1 {
				t.Fatalf("%d messages", len(msgs))
			}
			parts := attachments(t, msgs[0].Data)
			if len(parts) != 1 {
				t.Fatalf("%d attachments", len(parts))
			}
			if tt.allBlank || tt.mode == "jpeg" {
				// Its last page is blank: the validators, without the
				// rendering's check for ink.
				errs, err := filecheck.CheckPDF(context.Background(), parts[0].data, tt.want)
				if err != nil || len(errs) > 0 {
					t.Errorf("PDF refused: %v %v", err, errs)
				}
			} else {
				filecheck.PDF(t, parts[0].data, tt.want)
			}
			// The record keeps it, for the job pages and the command line.
			stored, err := r.dev.Job(job.ID)
			if err != nil {
				t.Fatal(err)
			}
			if stored.BlankLeftOut != tt.leftOut || stored.AllBlank != tt.allBlank {
				t.Errorf("stored job: %d left out, all blank %v", stored.BlankLeftOut, stored.AllBlank)
			}
			if tt.leftOut > 0 && !strings.Contains(r.log.String(), "blank pages left out") {
				t.Errorf("the log does not say blank pages were left out")
			}
		})
	}
}
