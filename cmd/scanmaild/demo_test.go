//go:build !nodemo

package main

import (
	"bytes"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"syscall"
	"testing"

	"scanmail/device/idptest"
	"scanmail/scan/filecheck"
)

// TestDemo is `make run` as a newcomer lives it: the console says what to
// do, a browser signs in on the demo identity provider's page, and the
// scanned PDF arrives as an .eml file.
func TestDemo(t *testing.T) {
	dir := t.TempDir()
	eml, _, _ := driveDemo(t, dir, 3, "")
	filecheck.PDF(t, attachment(t, eml), 3)
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
	_, console, _ := driveDemo(t, dir, 1, "", "-v")
	acct := storedAccount(t, db)
	var leaks []leak
	for i, c := range []idptest.Credential{{Kind: "access_token", Value: acct.Token.AccessToken}, {Kind: "refresh_token", Value: acct.Token.RefreshToken}} {
		leaks = append(leaks, leakForms(c, i+1, acct.UPN)...)
	}
	places := []place{{"the demo's console", []byte(console)}}
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
// to 500.
func BenchmarkProcess(b *testing.B) {
	for _, bc := range []struct {
		mode  string
		pages int
	}{
		{"gray8", 10}, {"gray8", 50}, {"gray8", 100}, {"gray8", 500},
		{"bw1", 10}, {"bw1", 100}, {"bw1", 500},
		{"rgb24", 10},
	} {
		b.Run(fmt.Sprintf("%s-%d", bc.mode, bc.pages), func(b *testing.B) {
			for b.Loop() {
				_, _, rss := driveDemo(b, b.TempDir(), bc.pages, bc.mode)
				b.ReportMetric(float64(rss)/1024, "peak-RSS-MiB")
			}
		})
	}
}

// driveDemo runs `scanmaild -demo` in dir, with flags added, through
// sign-in and one job of pages pages (in scan mode mode, if set), and
// returns the saved message's path, what the console printed, and the
// daemon's peak RSS in KiB.
func driveDemo(tb testing.TB, dir string, pages int, mode string, flags ...string) (eml, console string, rssKiB int64) {
	tb.Helper()
	p := start(tb, dir, append([]string{"-demo", "-pages", strconv.Itoa(pages)}, flags...)...)
	p.expect("Press Enter to start sign-in")
	p.send("")
	uri := regexp.MustCompile(`open:\s+(\S+)`).FindStringSubmatch(p.expect("open:"))
	code := regexp.MustCompile(`code:\s+(\S+)`).FindStringSubmatch(p.expect("enter the code:"))
	if uri == nil || code == nil {
		tb.Fatalf("no URL or code shown:\n%s", strings.Join(p.seen, "\n"))
	}
	p.expect("curl") // the way without a browser is shown too
	browserSignIn(tb, uri[1], code[1], "scanner@contoso.example")
	p.expect("Signed in as scanner@contoso.example")

	p.expect("Type the destination address")
	if mode != "" {
		if out, code := runCLI(tb, filepath.Join(dir, "scanmaild.sock"), "config", "set", "scan.mode", mode); code != 0 {
			tb.Fatalf("config set scan.mode: %s", out)
		}
	}
	p.send("alice@fabrikam.example")
	p.expect("page " + strconv.Itoa(pages) + " scanned")
	p.expect("Sent (job")
	// A long scan goes in parts: the first part's file is returned.
	line := p.expect(" as: ")
	eml = strings.TrimSpace(line[strings.Index(line, " as: ")+len(" as: "):])
	if !filepath.IsAbs(eml) {
		eml = filepath.Join(dir, eml)
	}
	p.expect("Type the destination address")
	p.send("q")
	if code := p.wait(); code != 0 {
		tb.Fatalf("demo exit status %d", code)
	}
	ru, ok := p.cmd.ProcessState.SysUsage().(*syscall.Rusage)
	if !ok {
		tb.Fatal("no rusage")
	}
	return eml, p.output(), int64(ru.Maxrss) // int32 on 32-bit ARM
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
