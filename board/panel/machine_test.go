package panel_test

import (
	"slices"
	"strings"
	"testing"
	"time"

	"scanmail/board"
	"scanmail/board/panel"
	"scanmail/board/screen"
	"scanmail/device/apitype"
	"scanmail/device/localclient"
)

var t0 = time.Date(2026, 12, 3, 9, 0, 0, 0, time.UTC)

// driver steps a Machine by hand, with a clock of its own, and keeps
// what it asked for.
type driver struct {
	t      *testing.T
	m      *panel.Machine
	now    time.Time
	calls  []panel.Call
	sounds []panel.Sound
}

func (d *driver) take(e panel.Effects) {
	d.calls = append(d.calls, e.Calls...)
	if e.Sound != panel.SoundNone {
		d.sounds = append(d.sounds, e.Sound)
	}
}

func (d *driver) key(keys ...board.Key) {
	for _, k := range keys {
		d.take(d.m.Tick(d.now))
		d.take(d.m.Key(k))
	}
}

func (d *driver) wait(dt time.Duration) {
	d.now = d.now.Add(dt)
	d.take(d.m.Tick(d.now))
}

func (d *driver) notify(n apitype.Notify) { d.take(d.m.Notify(n)) }
func (d *driver) answer(a panel.Answer)   { d.take(d.m.Answer(a)) }

// call is the last call of kind asked for, which the test answers.
func (d *driver) call(kind panel.CallKind) panel.Call {
	d.t.Helper()
	for i := len(d.calls) - 1; i >= 0; i-- {
		if d.calls[i].Kind == kind {
			return d.calls[i]
		}
	}
	d.t.Fatalf("no %s call among %+v", kind, d.calls)
	return panel.Call{}
}

func (d *driver) asked(kind panel.CallKind) int {
	n := 0
	for _, c := range d.calls {
		if c.Kind == kind {
			n++
		}
	}
	return n
}

func (d *driver) screen() screen.Screen {
	s := d.m.Screen()
	for _, u := range unfit(s) {
		d.t.Error(u)
	}
	return s
}

// see fails unless the screen has every one of words.
func (d *driver) see(words ...string) {
	d.t.Helper()
	if !has(words...)(d.screen()) {
		d.t.Fatalf("screen %s, want %q", text(d.screen()), words)
	}
}

// pick highlights the menu item that begins with item and presses OK.
func (d *driver) pick(item string) {
	d.t.Helper()
	s := d.screen()
	i := slices.IndexFunc(s.Menu, func(m string) bool { return strings.HasPrefix(strings.TrimLeft(m, " *"), item) })
	if i < 0 {
		d.t.Fatalf("no %q in %s", item, text(s))
	}
	for range (i - s.Selected + len(s.Menu)) % len(s.Menu) {
		d.key(board.KeyDown)
	}
	d.key(board.KeyOK)
}

// newDriver is a machine fed a snapshot of a device ready to send, and
// settings.
func newDriver(t *testing.T, settings ...string) *driver {
	d := &driver{t: t, m: panel.New(panel.Options{}, t0), now: t0}
	d.notify(apitype.Notify{Kind: apitype.NotifySnapshot, Status: &apitype.Status{
		Ready: true, DeviceAddress: deviceUPN,
		Account: &apitype.Account{UPN: deviceUPN, LastRefresh: t0.Add(-time.Hour), NextKeepAlive: t0.Add(7 * 24 * time.Hour)},
	}})
	cfg := apitype.Config{}
	for i := 0; i+1 < len(settings); i += 2 {
		cfg.Settings = append(cfg.Settings, apitype.Setting{Key: settings[i], Value: settings[i+1]})
	}
	d.answer(panel.Answer{Call: d.call(panel.CallConfig), Done: true, Config: cfg})
	return d
}

// compose goes to Scan to Email with a typed recipient a@b.example.
func (d *driver) compose() {
	d.t.Helper()
	d.pick("Scan to Email")
	d.pick("Type an address")
	// a @ b . : each letter taken by a pause
	for _, keys := range [][]board.Key{{board.Key2}, {board.Key1, board.Key1}, {board.Key2, board.Key2}, {board.Key1}} {
		d.key(keys...)
		d.wait(time.Second)
	}
	d.key(board.Key3, board.Key3, board.KeyRight, board.Key9, board.Key9, board.KeyRight, board.Key2,
		board.KeyRight, board.Key6, board.KeyRight, board.Key7, board.KeyRight, board.Key5, board.Key5, board.Key5,
		board.KeyRight, board.Key3, board.Key3, board.KeyOK)
	d.see("[Scan to Email]", "To: a@b.example")
}

func jobNotify(j apitype.Job, page int) apitype.Notify {
	return apitype.Notify{Kind: apitype.NotifyJob, Job: &apitype.JobEvent{Job: j, Page: page}}
}

