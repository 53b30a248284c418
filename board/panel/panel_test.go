package panel_test

import (
	"context"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/emersion/go-smtp"

	"scanmail/board"
	"scanmail/board/panel"
	"scanmail/board/screen"
	"scanmail/device/apitype"
	"scanmail/scan/scansim"
)

// Keys by name, so that a script reads as what someone presses.
const (
	up    = board.KeyUp
	down  = board.KeyDown
	left  = board.KeyLeft
	right = board.KeyRight
	ok    = board.KeyOK
	back  = board.KeyBack
	menu  = board.KeyMenu
	start = board.KeyStart
	stop  = board.KeyStop
	hash  = board.KeyHash
)

func digits(s string) []board.Key {
	var keys []board.Key
	for _, r := range s {
		keys = append(keys, board.Key0+board.Key(r-'0'))
	}
	return keys
}

// title matches a screen by its title.
func title(t string) func(screen.Screen) bool {
	return func(s screen.Screen) bool { return s.Title == t }
}

// selected matches a screen whose highlighted item begins with item.
func selected(item string) func(screen.Screen) bool {
	return func(s screen.Screen) bool {
		return s.Selected < len(s.Menu) && strings.HasPrefix(strings.TrimLeft(s.Menu[s.Selected], " *"), item)
	}
}

// pick moves the highlight to the item and presses OK.
func (r *rig) pick(t *testing.T, item string) {
	t.Helper()
	s := r.rec.expectNow(t, "with "+item, func(s screen.Screen) bool {
		return slices.ContainsFunc(s.Menu, func(m string) bool { return strings.HasPrefix(strings.TrimLeft(m, " *"), item) })
	})
	i := slices.IndexFunc(s.Menu, func(m string) bool { return strings.HasPrefix(strings.TrimLeft(m, " *"), item) })
	for range (i - s.Selected + len(s.Menu)) % len(s.Menu) {
		r.press(down)
	}
	r.rec.expect(t, item+" highlighted", selected(item))
	r.press(ok)
}

// TestSendFromBook: an operator picks a recipient from the address book
// by typing the first letter of the name, starts, sees the pages scanned
// and "Sent"; the mail reaches the mail server, and the destinations are
// cleared for the next person.
func TestSendFromBook(t *testing.T) {
	r := newRig(t, rigOptions{})
	ctx := context.Background()
	for _, e := range []apitype.BookEntry{
		{Name: "Ann Lee", Address: "ann@fabrikam.example", Favourite: true},
		{Name: "Bob Moss", Address: "bob@fabrikam.example"},
	} {
		if _, err := r.c.PutBookEntry(ctx, e); err != nil {
			t.Fatal(err)
		}
	}
	r.ready(t)
	r.rec.led(t, board.StatusReady)
	r.pick(t, "Scan to Email")
	r.rec.expect(t, "compose", title("Scan to Email"))
	r.pick(t, "Address book")
	r.rec.expect(t, "both entries", has("Ann Lee", "Bob Moss"))
	r.press(board.Key2) // a: Ann
	r.rec.expect(t, "Ann only", func(s screen.Screen) bool {
		return s.Input == "a" && len(s.Menu) == 1 && strings.Contains(s.Menu[0], "Ann Lee")
	})
	r.press(ok)
	r.rec.expect(t, "Ann chosen", has("* Ann Lee"))
	r.press(back) // deletes the a
	r.rec.expect(t, "all again", func(s screen.Screen) bool { return s.Input == "" && has("* Ann Lee", "Bob Moss")(s) })
	r.press(back)
	r.rec.expect(t, "compose with Ann", has("[Scan to Email]", "To: Ann Lee"))
	r.press(start)
	r.rec.expect(t, "scanning", has("[Scanning]", "pages scanned"))
	r.rec.expect(t, "sent", has("[Sent]", "2 pages sent.", "Ann Lee"))
	if got := r.mailed(); !slices.Equal(got, []string{"ann@fabrikam.example"}) {
		t.Fatalf("mailed to %v", got)
	}
	r.press(ok)
	r.rec.expect(t, "home again", title("Ready"))
	r.pick(t, "Scan to Email")
	r.rec.expect(t, "a fresh compose", has("[Scan to Email]", "To: no one yet"))
}

