//go:build !nodemo

package main

import (
	"bytes"
	"fmt"
	"io"
	"maps"
	"net/http"
	"net/mail"
	"net/url"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"sort"
	"strconv"
	"strings"
	"syscall"
	"testing"

	"scanmail/cmd/scanmaild/demo"
	"scanmail/device/apitype"
	"scanmail/device/idptest"
	"scanmail/scan/filecheck"
)

// TestDemo: the demo's servers behave as the product needs them, without
// a panel: its guide says what to do, a browser signs in on the demo
// identity provider's page, and the scanned PDF arrives as an .eml file.
func TestDemo(t *testing.T) {
	dir := t.TempDir()
	eml, _, _ := driveDemo(t, dir, 3, nil)
	filecheck.PDF(t, attachment(t, eml), 3)
}

// TestDemoRoads: the demo's other roads need no tenant and no sign-in:
// switched to direct send it refuses an outside recipient before
// scanning and delivers to an internal one through the demo's MX
// endpoint; switched to the password road, with the password the guide
// gives read from standard input, it delivers to anyone, and so does
// relay with the client certificate the demo wrote, installed as the
// guide says. Every message lands as an .eml file where the sign-in
// road's do. The next run starts on the sign-in road again, without the
// certificate of the last run's CA.
func TestDemoRoads(t *testing.T) {
	dir := t.TempDir()
	d := start(t, dir, "-demo", "-display", "none", "-pages", "1")
	d.expect(demo.Password) // the guide says it
	sock := filepath.Join(dir, "scanmaild.sock")
	waitSocket(t, sock)

	mustCLI(t, sock, "config", "set", "road", "direct", "device_address", demo.Account)
	if out, code := runCLI(t, sock, "scan", "--to", "alice@fabrikam.example"); code != 1 || !strings.Contains(out, "Direct send reaches only addresses in contoso.example") {
		t.Errorf("direct send to an outside recipient: exit %d\n%s", code, out)
	}
	if out, code := runCLI(t, sock, "scan", "--to", "bob@contoso.example"); code != 0 || !strings.Contains(out, ": sent ") {
		t.Fatalf("direct send: exit %d\n%s", code, out)
	}
	if out, code := runCLIInput(t, sock, demo.Password+"\n", "config", "set", "road", "password", "password.secret", "-"); code != 0 {
		t.Fatalf("config set road password: exit %d\n%s", code, out)
	}
	if out, code := runCLI(t, sock, "scan", "--to", "alice@fabrikam.example"); code != 0 || !strings.Contains(out, ": sent ") {
		t.Fatalf("password road: exit %d\n%s", code, out)
	}
	mustCLI(t, sock, "relay-cert", "install", filepath.Join(dir, demo.RelayCert), filepath.Join(dir, demo.RelayKey))
	mustCLI(t, sock, "config", "set", "road", "relay")
	if out, code := runCLI(t, sock, "scan", "--to", "carol@fabrikam.example"); code != 0 || !strings.Contains(out, ": sent ") {
		t.Fatalf("relay: exit %d\n%s", code, out)
	}

	names, err := filepath.Glob(filepath.Join(dir, "demo-mail", "*.eml"))
	if err != nil || len(names) != 3 {
		t.Fatalf("%d messages saved, want 3: %v", len(names), err)
	}
	sort.Strings(names) // in the order received
	for i, to := range []string{"bob@contoso.example", "alice@fabrikam.example", "carol@fabrikam.example"} {
		f, err := os.Open(names[i])
		if err != nil {
			t.Fatal(err)
		}
		msg, err := mail.ReadMessage(f)
		f.Close()
		if err != nil {
			t.Fatal(err)
		}
		if from, to2 := msg.Header.Get("From"), msg.Header.Get("To"); !strings.Contains(from, demo.Account) || !strings.Contains(to2, to) {
			t.Errorf("%s is from %q to %q, want from %s to %s", names[i], from, to2, demo.Account, to)
		}
		filecheck.PDF(t, attachment(t, names[i]), 1)
	}

	d.stop()
	start(t, dir, "-demo", "-display", "none", "-pages", "1").expect(demo.Password)
	waitSocket(t, sock)
	var cfg apitype.Config
	decode(t, mustCLI(t, sock, "config", "show", "--json"), &cfg)
	for _, s := range cfg.Settings {
		if s.Key == "road" && s.Value != "oauth" {
			t.Errorf("the next run's road: %s", s.Value)
		}
	}
	if out := mustCLI(t, sock, "relay-cert"); !strings.Contains(out, "no client certificate installed") {
		t.Errorf("the next run's client certificate:\n%s", out)
	}
}

// TestDemoNoSecrets: after a demo run, the tokens the device holds are
// nowhere else: not on the console, not in the demo's log, which has the
// lines of the demo's identity provider and SMTP server too, not in the
// saved mail or any other file the demo wrote, and not in the state file
// outside the tokens bucket. (The demo's identity provider lives inside
// the daemon, so the stored tokens are the ones there are to look for.)
func TestDemoNoSecrets(t *testing.T) {
	dir := t.TempDir()
	db := filepath.Join(dir, "scanmail.db")
	_, console, _ := driveDemo(t, dir, 1, nil, "-v")
	acct := storedAccount(t, db)
	var leaks []leak
	for i, c := range []idptest.Credential{{Kind: "access_token", Value: acct.Token.AccessToken}, {Kind: "refresh_token", Value: acct.Token.RefreshToken}} {
		leaks = append(leaks, leakForms(c, i+1, acct.UPN)...)
	}
	places := []place{{"what the demo and its commands printed", []byte(console)}}
	places = append(places, files(t, dir, db)...)
	state, _ := readState(t, db)
	places = append(places, state...)
	var log, eml bool
	for _, p := range places {
		log = log || filepath.Base(p.name) == "scanmaild.log" && len(p.data) > 0
		eml = eml || filepath.Ext(p.name) == ".eml"
		for _, l := range leaks {
			if bytes.Contains(p.data, []byte(l.form)) {
				t.Errorf("%s: the %s", p.name, l.what)
			}
		}
	}
	if !log || !eml {
		t.Errorf("the demo wrote no log (%v) or no mail (%v) to look in", log, eml)
	}
}

