package device

import (
	"context"
	"time"

	"scanmail/device/apitype"
)

// presenceTimeout bounds asking the scanner whether it is there, so that a
// silent link does not hold up Status.
const presenceTimeout = 2 * time.Second

// presenceProber is a Scanner that can tell whether it is there without
// scanning, such as an engine that answers a status request on its link.
// Present may be called while the scanner scans; it must not disturb it.
type presenceProber interface {
	Present(ctx context.Context) error
}

// scannerPresence says whether the scanner is there, and if not why. A
// scanner that scans is; one that cannot be asked without scanning is
// unknown until it is asked to scan.
func (d *Device) scannerPresence() (state, problem string) {
	p, ok := d.scanner.(presenceProber)
	if !ok {
		return apitype.ScannerUnknown, ""
	}
	d.mu.Lock()
	scanning := d.scan != nil
	d.mu.Unlock()
	if scanning {
		return apitype.ScannerBusy, ""
	}
	ctx, cancel := context.WithTimeout(d.ctx, presenceTimeout)
	defer cancel()
	if err := p.Present(ctx); err != nil {
		summary, _ := Explain(scannerError("The scanner does not answer", err))
		return apitype.ScannerAbsent, summary
	}
	return apitype.ScannerPresent, ""
}