// TestTypedAddress: an address typed with the keys is refused while it is
// not one ("not an address yet"; OK and Start do nothing but say so), and
// the completion key adds the organisation's domain, the device
// address's here.
func TestTypedAddress(t *testing.T) {
	r := newRig(t, rigOptions{})
	r.ready(t)
	r.pick(t, "Scan to Email")
	r.pick(t, "Type an address")
	r.rec.expect(t, "typing", title("Type an address"))
	// a n n: 2, 6 6, Right (takes the n), 6 6.
	r.press(board.Key2, board.Key6, board.Key6, right, board.Key6, board.Key6, right)
	r.rec.expect(t, "ann, not an address", func(s screen.Screen) bool {
		return s.Input == "ann" && strings.Contains(text(s), "Not an address yet")
	})
	errs := r.rec.errorBeeps()
	r.press(ok)
	r.press(start)
	r.rec.expect(t, "still typing", has("[Type an address]", "Not an address yet"))
	// Once the screen shows what 9 and Left did, OK and Start were taken.
	r.press(board.Key9)
	r.rec.expect(t, "annw", func(s screen.Screen) bool { return s.Input == "annw" })
	r.press(left)
	r.rec.expect(t, "back to ann", func(s screen.Screen) bool { return s.Input == "ann" && s.Title == "Type an address" })
	if got := r.rec.errorBeeps(); got < errs+2 {
		t.Errorf("OK and Start on a wrong address: %d error beeps, want 2", got-errs)
	}
	if jobs := r.jobs(t); len(jobs) != 0 {
		t.Fatalf("a job began: %+v", jobs)
	}
	r.press(hash)
	r.rec.expect(t, "completed", func(s screen.Screen) bool {
		return s.Input == "ann@contoso.example" && strings.Contains(text(s), "OK adds it.")
	})
	r.press(ok)
	r.rec.expect(t, "compose with ann", has("[Scan to Email]", "To: ann@contoso.example"))
	r.press(start)
	r.rec.expect(t, "sent", title("Sent"))
	if got := r.mailed(); !slices.Equal(got, []string{"ann@contoso.example"}) {
		t.Fatalf("mailed to %v", got)
	}
}

// typeAddress types a@b.example and adds it, from the compose screen.
func (r *rig) typeAddress(t *testing.T) {
	t.Helper()
	r.pick(t, "Type an address")
	r.rec.expect(t, "typing", title("Type an address"))
	// a, 1×2 = @, b, 1 = ., e x a m p l e
	r.press(board.Key2, right, board.Key1, board.Key1, right, board.Key2, board.Key2, right, board.Key1, right)
	r.press(board.Key3, board.Key3, right, board.Key9, board.Key9, right, board.Key2, right, board.Key6, right,
		board.Key7, right, board.Key5, board.Key5, board.Key5, right, board.Key3, board.Key3, right)
	r.rec.expect(t, "a@b.example", func(s screen.Screen) bool { return s.Input == "a@b.example" })
	r.press(ok)
	r.rec.expect(t, "compose", has("[Scan to Email]", "To: a@b.example"))
}

// TestStopWhileScanning: Stop during a scan that hangs cancels the job:
// "Canceled", and nothing reaches the mail server.
func TestStopWhileScanning(t *testing.T) {
	r := newRig(t, rigOptions{})
	r.scanner.set(&scansim.Simulator{HangAtPage: 2})
	r.ready(t)
	r.pick(t, "Scan to Email")
	r.typeAddress(t)
	r.press(start)
	r.rec.expect(t, "page 2 scanning", has("[Scanning]", "1 page scanned"))
	r.rec.led(t, board.StatusWorking)
	r.press(stop)
	r.rec.expect(t, "canceled", has("[Canceled]", "Nothing was sent."))
	if got := r.mailed(); len(got) != 0 {
		t.Fatalf("mailed to %v", got)
	}
	if jobs := r.jobs(t); len(jobs) != 1 || jobs[0].State != apitype.JobCanceled {
		t.Fatalf("jobs %+v, want one canceled", jobs)
	}
	r.press(ok)
	r.rec.expect(t, "home", title("Ready"))
	r.rec.led(t, board.StatusReady)
}

