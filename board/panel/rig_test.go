package panel_test

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"scanmail/board"
	"scanmail/board/panel"
	"scanmail/board/screen"
	"scanmail/device"
	"scanmail/device/apitype"
	"scanmail/device/idptest"
	"scanmail/device/localapi"
	"scanmail/device/localclient"
	"scanmail/device/mstest"
	"scanmail/scan"
	"scanmail/scan/link"
	"scanmail/scan/scansim"
)

// deviceUPN is the account the rig's device signs in as.
const deviceUPN = "scanner@contoso.example"

// waitFor bounds every wait for a screen: generous, so that only a panel
// that never gets there fails, however slow the machine.
const waitFor = 45 * time.Second

// switchScanner is the device's scanner, which a test swaps between
// simulated ones.
type switchScanner struct {
	mu sync.Mutex
	s  device.Scanner
}

func (w *switchScanner) set(s device.Scanner) {
	w.mu.Lock()
	defer w.mu.Unlock()
	w.s = s
}

// LinkStats is the scanner's link counts, when it has a link.
func (w *switchScanner) LinkStats() link.Stats {
	w.mu.Lock()
	s := w.s
	w.mu.Unlock()
	if m, ok := s.(interface{ LinkStats() link.Stats }); ok {
		return m.LinkStats()
	}
	return link.Stats{}
}

func (w *switchScanner) Scan(ctx context.Context, opts scan.Options) (scan.Source, error) {
	w.mu.Lock()
	s := w.s
	w.mu.Unlock()
	return s.Scan(ctx, opts)
}

// keypad is the panel's keys, pressed by the test.
type keypad chan board.Key

func (k keypad) Run(ctx context.Context, emit func(board.Key)) error {
	for {
		select {
		case <-ctx.Done():
			return nil
		case key := <-k:
			emit(key)
		}
	}
}

// recorder keeps every screen the panel showed, the LED and the beeps.
type recorder struct {
	mu      sync.Mutex
	screens []screen.Screen
	leds    []board.Status
	beeps   int
	errors  int
	unfit   []string      // what did not fit, of every screen
	changed chan struct{} // closed and replaced on every change
	next    int           // where expect looks from
}

func newRecorder() *recorder { return &recorder{changed: make(chan struct{})} }

func (r *recorder) update(f func()) {
	r.mu.Lock()
	defer r.mu.Unlock()
	f()
	close(r.changed)
	r.changed = make(chan struct{})
}

func (r *recorder) show(s screen.Screen) {
	r.update(func() {
		r.screens = append(r.screens, s)
		r.unfit = append(r.unfit, unfit(s)...)
	})
}

// unfit says what of a screen does not fit a 21-column line: the title,
// a menu item, the keys line.
func unfit(s screen.Screen) []string {
	var bad []string
	for _, l := range append([]string{s.Title, s.Keys}, s.Menu...) {
		if len([]rune(l)) > 21 {
			bad = append(bad, fmt.Sprintf("%q is longer than 21 in %s", l, text(s)))
		}
	}
	return bad
}
func (r *recorder) Set(l board.Status) { r.update(func() { r.leds = append(r.leds, l) }) }
func (r *recorder) Beep()              { r.update(func() { r.beeps++ }) }
func (r *recorder) Error()             { r.update(func() { r.errors++ }) }

// text is a screen as one string, to look for words in and to print.
func text(s screen.Screen) string {
	var b strings.Builder
	fmt.Fprintf(&b, "[%s]", s.Title)
	for _, l := range s.Lines {
		fmt.Fprintf(&b, " | %s", l)
	}
	if s.Big != "" {
		fmt.Fprintf(&b, " | BIG %s", s.Big)
	}
	if s.QR != "" {
		fmt.Fprintf(&b, " | QR %s", s.QR)
	}
	if s.Input != "" || s.Menu == nil && strings.Contains(s.Keys, "*:") {
		fmt.Fprintf(&b, " | >%s_", s.Input)
	}
	for i, it := range s.Menu {
		if i == s.Selected {
			fmt.Fprintf(&b, " | (%s)", it)
		} else {
			fmt.Fprintf(&b, " | %s", it)
		}
	}
	fmt.Fprintf(&b, " | keys %s", s.Keys)
	return b.String()
}