// TestMultiTap: the digit keys type as on a phone.
func TestMultiTap(t *testing.T) {
	const (
		k1, k2, k3, k6, k9 = board.Key1, board.Key2, board.Key3, board.Key6, board.Key9
		star, l, r         = board.KeyStar, board.KeyLeft, board.KeyRight
	)
	pause := board.KeyNone // stands for a pause of a second
	tests := []struct {
		name string
		keys []board.Key
		want string
	}{
		{"one tap", []board.Key{k2}, "a"},
		{"three taps", []board.Key{k2, k2, k2}, "c"},
		{"round to the digit and past", []board.Key{k2, k2, k2, k2, k2}, "a"},
		{"seven has four letters", []board.Key{board.Key7, board.Key7, board.Key7, board.Key7}, "s"},
		{"another key takes the letter", []board.Key{k2, k3}, "ad"},
		{"a pause takes it", []board.Key{k2, pause, k2}, "aa"},
		{"right takes it", []board.Key{k2, r, k2, k2}, "ab"},
		{"one: dot and at", []board.Key{k1, r, k1, k1}, ".@"},
		{"one: dash, underscore", []board.Key{k1, k1, k1, r, k1, k1, k1, k1}, "-_"},
		{"star: upper case", []board.Key{star, k6, k6}, "N"},
		{"star twice: digits", []board.Key{star, star, k6, k6, k9}, "669"},
		{"star thrice: lower again", []board.Key{star, star, star, k9}, "w"},
		{"left drops the pending letter", []board.Key{k2, r, k3, l}, "a"},
		{"left drops the last letter", []board.Key{k2, r, k3, r, l}, "a"},
		{"zero is zero", []board.Key{board.Key0}, "0"},
		{"back deletes while there is text", []board.Key{k2, r, k3, r, board.KeyBack}, "a"},
		{"a keyboard's letters type themselves", []board.Key{k2, board.RuneKey('X'), board.RuneKey('@')}, "aX@"},
		{"no space in an address", []board.Key{k2, board.RuneKey(' ')}, "a"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			d := newDriver(t)
			d.pick("Scan to Email")
			d.pick("Type an address")
			for _, k := range tt.keys {
				if k == pause {
					d.wait(time.Second)
					continue
				}
				d.key(k)
			}
			if got := d.screen().Input; got != tt.want {
				t.Fatalf("typed %q, want %q", got, tt.want)
			}
		})
	}
}

// TestComplete: the completion key adds the organisation's domain:
// panel.domain, else the device address's.
func TestComplete(t *testing.T) {
	tests := []struct {
		name     string
		settings []string
		keys     []board.Key // before #
		want     string
		refused  bool
	}{
		{"device address's domain", nil, []board.Key{board.Key2}, "a@contoso.example", false},
		{"panel.domain", []string{"panel.domain", "fabrikam.example"}, []board.Key{board.Key2}, "a@fabrikam.example", false},
		{"after the at", nil, []board.Key{board.Key2, board.KeyRight, board.Key1, board.Key1}, "a@contoso.example", false},
		{"a domain begun", nil, []board.Key{board.Key2, board.KeyRight, board.Key1, board.Key1, board.KeyRight, board.Key2, board.Key2, board.Key2}, "a@contoso.example", false},
		{"another domain", nil, []board.Key{board.Key2, board.KeyRight, board.Key1, board.Key1, board.KeyRight, board.Key3}, "a@d", true},
		{"nothing typed", nil, nil, "", true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			d := newDriver(t, tt.settings...)
			d.pick("Scan to Email")
			d.pick("Type an address")
			d.key(tt.keys...)
			d.sounds = nil
			d.key(board.KeyHash)
			if got := d.screen().Input; got != tt.want {
				t.Fatalf("completed %q, want %q", got, tt.want)
			}
			if refused := slices.Contains(d.sounds, panel.SoundError); refused != tt.refused {
				t.Fatalf("refused %v, want %v", refused, tt.refused)
			}
		})
	}
}

