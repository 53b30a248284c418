package panel_test

import (
	"strings"
	"testing"

	"scanmail/scan/link"
	"scanmail/scan/scansim"
)

// TestNoisyLinkSent: a job scanned over a scanner link that lost frames
// is sent, and the Sent screen tells the operator that the scanner's
// cable is noisy, for the admin; on a clean link it says nothing of it.
func TestNoisyLinkSent(t *testing.T) {
	for _, tt := range []struct {
		name  string
		line  scansim.Faults
		noisy bool
	}{
		{"clean", scansim.Faults{}, false},
		{"noisy", scansim.Faults{DropRate: 0.02, Seed: 15}, true},
	} {
		t.Run(tt.name, func(t *testing.T) {
			r := newRig(t, rigOptions{settings: [][2]string{{"scan.dpi", "75"}}})
			r.scanner.set(&linkScanner{engine: &scansim.Simulator{}, opts: link.EngineOptions{MaxStrip: 2048}, line: tt.line})
			r.ready(t)
			r.pick(t, "Scan to Email")
			r.typeAddress(t)
			r.press(start)
			sent := r.rec.expect(t, "sent", has("[Sent]", "2 pages sent."))
			if got := strings.Contains(text(sent), "Scanner cable noisy: tell the admin."); got != tt.noisy {
				t.Errorf("the Sent screen says the cable is noisy: %v, want %v\n%s", got, tt.noisy, text(sent))
			}
		})
	}
}