// TestStopWhileSending: Stop while the message is being handed to the
// mail server does not cut it off halfway: the attempt ends (here the
// server never answers, and the device gives up on it), then the job is
// canceled before it is tried again. The server keeps nothing.
func TestStopWhileSending(t *testing.T) {
	r := newRig(t, rigOptions{smtpTimeout: time.Second})
	r.ms.SMTP.StallNext("data")
	r.ready(t)
	r.pick(t, "Scan to Email")
	r.typeAddress(t)
	r.press(start)
	r.rec.expect(t, "sending", title("Sending"))
	r.press(stop)
	r.rec.expect(t, "stopping", has("[Stopping]"))
	r.rec.expect(t, "canceled", has("[Canceled]", "Nothing was sent."))
	if got := r.mailed(); len(got) != 0 {
		t.Fatalf("mailed to %v", got)
	}
	if jobs := r.jobs(t); len(jobs) != 1 || jobs[0].State != apitype.JobCanceled {
		t.Fatalf("jobs %+v, want one canceled", jobs)
	}
}

// TestPaperJam: a jam is said in words, with what to do, and the LED
// asks for attention.
func TestPaperJam(t *testing.T) {
	r := newRig(t, rigOptions{})
	r.scanner.set(&scansim.Simulator{JamAtPage: 2})
	r.ready(t)
	r.pick(t, "Scan to Email")
	r.typeAddress(t)
	r.press(start)
	s := r.rec.expect(t, "not sent", title("Not sent"))
	if !strings.Contains(strings.ToLower(text(s)), "jam") || len(s.Lines) < 2 {
		t.Fatalf("jam screen %s: want the jam in words and what to do", text(s))
	}
	r.rec.led(t, board.StatusAttention)
	r.press(ok)
	r.rec.expect(t, "home", title("Ready"))
	r.rec.led(t, board.StatusReady)
	if got := r.mailed(); len(got) != 0 {
		t.Fatalf("mailed to %v", got)
	}
}

// TestRecipientRefused: the mail server refuses the recipient for good;
// the panel says what happened and what to do.
func TestRecipientRefused(t *testing.T) {
	r := newRig(t, rigOptions{})
	r.ms.SMTP.FailNext("rcpt", &smtp.SMTPError{Code: 550, EnhancedCode: smtp.EnhancedCode{5, 1, 10}, Message: "RESOLVER.ADR.RecipientNotFound; Recipient not found by SMTP address lookup"})
	r.ready(t)
	r.pick(t, "Scan to Email")
	r.typeAddress(t)
	r.press(start)
	s := r.rec.expect(t, "not sent", title("Not sent"))
	jobs := r.jobs(t)
	if len(jobs) != 1 || jobs[0].State != apitype.JobFailed {
		t.Fatalf("jobs %+v", jobs)
	}
	if !slices.Contains(s.Lines, jobs[0].Error) || jobs[0].Hint == "" || !slices.Contains(s.Lines, jobs[0].Hint) {
		t.Fatalf("screen %s, want the job's words %q and hint %q", text(s), jobs[0].Error, jobs[0].Hint)
	}
}

// TestSignInNeeded: a device not signed in says so on Ready, and Scan to
// Email explains instead of scanning.
func TestSignInNeeded(t *testing.T) {
	r := newRig(t, rigOptions{signedOut: true})
	r.rec.expect(t, "not ready", has("[Not ready]", "Sign-in needed - ask your admin"))
	r.rec.led(t, board.StatusAttention)
	r.pick(t, "Scan to Email")
	r.rec.expect(t, "explained", has("[Scan to Email]", "Sign-in needed - ask your admin", "Nothing can be sent"))
	r.press(start)
	r.press(ok)
	r.rec.expect(t, "home", title("Not ready"))
	if jobs := r.jobs(t); len(jobs) != 0 {
		t.Fatalf("jobs %+v", jobs)
	}
}