// TestTransitions: the machine's flows step by step, with the calls it
// asks for answered by hand.
func TestTransitions(t *testing.T) {
	tests := []struct {
		name     string
		settings []string
		run      func(d *driver)
	}{
		{"stop before the job is named cancels it once the device names it", nil, func(d *driver) {
			d.compose()
			d.key(board.KeyStart)
			scan := d.call(panel.CallScan)
			d.see("[Starting]")
			d.key(board.KeyStop)
			d.see("[Stopping]")
			if n := d.asked(panel.CallAbort) + d.asked(panel.CallCancelJob); n != 0 {
				d.t.Fatalf("%d calls before the job has a number", n)
			}
			// A job started elsewhere meanwhile is not the panel's.
			d.notify(jobNotify(apitype.Job{ID: 6, State: apitype.JobScanning, Created: d.now}, 0))
			if n := d.asked(panel.CallCancelJob); n != 0 {
				d.t.Fatalf("%d cancels of another's job", n)
			}
			d.answer(panel.Answer{Call: scan, Event: &apitype.JobEvent{Job: apitype.Job{ID: 7, State: apitype.JobScanning, Created: d.now}}})
			if c := d.call(panel.CallCancelJob); c.ID != 7 {
				d.t.Fatalf("cancel %+v, want job 7", c)
			}
			d.answer(panel.Answer{Call: scan, Event: &apitype.JobEvent{Job: apitype.Job{ID: 7, State: apitype.JobCanceled, Created: d.now}}})
			d.see("[Canceled]", "Nothing was sent.")
		}},
		{"stop while sending waits for the attempt, then cancels", nil, func(d *driver) {
			d.compose()
			d.key(board.KeyStart)
			scan := d.call(panel.CallScan)
			job := apitype.Job{ID: 3, To: []string{"a@b.example"}, State: apitype.JobSending, Pages: 2}
			d.answer(panel.Answer{Call: scan, Event: &apitype.JobEvent{Job: job}})
			d.see("[Sending]")
			d.key(board.KeyStop)
			if n := d.asked(panel.CallCancelJob); n != 0 {
				d.t.Fatalf("canceled while sending")
			}
			d.see("[Stopping]", "It stops when this try ends.")
			job.State, job.Error = apitype.JobQueued, "The mail server did not answer"
			d.notify(jobNotify(job, 0))
			c := d.call(panel.CallCancelJob)
			if c.ID != 3 {
				d.t.Fatalf("cancel %+v", c)
			}
			job.State = apitype.JobCanceled
			d.answer(panel.Answer{Call: c, Done: true, Job: job})
			d.see("[Canceled]", "Nothing was sent.")
		}},
		{"a cancel refused as busy is tried again at the next change", nil, func(d *driver) {
			d.compose()
			d.key(board.KeyStart)
			scan := d.call(panel.CallScan)
			job := apitype.Job{ID: 4, State: apitype.JobScanning}
			d.answer(panel.Answer{Call: scan, Event: &apitype.JobEvent{Job: job}})
			d.key(board.KeyStop)
			c := d.call(panel.CallCancelJob)
			d.answer(panel.Answer{Call: c, Done: true, Err: &localclient.Error{Status: 409, Message: "Job 4 is starting to scan", Code: apitype.CodeBusy}})
			d.notify(jobNotify(job, 1))
			if n := d.asked(panel.CallCancelJob); n != 2 {
				d.t.Fatalf("%d cancels, want 2", n)
			}
		}},
		{"stop on home stops the panel's job left running", nil, func(d *driver) {
			d.compose()
			d.key(board.KeyStart)
			d.answer(panel.Answer{Call: d.call(panel.CallScan), Event: &apitype.JobEvent{Job: apitype.Job{ID: 4, State: apitype.JobScanning}}})
			d.key(board.KeyBack)
			d.see("[Ready]", "Job 4: scanning")
			d.key(board.KeyStop)
			if c := d.call(panel.CallCancelJob); c.ID != 4 {
				d.t.Fatalf("cancel %+v", c)
			}
			d.see("[Stopping]")
		}},
		{"the panel's job ended while the feed was away", nil, func(d *driver) {
			d.compose()
			d.key(board.KeyStart)
			d.answer(panel.Answer{Call: d.call(panel.CallScan), Event: &apitype.JobEvent{Job: apitype.Job{ID: 4, State: apitype.JobScanning}}})
			d.take(d.m.Offline())
			d.notify(apitype.Notify{Kind: apitype.NotifySnapshot, Status: &apitype.Status{Ready: true, LastJob: &apitype.Job{ID: 5, State: apitype.JobSent}}})
			c := d.call(panel.CallJob)
			if c.ID != 4 {
				d.t.Fatalf("asked for %+v", c)
			}
			d.see("[Scanning]")
			d.answer(panel.Answer{Call: c, Done: true, Job: apitype.Job{ID: 4, State: apitype.JobSent, Pages: 3}})
			d.see("[Sent]", "3 pages sent.")
		}},
		{"flatbed: more pages?", nil, func(d *driver) {
			d.compose()
			d.pick("Options")
			d.pick("Source: Feeder")
			d.see("Source: Glass")
			d.key(board.KeyBack, board.KeyStart)
			scan := d.call(panel.CallScan)
			if !scan.Scan.Flatbed {
				d.t.Fatalf("request %+v, want flatbed", scan.Scan)
			}
			job := apitype.Job{ID: 5, State: apitype.JobScanning, Pages: 1, MorePages: true}
			d.answer(panel.Answer{Call: scan, Event: &apitype.JobEvent{Job: job, Page: 1}})
			d.see("[More pages?]", "1 page scanned.", "(Scan next page)", "Done: send it")
			d.key(board.KeyOK)
			if c := d.call(panel.CallMorePages); c.ID != 5 || !c.More {
				d.t.Fatalf("more %+v", c)
			}
			d.answer(panel.Answer{Call: d.call(panel.CallMorePages), Done: true, Job: apitype.Job{ID: 5, State: apitype.JobScanning, Pages: 1}})
			d.see("[Scanning]")
			job.Pages = 2
			d.notify(jobNotify(job, 2))
			d.key(board.KeyDown, board.KeyOK)
			if c := d.call(panel.CallMorePages); c.More {
				d.t.Fatalf("more %+v, want done", c)
			}
		}},
		{"the next page's prompt takes keys before the last answer comes back", nil, func(d *driver) {
			d.compose()
			d.key(board.KeyStart)
			scan := d.call(panel.CallScan)
			job := apitype.Job{ID: 7, State: apitype.JobScanning, Pages: 1, MorePages: true}
			d.answer(panel.Answer{Call: scan, Event: &apitype.JobEvent{Job: job, Page: 1}})
			d.key(board.KeyOK)
			first := d.call(panel.CallMorePages)
			if !first.More {
				d.t.Fatalf("more %+v", first)
			}
			// The feed tells of page 2's prompt before the device's
			// answer to the first comes back.
			job.Pages = 2
			d.notify(jobNotify(job, 2))
			d.see("[More pages?]", "2 pages scanned.")
			d.key(board.KeyDown, board.KeyOK)
			if c := d.call(panel.CallMorePages); c.More || c.Seq == first.Seq {
				d.t.Fatalf("more %+v, want a second call: done", c)
			}
			// The late answer's job is older than the feed's: it does
			// not bring the first prompt back.
			d.answer(panel.Answer{Call: first, Done: true, Job: apitype.Job{ID: 7, State: apitype.JobScanning, Pages: 1}})
			if s := d.screen(); s.Title == "More pages?" {
				d.t.Fatalf("screen %+v after the late answer", s)
			}
		}},
		{"the scan's stream, overtaken by the feed, does not take the prompt away", nil, func(d *driver) {
			d.compose()
			d.key(board.KeyStart)
			scan := d.call(panel.CallScan)
			job := apitype.Job{ID: 8, State: apitype.JobScanning, Pages: 1, MorePages: true}
			d.answer(panel.Answer{Call: scan, Event: &apitype.JobEvent{Job: job, Page: 1}})
			d.notify(jobNotify(job, 1))
			d.key(board.KeyOK)
			d.answer(panel.Answer{Call: d.call(panel.CallMorePages), Done: true, Job: apitype.Job{ID: 8, State: apitype.JobScanning, Pages: 1}})
			// The feed tells of page 2 and its prompt...
			scanned := apitype.Job{ID: 8, State: apitype.JobScanning, Pages: 1}
			d.notify(jobNotify(scanned, 2))
			job.Pages = 2
			d.notify(jobNotify(job, 2))
			d.see("[More pages?]", "2 pages scanned.", "(Scan next page)")
			// ... before the scan's stream tells of page 2 scanned.
			d.answer(panel.Answer{Call: scan, Event: &apitype.JobEvent{Job: scanned, Page: 2}})
			d.see("[More pages?]", "2 pages scanned.")
			d.key(board.KeyDown)
			d.see("(Done: send it)")
		}},
		{"sending in parts shows the part and a bar", nil, func(d *driver) {
			d.compose()
			d.key(board.KeyStart)
			job := apitype.Job{ID: 6, State: apitype.JobSending, Pages: 9, Parts: []apitype.JobPart{{First: 1, Last: 3, Sent: true}, {First: 4, Last: 6}, {First: 7, Last: 9}}}
			d.answer(panel.Answer{Call: d.call(panel.CallScan), Event: &apitype.JobEvent{Job: job}})
			d.see("[Sending]", "Part 2 of 3")
			if p := d.screen().Progress; !p.Show || p.Done < 0.33 || p.Done > 0.34 {
				d.t.Fatalf("progress %+v", p)
			}
		}},
		{"options: defaults from the settings, sticky for the next job", []string{"scan.mode", "bw1", "scan.dpi", "200", "scan.format", "tiff"}, func(d *driver) {
			d.compose()
			d.pick("Options")
			d.see("Colour: B&W", "Resolution: 200 dpi", "File: TIFF", "One file")
			d.key(board.KeyRight) // B&W → Colour (round)
			d.key(board.KeyDown, board.KeyRight)
			d.key(board.KeyDown, board.KeyLeft, board.KeyLeft) // TIFF → Compact PDF → PDF
			d.key(board.KeyDown, board.KeyOK)
			d.see("Colour: Colour", "Resolution: 300 dpi", "File: PDF", "One file a page")
			d.key(board.KeyBack, board.KeyStart)
			want := apitype.ScanOptions{Mode: "rgb24", DPI: 300, Format: "pdf", PerPage: true}
			if got := d.call(panel.CallScan).Scan.ScanOptions; got != want {
				d.t.Fatalf("options %+v, want %+v", got, want)
			}
			d.answer(panel.Answer{Call: d.call(panel.CallScan), Done: true, Job: apitype.Job{ID: 1, State: apitype.JobSent, Pages: 1}})
			d.key(board.KeyOK)
			d.pick("Scan to Email")
			d.see("To: no one yet", "Colour 300dpi PDF")
		}},
		{"subject typed with spaces", nil, func(d *driver) {
			d.compose()
			d.pick("Options")
			d.pick("Subject")
			d.key(board.Key3, board.KeyRight, board.Key0, board.Key2)
			d.wait(time.Second)
			d.key(board.KeyOK)
			d.see("Subject: d a")
			d.key(board.KeyBack, board.KeyStart)
			if got := d.call(panel.CallScan).Scan.Subject; got != "d a" {
				d.t.Fatalf("subject %q", got)
			}
		}},
		{"destinations cleared when left idle", []string{"panel.idle_seconds", "30"}, func(d *driver) {
			d.compose()
			d.wait(29 * time.Second)
			d.see("To: a@b.example")
			d.wait(time.Second)
			d.see("[Ready]")
			d.pick("Scan to Email")
			d.see("To: no one yet")
		}},
		{"a failure no one saw stays on Ready after the idle time", nil, func(d *driver) {
			d.compose()
			d.key(board.KeyStart)
			d.answer(panel.Answer{Call: d.call(panel.CallScan), Done: true, Job: apitype.Job{ID: 2, State: apitype.JobFailed, Error: "Refused"}})
			d.see("[Not sent]", "Refused")
			d.wait(time.Minute)
			d.see("[Ready]", "! Job 2 not sent")
		}},
		{"a failure seen on the job's screen is acknowledged", nil, func(d *driver) {
			d.compose()
			d.key(board.KeyStart)
			d.answer(panel.Answer{Call: d.call(panel.CallScan), Done: true, Job: apitype.Job{ID: 2, State: apitype.JobFailed, Error: "Refused"}})
			d.key(board.KeyOK)
			if has("! Job 2")(d.screen()) {
				d.t.Fatalf("screen %s", text(d.screen()))
			}
		}},
		{"a job waiting to be sent is left for home after the idle time", nil, func(d *driver) {
			d.compose()
			d.key(board.KeyStart)
			d.answer(panel.Answer{Call: d.call(panel.CallScan), Done: true, Job: apitype.Job{ID: 2, State: apitype.JobQueued, Error: "The server is busy", NextAttempt: d.now.Add(time.Minute)}})
			d.see("[Waiting to send]", "The server is busy", "Tries again at")
			d.wait(time.Minute)
			d.see("[Ready]", "Job 2: will retry")
		}},
		{"scan to me only", []string{"scan.to_me", "me@contoso.example", "scan.to_me_only", "yes"}, func(d *driver) {
			d.pick("Scan to Email")
			s := d.screen()
			if !slices.Equal(s.Menu, []string{"* Scan to Me", "Options"}) || !has("To: me@contoso.example")(s) {
				d.t.Fatalf("screen %s", text(s))
			}
			d.key(board.KeyStart)
			if got := d.call(panel.CallScan).Scan.To; !slices.Equal(got, []string{"me@contoso.example"}) {
				d.t.Fatalf("to %v", got)
			}
		}},
		{"a quick set fills destination and options", nil, func(d *driver) {
			d.pick("Scan to Email")
			d.pick("Quick Sets")
			d.answer(panel.Answer{Call: d.call(panel.CallQuickSets), Done: true, QuickSets: apitype.QuickSetList{QuickSets: []apitype.QuickSet{
				{ID: "1", Name: "Invoices", To: []string{"ap@contoso.example"}, Groups: []string{"finance"}, Options: apitype.ScanOptions{Mode: "gray8", DPI: 150}},
			}}})
			d.pick("Invoices")
			d.see("To: ap@contoso.example +1 other", "Gray 150dpi")
			d.key(board.KeyStart)
			req := d.call(panel.CallScan).Scan
			if !slices.Equal(req.To, []string{"ap@contoso.example"}) || !slices.Equal(req.Groups, []string{"finance"}) || req.Mode != "gray8" || req.DPI != 150 {
				d.t.Fatalf("request %+v", req)
			}
		}},
		{"a 2-sided quick set scans 2-sided from the feeder", nil, func(d *driver) {
			d.compose()
			d.pick("Options")
			d.pick("Source: Feeder") // the glass, which a 2-sided Quick Set leaves
			d.key(board.KeyBack)
			d.pick("Quick Sets")
			d.answer(panel.Answer{Call: d.call(panel.CallQuickSets), Done: true, QuickSets: apitype.QuickSetList{QuickSets: []apitype.QuickSet{
				{ID: "1", Name: "Contracts", To: []string{"legal@contoso.example"}, Options: apitype.ScanOptions{Format: "pdf-compact", Duplex: true}},
			}}})
			d.pick("Contracts")
			d.see("To: legal@contoso.example", "Compact PDF 2-sided")
			d.pick("Options")
			d.see("File: Compact PDF", "Source: Feeder", "Sides: 2-sided")
			d.key(board.KeyBack, board.KeyStart)
			req := d.call(panel.CallScan).Scan
			if !req.Duplex || req.Flatbed || req.Format != "pdf-compact" {
				d.t.Fatalf("request %+v", req)
			}
		}},
		{"a 1-sided quick set ends 2-sided", nil, func(d *driver) {
			d.compose()
			d.pick("Options")
			d.pick("Sides: 1-sided")
			d.key(board.KeyBack)
			d.pick("Quick Sets")
			d.answer(panel.Answer{Call: d.call(panel.CallQuickSets), Done: true, QuickSets: apitype.QuickSetList{QuickSets: []apitype.QuickSet{
				{ID: "1", Name: "Desk", To: []string{"desk@contoso.example"}},
			}}})
			d.pick("Desk")
			d.key(board.KeyStart)
			if req := d.call(panel.CallScan).Scan; req.Duplex {
				d.t.Fatalf("request %+v", req)
			}
		}},
		{"options: the compact PDF among the formats", []string{"scan.format", "pdf"}, func(d *driver) {
			d.compose()
			d.pick("Options")
			d.key(board.KeyDown, board.KeyDown, board.KeyRight)
			d.see("File: Compact PDF")
			d.key(board.KeyRight)
			d.see("File: TIFF")
			d.key(board.KeyBack, board.KeyStart)
			if got := d.call(panel.CallScan).Scan.Format; got != "tiff" {
				d.t.Fatalf("format %q", got)
			}
		}},
		{"address book: groups and several entries", nil, func(d *driver) {
			d.pick("Scan to Email")
			d.pick("Address book")
			d.answer(panel.Answer{Call: d.call(panel.CallBook), Done: true, Book: apitype.BookList{
				Entries: []apitype.BookEntry{{ID: "2", Name: "Sam", Address: "sam@x.example"}, {ID: "1", Name: "Ann", Address: "ann@x.example", Favourite: true}},
				Groups:  []string{"sales", "finance"},
			}})
			if got := d.screen().Menu; !slices.Equal(got, []string{"  Ann", "  Group sales", "  Group finance", "  Sam"}) {
				d.t.Fatalf("menu %q", got)
			}
			d.key(board.KeyOK, board.KeyDown, board.KeyOK)
			d.key(board.Key7, board.Key7, board.Key7, board.Key7) // s
			if c := d.call(panel.CallBook); c.Query != "s" {
				d.t.Fatalf("search %+v", c)
			}
			d.key(board.KeyBack, board.KeyStart)
			req := d.call(panel.CallScan).Scan
			if !slices.Equal(req.Entries, []string{"1"}) || !slices.Equal(req.Groups, []string{"sales"}) {
				d.t.Fatalf("request %+v", req)
			}
		}},
		{"recent recipients", nil, func(d *driver) {
			d.pick("Scan to Email")
			d.pick("Recent")
			d.answer(panel.Answer{Call: d.call(panel.CallJobs), Done: true, Jobs: []apitype.Job{
				{ID: 2, To: []string{"b@x.example", "a@x.example"}}, {ID: 1, To: []string{"A@x.example"}},
			}})
			if got := d.screen().Menu; !slices.Equal(got, []string{"  b@x.example", "  a@x.example"}) {
				d.t.Fatalf("menu %q", got)
			}
		}},
		{"sign-in needed: Scan to Email explains", nil, func(d *driver) {
			d.notify(apitype.Notify{Kind: apitype.NotifyStatus, Status: &apitype.Status{
				Problem: "The sign-in has ended", ProblemCode: apitype.CodeSignInNeeded, DeviceAddress: deviceUPN,
				Account: &apitype.Account{UPN: deviceUPN, SignInNeeded: true},
			}})
			d.see("[Not ready]", "Sign-in needed - ask your admin")
			if d.m.LED() != board.StatusAttention {
				d.t.Fatalf("LED %v", d.m.LED())
			}
			d.pick("Scan to Email")
			d.see("Sign-in needed - ask your admin", "Nothing can be sent")
			if n := d.asked(panel.CallScan); n != 0 {
				d.t.Fatal("scanned")
			}
		}},
		{"a failed job stays until acknowledged", nil, func(d *driver) {
			d.notify(jobNotify(apitype.Job{ID: 9, State: apitype.JobFailed, Error: "Refused", Hint: "Check the address.", To: []string{"x@y.example"}}, 0))
			d.see("Job 9: not sent", "! Job 9 not sent")
			d.pick("! Job 9 not sent")
			d.see("[Job 9 not sent]", "Refused", "Check the address.")
			d.key(board.KeyOK)
			if has("! Job 9")(d.screen()) || d.m.LED() != board.StatusReady {
				d.t.Fatalf("screen %s, LED %v", text(d.screen()), d.m.LED())
			}
			// A snapshot after a reconnection does not bring it back.
			d.notify(apitype.Notify{Kind: apitype.NotifySnapshot, Status: &apitype.Status{Ready: true,
				LastJob: &apitype.Job{ID: 9, State: apitype.JobFailed, Error: "Refused"}}})
			if has("! Job 9")(d.screen()) {
				d.t.Fatalf("screen %s", text(d.screen()))
			}
		}},
		{"feed lost: connecting", nil, func(d *driver) {
			d.take(d.m.Offline())
			d.see("[Connecting]")
			if d.m.LED() != board.StatusAttention {
				d.t.Fatalf("LED %v", d.m.LED())
			}
		}},
		{"no admin PIN: set one, twice", nil, func(d *driver) {
			d.key(board.KeyMenu)
			d.see("[Admin PIN]", "Checking...")
			d.answer(panel.Answer{Call: d.call(panel.CallPIN), Done: true, PINState: apitype.PINState{}})
			d.see("[New admin PIN]", "No admin PIN yet")
			d.key(digits("123")...)
			d.key(board.KeyOK)
			d.see("At least 4 digits.")
			d.key(digits("1234")...)
			d.key(board.KeyOK)
			d.see("Type it again.")
			if got := d.screen().Input; got != "" {
				d.t.Fatalf("input %q", got)
			}
			d.key(digits("1235")...)
			if got := d.screen().Input; got != "****" {
				d.t.Fatalf("PIN shown as %q", got)
			}
			d.key(board.KeyOK)
			d.see("The two differ")
			d.key(digits("1234")...)
			d.key(board.KeyOK)
			d.key(digits("1234")...)
			d.key(board.KeyOK)
			c := d.call(panel.CallSetPIN)
			if c.PIN != "1234" || c.OldPIN != "" {
				d.t.Fatalf("set %+v", c)
			}
			d.answer(panel.Answer{Call: c, Done: true, PINState: apitype.PINState{Set: true}})
			d.see("The admin PIN is set.")
			d.key(board.KeyOK)
			d.see("[Admin]", "Sign in", "Token health", "Sign out", "Network")
		}},
		{"wrong PIN, then held back with a countdown", nil, func(d *driver) {
			d.key(board.KeyMenu)
			d.answer(panel.Answer{Call: d.call(panel.CallPIN), Done: true, PINState: apitype.PINState{Set: true}})
			d.key(digits("1111")...)
			d.key(board.KeyOK)
			c := d.call(panel.CallCheckPIN)
			if c.PIN != "1111" {
				d.t.Fatalf("check %+v", c)
			}
			d.answer(panel.Answer{Call: c, Done: true, Err: &localclient.Error{Status: 403, Message: "Wrong PIN", Code: apitype.CodePINWrong}})
			d.see("Wrong PIN")
			if s := d.screen(); has("Try again")(s) || s.Input != "" {
				d.t.Fatalf("screen %s", text(s))
			}
			d.key(digits("2222")...)
			d.key(board.KeyOK)
			c = d.call(panel.CallCheckPIN)
			d.answer(panel.Answer{Call: c, Done: true, Err: &localclient.Error{Status: 403, Message: "Wrong PIN", Code: apitype.CodePINWrong, RetryAt: d.now.Add(150 * time.Second)}})
			d.see("Wrong PIN", "Try again in 2:30")
			d.wait(time.Second)
			d.see("Try again in 2:29")
			d.key(digits("1234")...)
			d.key(board.KeyOK)
			if n := d.asked(panel.CallCheckPIN); n != 2 {
				d.t.Fatalf("%d checks while held back", n)
			}
			d.wait(149 * time.Second)
			d.key(digits("1234")...)
			d.key(board.KeyOK)
			c = d.call(panel.CallCheckPIN)
			d.answer(panel.Answer{Call: c, Done: true, Err: &localclient.Error{Status: 429, Message: "Too many", Code: apitype.CodePINLocked, RetryAt: d.now.Add(5 * time.Minute)}})
			d.see("Try again in 5:00")
		}},
		{"the admin is logged out after 2 minutes idle", nil, func(d *driver) {
			d.admin()
			d.wait(119 * time.Second)
			d.see("[Admin]")
			d.wait(time.Second)
			d.see("[Ready]")
			d.key(board.KeyMenu)
			d.see("[Admin PIN]")
		}},
		{"sign in: code, QR of the URL, the page's host, a countdown", nil, func(d *driver) {
			d.admin()
			d.pick("Sign in")
			d.see("Asking for a code...")
			si := d.call(panel.CallSignIn)
			step := apitype.SignIn{State: apitype.SignInWaiting, VerificationURI: "https://microsoft.com/devicelogin", UserCode: "V4G64UZMQ", ExpiresAt: d.now.Add(15 * time.Minute)}
			d.answer(panel.Answer{Call: si, SignIn: &step})
			s := d.screen()
			if s.Big != "V4G64UZMQ" || s.QR != "https://microsoft.com/devicelogin" {
				d.t.Fatalf("screen %s", text(s))
			}
			d.see("[15:00 left]", "microsoft.com/devicelogin")
			d.wait(3 * time.Minute) // no logout while the admin signs in on a phone
			d.see("[12:00 left]")
			d.key(board.KeyHash) // a new code
			if d.asked(panel.CallCancelSignIn) != 1 || d.call(panel.CallAbort).Abort != si.Seq {
				d.t.Fatalf("calls %+v", d.calls)
			}
			d.answer(panel.Answer{Call: d.call(panel.CallCancelSignIn), Done: true, SignIn: &apitype.SignIn{State: apitype.SignInCanceled}})
			si = d.call(panel.CallSignIn)
			if d.asked(panel.CallSignIn) != 2 {
				d.t.Fatal("no new sign-in")
			}
			done := apitype.SignIn{State: apitype.SignInDone, UPN: deviceUPN}
			d.answer(panel.Answer{Call: si, Done: true, SignIn: &done})
			d.see("[Signed in]", deviceUPN)
		}},
		{"sign in as another account: switch to it?", nil, func(d *driver) {
			d.admin()
			d.pick("Sign in")
			failed := apitype.SignIn{State: apitype.SignInFailed, Error: "You signed in as other@contoso.example, not the device's account", Hint: "Sign in as the device's account, or switch.", Replace: true}
			d.answer(panel.Answer{Call: d.call(panel.CallSignIn), Done: true, SignIn: &failed})
			d.see("[Sign-in failed]", "other@contoso.example", "Switch to this account?", "Yes, switch")
			d.pick("Yes, switch")
			if c := d.call(panel.CallSignIn); !c.Replace {
				d.t.Fatalf("sign-in %+v, want one that replaces", c)
			}
		}},
		{"change PIN: the old one is the one given", nil, func(d *driver) {
			d.admin()
			d.pick("Change PIN")
			d.see("[New admin PIN]", "Type the new PIN")
			d.key(digits("5678")...)
			d.key(board.KeyOK)
			d.key(digits("5678")...)
			d.key(board.KeyOK)
			if c := d.call(panel.CallSetPIN); c.OldPIN != "1234" || c.PIN != "5678" {
				d.t.Fatalf("set %+v", c)
			}
		}},
		{"token health", nil, func(d *driver) {
			d.admin()
			d.pick("Token health")
			d.see("[Token health]", deviceUPN, "Refreshed 3 Dec", "Keep-alive 10 Dec")
		}},
		{"sign out, confirmed", nil, func(d *driver) {
			d.admin()
			d.pick("Sign out")
			d.see("[Sign out?]", "(No)")
			d.key(board.KeyOK)
			d.see("[Admin]")
			d.pick("Sign out")
			d.pick("Yes, sign out")
			d.answer(panel.Answer{Call: d.call(panel.CallSignOut), Done: true, Status: apitype.Status{ProblemCode: apitype.CodeSignInNeeded}})
			d.see("[Signed out]")
		}},
		{"network: no web pages yet", nil, func(d *driver) {
			d.admin()
			d.pick("Network")
			d.see("[Network]", "serves no web pages")
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			tt.run(newDriver(t, tt.settings...))
		})
	}
}

// admin logs in with PIN 1234.
func (d *driver) admin() {
	d.t.Helper()
	d.key(board.KeyMenu)
	d.answer(panel.Answer{Call: d.call(panel.CallPIN), Done: true, PINState: apitype.PINState{Set: true}})
	d.key(digits("1234")...)
	d.key(board.KeyOK)
	d.answer(panel.Answer{Call: d.call(panel.CallCheckPIN), Done: true, PINState: apitype.PINState{Set: true}})
	d.see("[Admin]")
}

// TestNetworkAddresses: the Network screen shows where the device says
// its web pages are, and their certificate's fingerprint.
func TestNetworkAddresses(t *testing.T) {
	d := newDriver(t)
	web := apitype.Web{URLs: []string{"https://192.0.2.7/"}, Fingerprint: "AB:CD:EF"}
	d.notify(apitype.Notify{Kind: apitype.NotifySnapshot, Status: &apitype.Status{Ready: true, Web: web}})
	d.admin()
	d.pick("Network")
	d.see("Web pages at", "https://192.0.2.7/", "Certificate SHA-256:", "AB:CD:EF")
}
