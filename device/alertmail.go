package device

import (
	"context"
	"fmt"
	"strings"
	"time"

	"scanmail/device/apitype"
	"scanmail/mailer"
)

// mailAlert mails the alert r of kind to the admin in the background, so
// that neither a job nor a refresh waits for it, and records how it went
// on the alert.
func (d *Device) mailAlert(kind string, r alertRecord, s Settings) {
	end, err := d.begin()
	if err != nil {
		return // shutting down; the next raise after the rate limit mails it
	}
	web := d.webStatus()
	d.alertMails.Add(1)
	go func() {
		defer end()
		defer d.alertMails.Done()
		err := d.sendAlert(d.ctx, s, alertMessage(s, kind, r, web))
		now := d.now()
		_, _, serr := d.store.updateAlert(kind, func(r *alertRecord) bool {
			switch {
			case err == nil:
				r.Mailed, r.MailedTo, r.MailError = now, s.Alerts.To, ""
			case d.ctx.Err() != nil:
				// Cut off by a shutdown: not the mail's fault, and
				// the next raise may try at once.
				r.Tried = time.Time{}
				r.MailError = "The device stopped before the mail went; it goes with the next alert."
			default:
				r.MailError, _ = Explain(err)
			}
			return true
		})
		switch {
		case serr != nil:
			d.log.Error("alert mail not recorded", "kind", kind, "err", serr)
		case err != nil:
			d.log.Warn("alert not mailed", "kind", kind, "to", s.Alerts.To, "err", err)
		default:
			d.log.Info("alert mailed", "kind", kind, "to", s.Alerts.To)
		}
		d.statusChanged()
	}()
}

// webStatus is where the web pages are, as Status gives it.
func (d *Device) webStatus() apitype.Web {
	d.mu.Lock()
	defer d.mu.Unlock()
	return d.web
}

// sendAlert sends msg by the road for alerts: never the OAuth road, whose
// sign-in may be what failed.
func (d *Device) sendAlert(ctx context.Context, s Settings, msg mailer.Message) error {
	road, err := d.alertRoad(s)
	if err != nil {
		return err
	}
	rt, err := d.routeFor(ctx, s, road)
	if err != nil {
		return err
	}
	if rt.road == apitype.RoadOAuth {
		return &Error{Summary: "Alert mail never goes with the sign-in", Hint: "Choose direct send, a connector or a password for alert mail.", Code: apitype.CodeSetupNeeded}
	}
	if rt.internal != nil && !inDomains(s.Alerts.To, rt.internal) {
		return &Error{
			Summary: fmt.Sprintf("Direct send reaches only the organisation's own domains, and %s is not in one", s.Alerts.To),
			Hint:    "Mail alerts to an address of the organisation, or send them through a connector.",
			Code:    apitype.CodeExternalRecipient,
		}
	}
	msg.From = rt.from
	msg.MessageID = mailer.MessageIDFor(rt.from)
	return rt.sender.Send(ctx, rt.auth, rt.from, &msg)
}

// alertMessage is the alert mail: what happened and when, what to do, and
// where the web pages are. It holds nothing secret: the alert's words are
// the device's words for people, which never carry a token or a password.
func alertMessage(s Settings, kind string, r alertRecord, web apitype.Web) mailer.Message {
	name := s.DeviceAddress
	if name == "" && len(web.URLs) > 0 {
		name = web.URLs[0]
	}
	if name == "" {
		name = "scanmail"
	}
	var b strings.Builder
	fmt.Fprintf(&b, "The scanner %s needs an admin.\n\n", name)
	fmt.Fprintf(&b, "What happened: %s.\n", strings.TrimSuffix(r.Summary, "."))
	if r.Count > 1 {
		fmt.Fprintf(&b, "When: first at %s, last at %s (%d times).\n", stamp(r.First), stamp(r.Last), r.Count)
	} else {
		fmt.Fprintf(&b, "When: %s.\n", stamp(r.Last))
	}
	fmt.Fprintf(&b, "What to do: %s\n\n", r.Hint)
	if len(web.URLs) > 0 {
		fmt.Fprintf(&b, "The device's web pages: %s\n", strings.Join(web.URLs, " "))
		if web.Fingerprint != "" {
			fmt.Fprintf(&b, "Their certificate's SHA-256 fingerprint: %s\n", web.Fingerprint)
		}
		b.WriteString("\n")
	}
	fmt.Fprintf(&b, "The panel and the web pages show this alert until it is acknowledged. This mail comes at most once every %s for it (alert %s).\n",
		hours(s.Alerts.every()), kind)
	return mailer.Message{
		To:      []string{s.Alerts.To},
		Subject: fmt.Sprintf("Scanner %s: %s", name, alertSubject(kind)),
		Body:    b.String(),
		Date:    r.Last,
	}
}

// alertSubject is what happened, in few words, for the subject line.
func alertSubject(kind string) string {
	switch kind {
	case apitype.AlertSignInEnded:
		return "the sign-in ended, scans are not sent"
	case apitype.AlertKeepAliveFailing:
		return "the sign-in cannot be renewed"
	case apitype.AlertJobsFailing:
		return "scans keep failing to send"
	}
	return "needs an admin"
}

func stamp(t time.Time) string { return t.Local().Format("2006-01-02 15:04 MST") }

func hours(d time.Duration) string {
	if h := int(d / time.Hour); h != 1 {
		return fmt.Sprintf("%d hours", h)
	}
	return "hour"
}