// has reports whether a screen has every one of words.
func has(words ...string) func(screen.Screen) bool {
	return func(s screen.Screen) bool {
		t := text(s)
		for _, w := range words {
			if !strings.Contains(t, w) {
				return false
			}
		}
		return true
	}
}

// expect waits for a screen that matches, among those shown since the
// last one expect found (that one included), and returns it.
func (r *recorder) expect(t *testing.T, what string, match func(screen.Screen) bool) screen.Screen {
	t.Helper()
	return r.expectFrom(t, 0, what, match)
}

// expectNew is expect among the screens shown after the last one expect
// found: for a screen that comes again.
func (r *recorder) expectNew(t *testing.T, what string, match func(screen.Screen) bool) screen.Screen {
	t.Helper()
	return r.expectFrom(t, 1, what, match)
}

func (r *recorder) expectFrom(t *testing.T, after int, what string, match func(screen.Screen) bool) screen.Screen {
	t.Helper()
	deadline := time.After(waitFor)
	for {
		r.mu.Lock()
		for i := r.next + after; i < len(r.screens); i++ {
			if match(r.screens[i]) {
				r.next = i
				s := r.screens[i]
				r.mu.Unlock()
				return s
			}
		}
		changed := r.changed
		r.mu.Unlock()
		select {
		case <-changed:
		case <-deadline:
			t.Fatalf("no screen %s; the panel showed:\n%s", what, r.dump())
		}
	}
}

// expectNow waits until the screen shown now matches, and moves expect's
// cursor to it.
func (r *recorder) expectNow(t *testing.T, what string, match func(screen.Screen) bool) screen.Screen {
	t.Helper()
	deadline := time.After(waitFor)
	for {
		r.mu.Lock()
		if n := len(r.screens); n > 0 && match(r.screens[n-1]) {
			r.next = n - 1
			s := r.screens[n-1]
			r.mu.Unlock()
			return s
		}
		changed := r.changed
		r.mu.Unlock()
		select {
		case <-changed:
		case <-deadline:
			t.Fatalf("the screen is not %s; the panel showed:\n%s", what, r.dump())
		}
	}
}

// last is the screen shown now.
func (r *recorder) last() screen.Screen {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.screens[len(r.screens)-1]
}

func (r *recorder) dump() string {
	r.mu.Lock()
	defer r.mu.Unlock()
	var b strings.Builder
	for i, s := range r.screens {
		fmt.Fprintf(&b, "%3d %s\n", i, text(s))
	}
	return b.String()
}

// ledNow waits until the LED shows want.
func (r *recorder) led(t *testing.T, want board.Status) {
	t.Helper()
	deadline := time.After(waitFor)
	for {
		r.mu.Lock()
		ok := len(r.leds) > 0 && r.leds[len(r.leds)-1] == want
		changed := r.changed
		r.mu.Unlock()
		if ok {
			return
		}
		select {
		case <-changed:
		case <-deadline:
			t.Fatalf("the LED never showed %d (%v)", want, r.leds)
		}
	}
}

func (r *recorder) errorBeeps() int {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.errors
}

// rig is a real daemon (a device with a fake Microsoft and a simulated
// scanner, served on a local API socket) and a panel running against
// it, whose keys the test presses and whose screens it records.
type rig struct {
	ms      *mstest.Microsoft
	dev     *device.Device
	c       *localclient.Client
	scanner *switchScanner
	keys    keypad
	rec     *recorder
	serve   func() // serves the local API (again)
	stop    func() // stops serving it
}

type rigOptions struct {
	signedOut   bool
	smtpTimeout time.Duration
	settings    [][2]string
	panel       panel.Options
}