// BenchmarkProcess reports the daemon's peak RSS (the figure /usr/bin/time
// -v prints as maximum resident set size) over a whole demo run: start,
// sign-in, and one job scanned at 300 dpi and mailed. Memory must not grow
// with the page count. Gray pages at 300 dpi are about 0.6 MB each, so the
// longest gray job stays under the demo mailbox's 150 MB; bilevel pages go
// to 500; compact colour pages, about 0.1 MB, to 100.
func BenchmarkProcess(b *testing.B) {
	for _, bc := range []struct {
		mode   string
		format string
		pages  int
	}{
		{"gray8", "pdf", 10}, {"gray8", "pdf", 50}, {"gray8", "pdf", 100}, {"gray8", "pdf", 500},
		{"bw1", "pdf", 10}, {"bw1", "pdf", 100}, {"bw1", "pdf", 500},
		{"rgb24", "pdf", 10},
		{"rgb24", "pdf-compact", 10}, {"rgb24", "pdf-compact", 100},
	} {
		name := fmt.Sprintf("%s-%d", bc.mode, bc.pages)
		if bc.format != "pdf" {
			name = fmt.Sprintf("%s-%s-%d", bc.mode, bc.format, bc.pages)
		}
		b.Run(name, func(b *testing.B) {
			for b.Loop() {
				_, _, rss := driveDemo(b, b.TempDir(), bc.pages, map[string]string{"scan.mode": bc.mode, "scan.format": bc.format})
				b.ReportMetric(float64(rss)/1024, "peak-RSS-MiB")
			}
		})
	}
}

// driveDemo runs `scanmaild -demo -display none` in dir, with flags
// added, and with the command line signs in (as a browser approves) and
// sends one job of pages pages (with the settings set, if any). It returns the
// saved message's path, what the daemon and the commands printed, and the
// daemon's peak RSS in KiB. The panel's own run is TestMakeRun's.
func driveDemo(tb testing.TB, dir string, pages int, set map[string]string, flags ...string) (eml, console string, rssKiB int64) {
	tb.Helper()
	d := start(tb, dir, append([]string{"-demo", "-display", "none", "-pages", strconv.Itoa(pages)}, flags...)...)
	d.expect("1. Sign in") // the guide, on a demo without a panel
	sock := filepath.Join(dir, "scanmaild.sock")
	waitSocket(tb, sock)

	si := start(tb, dir, "-socket", sock, "signin")
	m := regexp.MustCompile(`open (\S+) and enter the code (\S+)`).FindStringSubmatch(si.expect("To sign in, open"))
	if m == nil {
		tb.Fatalf("no URL or code shown:\n%s", strings.Join(si.seen, "\n"))
	}
	browserSignIn(tb, m[1], m[2], "scanner@contoso.example")
	si.expect("Signed in as scanner@contoso.example")
	if code := si.wait(); code != 0 {
		tb.Fatalf("signin exit status %d", code)
	}

	if len(set) > 0 {
		args := []string{"config", "set"}
		for _, k := range slices.Sorted(maps.Keys(set)) {
			args = append(args, k, set[k])
		}
		if out, code := runCLI(tb, sock, args...); code != 0 {
			tb.Fatalf("config set %v: %s", set, out)
		}
	}
	sc := start(tb, dir, "-socket", sock, "scan", "--to", "alice@fabrikam.example")
	sc.expect("scanned page " + strconv.Itoa(pages))
	sc.expect(": sent ")
	if code := sc.wait(); code != 0 {
		tb.Fatalf("scan exit status %d\n%s", code, sc.output())
	}
	// A long scan goes in parts: the first part's file is returned.
	names, err := filepath.Glob(filepath.Join(dir, "demo-mail", "*.eml"))
	if err != nil || len(names) == 0 {
		tb.Fatalf("no mail saved: %v", err)
	}
	sort.Strings(names)
	eml = names[0]
	d.stop()
	ru, ok := d.cmd.ProcessState.SysUsage().(*syscall.Rusage)
	if !ok {
		tb.Fatal("no rusage")
	}
	return eml, d.output() + si.output() + sc.output(), int64(ru.Maxrss) // int32 on 32-bit ARM
}

// browserSignIn does what a person does on the verification page: open it,
// type the code, then the account, and approve.
func browserSignIn(tb testing.TB, uri, code, user string) {
	tb.Helper()
	get, err := http.Get(uri)
	if err != nil {
		tb.Fatal(err)
	}
	page, _ := io.ReadAll(get.Body)
	get.Body.Close()
	if !strings.Contains(string(page), `name="code"`) {
		tb.Fatalf("verification page has no code field:\n%s", page)
	}
	for _, form := range []url.Values{
		{"step": {"code"}, "code": {code}},
		{"step": {"account"}, "code": {code}, "username": {user}, "action": {"approve"}},
	} {
		res, err := http.PostForm(uri, form)
		if err != nil {
			tb.Fatal(err)
		}
		body, _ := io.ReadAll(res.Body)
		res.Body.Close()
		if res.StatusCode != http.StatusOK {
			tb.Fatalf("verification page step %s: %s\n%s", form.Get("step"), res.Status, body)
		}
	}
}
