package panel_test

import (
	"context"
	"slices"
	"testing"

	"github.com/emersion/go-smtp"

	"scanmail/board"
	"scanmail/board/panel"
	"scanmail/board/screen"
	"scanmail/device/apitype"
)

// TestAlertOnPanel: a refused refresh puts the alert on Ready and lights
// the LED for attention; the admin finds it in the admin menu with what
// to do, and OK acknowledges it, which takes it off Ready.
func TestAlertOnPanel(t *testing.T) {
	r := newRig(t, rigOptions{})
	r.ready(t)
	r.ms.IdP.Revoke(deviceUPN)
	r.ms.SMTP.FailNext("auth", &smtp.SMTPError{Code: 535, EnhancedCode: smtp.EnhancedCode{5, 7, 3}, Message: "Authentication unsuccessful"})
	if job, err := r.c.Scan(context.Background(), apitype.ScanRequest{To: []string{"alice@fabrikam.example"}}, nil); err != nil || job.State != apitype.JobQueued {
		t.Fatalf("the job: %+v, %v; want it waiting for a sign-in", job, err)
	}
	r.rec.expect(t, "the alert on Ready", has("[Not ready]", "Sign-in needed - ask your admin", "! Sign-in ended"))
	r.rec.led(t, board.StatusAttention)

	r.setPIN(t, "2468")
	r.pick(t, "Alerts (1)")
	r.rec.expect(t, "the list", has("[Alerts]", "(Sign-in ended)"))
	r.press(ok)
	r.rec.expect(t, "what to do", has("[Sign-in ended]", "Scans are not sent: the sign-in ended", "Sign in again.", "Not mailed: No address"))
	r.press(ok)
	r.rec.expect(t, "none left", has("[Alerts]", "No alerts waiting."))
	st, err := r.c.Status(context.Background())
	if err != nil || len(st.Alerts) != 0 {
		t.Fatalf("after OK: alerts %+v, %v", st.Alerts, err)
	}
	r.press(back)
	r.rec.expect(t, "the admin menu without alerts", func(s screen.Screen) bool { return s.Title == "Admin" && s.Menu[0] == "Sign in" })
	r.press(back)
	r.rec.expectNew(t, "Ready without the alert", func(s screen.Screen) bool { return s.Title == "Not ready" && !has("! Sign-in ended")(s) })
}

// TestAdminMenuRoads: on a device that sends without a sign-in, the admin
// menu leaves out the sign-in's entries and says why; alerts come first
// while any waits.
func TestAdminMenuRoads(t *testing.T) {
	d := newDriver(t)
	d.notify(apitype.Notify{Kind: apitype.NotifyStatus, Status: &apitype.Status{Ready: true, Road: apitype.RoadDirect, RoadName: "direct send",
		Alerts: []apitype.Alert{{Kind: apitype.AlertJobsFailing, Summary: "3 sending attempts in a row failed", Hint: "Check the connector.", Count: 3}}}})
	d.see("[Ready]", "! Sending keeps failing - ask your admin")
	if d.m.LED() != board.StatusAttention {
		t.Errorf("LED %v while an alert waits", d.m.LED())
	}
	d.admin()
	s := d.screen()
	if want := []string{"Alerts (1)", "Network", "Change PIN", "Log out"}; !slices.Equal(s.Menu, want) {
		t.Fatalf("admin menu %q, want %q", s.Menu, want)
	}
	d.see("Sends by direct send: no sign-in needed")
	d.pick("Alerts (1)")
	d.key(board.KeyOK)
	d.see("[Sending keeps failing]", "3 sending attempts in a row failed", "Check the connector.", "3 times since")
	d.key(board.KeyOK)
	ack := d.call(panel.CallAckAlert)
	if ack.Alert != apitype.AlertJobsFailing {
		t.Fatalf("acknowledged %+v", ack)
	}
	d.answer(panel.Answer{Call: ack, Done: true, Status: apitype.Status{Ready: true, Road: apitype.RoadDirect}})
	d.see("[Alerts]", "No alerts waiting.")
	d.key(board.KeyBack)
	if s := d.screen(); !slices.Equal(s.Menu, []string{"Network", "Change PIN", "Log out"}) {
		t.Fatalf("admin menu %q after the acknowledgement", s.Menu)
	}
}