// TestJobFromElsewhere: a job started by another client (the command
// line) shows on the panel as it goes; one that fails stays on Ready
// until someone reads it.
func TestJobFromElsewhere(t *testing.T) {
	r := newRig(t, rigOptions{})
	r.ready(t)
	ctx := context.Background()
	job, err := r.c.Scan(ctx, apitype.ScanRequest{To: []string{"cli@fabrikam.example"}, Pages: 3}, nil)
	if err != nil || job.State != apitype.JobSent {
		t.Fatalf("scan: %+v %v", job, err)
	}
	r.rec.expect(t, "scanning", has("Job 1: 3 pages scanned"))
	r.rec.expect(t, "sent", has("Job 1: sent"))

	r.ms.SMTP.FailNext("rcpt", &smtp.SMTPError{Code: 550, EnhancedCode: smtp.EnhancedCode{5, 1, 10}, Message: "Recipient not found"})
	job, _ = r.c.Scan(ctx, apitype.ScanRequest{To: []string{"gone@fabrikam.example"}, Pages: 1}, nil)
	if job.State != apitype.JobFailed {
		t.Fatalf("job %+v, want failed", job)
	}
	r.rec.expect(t, "the failure", has("Job 2: not sent", "! Job 2 not sent"))
	r.rec.led(t, board.StatusAttention)
	r.pick(t, "! Job 2 not sent")
	s := r.rec.expect(t, "its words", title("Job 2 not sent"))
	if !slices.Contains(s.Lines, job.Error) || !slices.Contains(s.Lines, job.Hint) {
		t.Fatalf("screen %s, want %q and %q", text(s), job.Error, job.Hint)
	}
	r.press(ok)
	r.rec.expect(t, "acknowledged", func(s screen.Screen) bool {
		return s.Title == "Ready" && !strings.Contains(text(s), "! Job 2")
	})
	r.rec.led(t, board.StatusReady)
}

// TestDaemonRestart: the panel says when the daemon stops answering and
// watches again once it is back.
func TestDaemonRestart(t *testing.T) {
	r := newRig(t, rigOptions{})
	r.ready(t)
	r.stop()
	r.rec.expect(t, "connecting", title("Connecting"))
	r.rec.led(t, board.StatusAttention)
	r.serve()
	r.ready(t)
	r.rec.led(t, board.StatusReady)
}

// TestSendInParts: a document larger than one message goes in parts, and
// the panel counts them.
func TestSendInParts(t *testing.T) {
	r := newRig(t, rigOptions{
		settings: [][2]string{{"scan.mode", "gray8"}, {"scan.dpi", "300"}, {"limits.max_message_mb", "1"}},
		panel:    panel.Options{Pages: 4},
	})
	r.ready(t)
	r.pick(t, "Scan to Email")
	r.typeAddress(t)
	r.press(start)
	r.rec.expect(t, "4 pages", has("[Scanning]", "4 pages scanned"))
	s := r.rec.expect(t, "the second part", func(s screen.Screen) bool {
		return s.Title == "Sending" && has("Part 2 of")(s) && s.Progress.Show && s.Progress.Done > 0
	})
	r.rec.expect(t, "sent", has("[Sent]", "4 pages sent."))
	jobs := r.jobs(t)
	if len(jobs) != 1 || len(jobs[0].Parts) < 2 || !has("of "+strconv.Itoa(len(jobs[0].Parts)))(s) {
		t.Fatalf("jobs %+v, screen %s", jobs, text(s))
	}
	if n := len(r.ms.SMTP.Messages()); n != len(jobs[0].Parts) {
		t.Fatalf("%d messages, %d parts", n, len(jobs[0].Parts))
	}
}
