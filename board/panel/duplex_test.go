package panel_test

import (
	"context"
	"testing"

	"scanmail/device"
	"scanmail/device/apitype"
	"scanmail/scan/link"
	"scanmail/scan/scansim"
)

// TestTwoSided: the operator picks 2-sided in Options; the job scans both
// sides of the feeder's 2 sheets, front then back, and the Sent screen
// says that the blank back was left out. The glass turns 2-sided off.
func TestTwoSided(t *testing.T) {
	r := newRig(t, rigOptions{settings: [][2]string{{"scan.blank_pages", "remove"}}})
	r.scanner.set(&scansim.Scanner{Blank: []int{4}})
	r.ready(t)
	r.pick(t, "Scan to Email")
	r.typeAddress(t)
	r.pick(t, "Options")
	r.rec.expect(t, "options", has("[Options]", "Source: Feeder", "Sides: 1-sided"))
	r.pick(t, "Sides: 1-sided")
	r.rec.expect(t, "2-sided", has("Sides: 2-sided"))
	r.pick(t, "Source: Feeder")
	r.rec.expect(t, "the glass: 1-sided", has("Source: Glass", "Sides: 1-sided"))
	r.pick(t, "Sides: 1-sided")
	r.rec.expect(t, "2-sided: the feeder", has("Source: Feeder", "Sides: 2-sided"))
	r.press(back)
	r.rec.expect(t, "compose", has("[Scan to Email]", "B&W 75dpi PDF 2-sided"))
	r.press(start)
	r.rec.expect(t, "sent", has("[Sent]", "3 pages sent.", "1 blank page left out."))
	if jobs := r.jobs(t); len(jobs) != 1 || jobs[0].Pages != 3 || jobs[0].BlankLeftOut != 1 {
		t.Fatalf("jobs %+v", jobs)
	}
}

// TestTwoSidedQuickSet: a 2-sided Quick Set picked on the panel scans both
// sides of every sheet; a scanner without a duplex unit refuses the job
// in the device's words, which the panel shows.
func TestTwoSidedQuickSet(t *testing.T) {
	for _, tt := range []struct {
		name    string
		scanner device.Scanner
		want    []string
	}{
		{"duplex unit", &linkScanner{engine: &scansim.Simulator{}, opts: link.EngineOptions{Duplex: true}}, []string{"[Sent]", "4 pages sent."}},
		{"no duplex unit", &linkScanner{engine: &scansim.Simulator{}}, []string{"[Not sent]", "This scanner cannot scan 2-sided"}},
	} {
		t.Run(tt.name, func(t *testing.T) {
			r := newRig(t, rigOptions{})
			r.scanner.set(tt.scanner)
			r.ready(t)
			q := apitype.QuickSet{Name: "Both sides", To: []string{"ann@contoso.example"}, Options: apitype.ScanOptions{Format: "pdf-compact", Duplex: true}}
			if _, err := r.c.PutQuickSet(context.Background(), q); err != nil {
				t.Fatal(err)
			}
			r.pick(t, "Scan to Email")
			r.pick(t, "Quick Sets")
			r.rec.expect(t, "quick sets", has("[Quick Sets]", "Both sides"))
			r.pick(t, "Both sides")
			r.rec.expect(t, "compose", has("[Scan to Email]", "To: ann@contoso.example", "Compact PDF 2-sided"))
			r.press(start)
			r.rec.expect(t, "the job", has(tt.want...))
		})
	}
}