func newRig(t *testing.T, o rigOptions) *rig {
	t.Helper()
	r := &rig{scanner: &switchScanner{s: &scansim.Scanner{}}, keys: make(keypad), rec: newRecorder()}
	ms, err := mstest.Start(mstest.Options{IdP: idptest.Options{Interval: 1, IgnoreInterval: true}})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(ms.Close)
	r.ms = ms

	dir := t.TempDir()
	st, err := device.OpenStore(filepath.Join(dir, "scanmail.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	r.dev, err = device.New(device.Config{Store: st, Scanner: r.scanner, SpoolDir: filepath.Join(dir, "spool"),
		Logger: slog.New(slog.NewTextHandler(io.Discard, nil)), DefaultPages: 2, SMTPTimeout: o.smtpTimeout})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { r.dev.Close() })
	settings := append(ms.Settings(), [][2]string{
		{"scan.mode", "bw1"}, {"scan.dpi", "75"},
		{"limits.messages_per_minute", "-1"}, {"limits.recipients_per_day", "-1"},
	}...)
	for _, kv := range append(settings, o.settings...) {
		if _, err := r.dev.SetConfig(kv[0], kv[1]); err != nil {
			t.Fatal(err)
		}
	}
	if !o.signedOut {
		r.signIn(t)
	}

	sock := filepath.Join(dir, apitype.SocketName)
	r.c = &localclient.Client{Socket: sock}
	var (
		mu     sync.Mutex
		cancel context.CancelFunc
		done   chan error
	)
	r.serve = func() {
		ln, err := localapi.Listen(sock)
		if err != nil {
			t.Fatal(err)
		}
		ctx, c := context.WithCancel(context.Background())
		d := make(chan error, 1)
		go func() { d <- localapi.Serve(ctx, ln, localapi.NewHandler(r.dev, nil)) }()
		mu.Lock()
		cancel, done = c, d
		mu.Unlock()
	}
	r.stop = func() {
		mu.Lock()
		c, d := cancel, done
		cancel = nil
		mu.Unlock()
		if c != nil {
			c()
			if err := <-d; err != nil {
				t.Error(err)
			}
		}
	}
	r.serve()
	t.Cleanup(r.stop)

	ctx, stopPanel := context.WithCancel(context.Background())
	ran := make(chan error, 1)
	go func() {
		ran <- panel.Run(ctx, r.c, r.keys, panel.Output{Show: r.rec.show, LED: r.rec, Buzzer: r.rec},
			panel.RunOptions{Options: o.panel, Tick: 50 * time.Millisecond, Rewatch: 50 * time.Millisecond})
	}()
	t.Cleanup(func() {
		stopPanel()
		if err := <-ran; err != nil {
			t.Errorf("panel: %v", err)
		}
		for _, u := range r.rec.unfit {
			t.Error(u)
		}
		if t.Failed() {
			t.Logf("the panel showed:\n%s", r.rec.dump())
		}
	})
	return r
}

// signIn signs the device in as deviceUPN, as an admin would have.
func (r *rig) signIn(t *testing.T) {
	t.Helper()
	r.ms.IdP.AutoApprove(deviceUPN)
	if _, err := r.dev.StartSignIn(context.Background(), apitype.SignInRequest{}); err != nil {
		t.Fatal(err)
	}
	for {
		st, changed := r.dev.SignIn()
		if st.Done() {
			if st.State != apitype.SignInDone {
				t.Fatalf("sign-in: %+v", st)
			}
			return
		}
		<-changed
	}
}

// press presses keys, one after the other.
func (r *rig) press(keys ...board.Key) {
	for _, k := range keys {
		r.keys <- k
	}
}

// ready waits for the home screen of a device ready to send.
func (r *rig) ready(t *testing.T) {
	t.Helper()
	r.rec.expect(t, "Ready", has("[Ready]", deviceUPN))
}

// jobs are the device's jobs, newest first.
func (r *rig) jobs(t *testing.T) []apitype.Job {
	t.Helper()
	jobs, err := r.c.Jobs(context.Background(), 10)
	if err != nil {
		t.Fatal(err)
	}
	return jobs
}

// mailed lists the recipients of every message the mail server took.
func (r *rig) mailed() []string {
	var to []string
	for _, m := range r.ms.SMTP.Messages() {
		to = append(to, m.To...)
	}
	return to
}
