package device

import (
	"slices"

	"scanmail/device/apitype"
)

// SetWeb tells the device where the admin's web pages listen and their
// certificate's fingerprint, once they do, for the status (the panel's
// Network screen, the status command). It is kept in memory only: each
// start of the web pages says it again. A change is published as a
// status change.
func (d *Device) SetWeb(w apitype.Web) {
	// The status hands out d.web: a slice the caller changes later must
	// not change it.
	w.URLs = slices.Clone(w.URLs)
	d.mu.Lock()
	changed := !slices.Equal(d.web.URLs, w.URLs) || d.web.Fingerprint != w.Fingerprint
	d.web = w
	d.mu.Unlock()
	if changed {
		d.statusChanged()
	}
}
