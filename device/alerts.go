package device

import (
	"cmp"
	"slices"
	"time"

	"scanmail/device/apitype"
)

// Alerts tell the admin that mail is about to stop, or has: on the panel
// and the web pages until acknowledged, and by mail (alertmail.go). Each
// kind has one record; a cause that comes back before the admin
// acknowledged it counts again on the same record.

// raiseAlert records an alert of kind with its words, and mails it when
// the admin's address is set and the last mail of that kind is at least
// alerts.every_hours old. It never waits for the mail.
func (d *Device) raiseAlert(kind, summary, hint string) {
	s, err := d.store.Settings()
	if err != nil {
		d.log.Error("alert not recorded", "kind", kind, "err", err)
		return
	}
	now := d.now()
	mail := false
	r, _, err := d.store.updateAlert(kind, func(r *alertRecord) bool {
		if !r.shown() {
			// New since acknowledged; the mail's rate limit holds on.
			*r = alertRecord{First: now, Tried: r.Tried, Mailed: r.Mailed, MailedTo: r.MailedTo}
		}
		r.Summary, r.Hint = summary, hint
		r.Last, r.Count, r.Resolved = now, r.Count+1, time.Time{}
		switch {
		case s.Alerts.To == "":
			r.MailError = "No address to mail alerts to is set."
		case mailDue(r.Tried, now, s.Alerts.every()):
			r.Tried, mail = now, true
		}
		return true
	})
	if err != nil {
		d.log.Error("alert not recorded", "kind", kind, "err", err)
		return
	}
	d.log.Warn("alert", "kind", kind, "summary", summary, "count", r.Count, "mail", mail)
	d.statusChanged()
	if mail {
		d.mailAlert(kind, r, s)
	}
}

// mailDue reports whether an alert last given to the mail at tried may be
// mailed again at now. A clock set back (a board without a battery, before
// NTP) would otherwise hold the next mail back for as long.
func mailDue(tried, now time.Time, every time.Duration) bool {
	return tried.IsZero() || now.Before(tried) || !now.Before(tried.Add(every))
}

// resolveAlert records that the cause of an alert of kind went away. The
// alert stays shown, marked resolved, until acknowledged: the admin still
// wants to know that mail stopped for a while.
func (d *Device) resolveAlert(kind string) {
	// Read first: every job sent and every refresh comes here, and a
	// write would cost the state file a sync each time.
	r, err := d.store.alert(kind)
	if err != nil || !r.shown() || !r.Resolved.IsZero() {
		return
	}
	now := d.now()
	_, changed, err := d.store.updateAlert(kind, func(r *alertRecord) bool {
		if !r.shown() || !r.Resolved.IsZero() {
			return false
		}
		r.Resolved = now
		return true
	})
	if err != nil {
		d.log.Error("alert resolution not recorded", "kind", kind, "err", err)
		return
	}
	if changed {
		d.log.Info("alert resolved", "kind", kind)
		d.statusChanged()
	}
}

// AckAlert acknowledges the alert of kind: the panel and the web pages
// stop showing it. It returns the status after.
func (d *Device) AckAlert(kind string) (apitype.Status, error) {
	now := d.now()
	_, changed, err := d.store.updateAlert(kind, func(r *alertRecord) bool {
		if !r.shown() {
			return false
		}
		r.Acked = now
		return true
	})
	if err != nil {
		return apitype.Status{}, err
	}
	if !changed {
		return apitype.Status{}, &Error{Summary: "No such alert is waiting", Hint: "It was acknowledged already, or never raised.", Code: apitype.CodeNoAlert}
	}
	d.log.Info("alert acknowledged", "kind", kind)
	d.statusChanged()
	return d.Status()
}

// alerts are the alerts shown, oldest first.
func (d *Device) alerts() ([]apitype.Alert, error) {
	recs, err := d.store.alertRecords()
	if err != nil {
		return nil, err
	}
	var out []apitype.Alert
	for kind, r := range recs {
		if r.shown() {
			out = append(out, r.alert(kind))
		}
	}
	slices.SortFunc(out, func(a, b apitype.Alert) int {
		return cmp.Or(a.First.Compare(b.First), cmp.Compare(a.Kind, b.Kind))
	})
	return out, nil
}
