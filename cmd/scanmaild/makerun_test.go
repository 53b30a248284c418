//go:build !nodemo

package main

import (
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"scanmail/scan/filecheck"
)

// userCode is the sign-in code among the lines read off the panel: in
// large type, or in plain type when a long address leaves no room.
func userCode(lines []string) string {
	code := regexp.MustCompile(`^[A-Z0-9]{6,12}$`)
	var big []string
	for _, l := range lines {
		if code.MatchString(l) {
			big = append(big, l)
		}
	}
	return strings.Join(big, "")
}

// flat is text read off the panel without its line breaks, for words
// the panel wraps, such as long addresses.
func flat(text string) string { return strings.ReplaceAll(text, "\n", "") }

// TestMakeRun is `make run` as a newcomer lives it, at a terminal (tmux,
// typing keys and reading the screen's pixels): the panel says sign-in is
// needed; the admin sets a PIN and signs in by scanning the QR code off
// the screen and typing the code it shows at the demo's identity
// provider; the operator types an address and presses Start; the panel
// says Sent and the mail arrives as an .eml file. Pictures of the screens
// go to testdata/panel/ (look at them).
func TestMakeRun(t *testing.T) {
	if testing.Short() {
		t.Skip("builds and runs the whole product")
	}
	root, err := filepath.Abs("../..")
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	pics := filepath.Join(root, "testdata", "panel")
	if err := os.MkdirAll(pics, 0o755); err != nil {
		t.Fatal(err)
	}
	tm := newTmux(t, dir, 170, 48, "make -s -C "+root+" run RUNDIR="+dir+"; echo make run ended: $?; sleep 600")
	shot := func(name, want string) string {
		t.Helper()
		img, text := tm.waitFor(want)
		savePNG(t, img, filepath.Join(pics, name+".png"))
		return text
	}

	// The operator's first sight: not ready, and why.
	if text := shot("makerun-1-not-ready", "Not ready"); !strings.Contains(text, "Sign-in needed") && !strings.Contains(text, "sign") {
		t.Errorf("the first screen does not say sign-in is needed:\n%s", text)
	}
	if c := tm.capture(); !strings.Contains(c, "1. Sign in") || !strings.Contains(c, "devicelogin") {
		t.Errorf("no guide below the panel:\n%s", c)
	}

	// The admin: a PIN first (none is set), then sign-in.
	tm.keys("Tab")
	shot("makerun-2-new-pin", "New admin PIN")
	tm.typeText("2468")
	tm.keys("Enter")
	tm.waitFor("again")
	tm.typeText("2468")
	tm.keys("Enter")
	tm.waitFor("PIN is set")
	tm.keys("Enter")
	shot("makerun-3-admin", "> Sign in")
	tm.keys("Enter")
	img, _ := tm.waitFor(" left") // the time left to type the code, as the title
	var code, uri string
	for deadline := time.Now().Add(30 * time.Second); (code == "" || uri == "") && time.Now().Before(deadline); time.Sleep(50 * time.Millisecond) {
		img, _, _ = tm.panel()
		code = userCode(readPanel(img, tm.font))
		uri = decodeQR(t, img)
	}
	savePNG(t, img, filepath.Join(pics, "makerun-4-signin.png"))
	if !strings.HasSuffix(uri, "/devicelogin") || code == "" {
		t.Fatalf("the sign-in screen's QR code reads %q and its code %q", uri, code)
	}
	browserSignIn(t, uri, code, "scanner@contoso.example")
	if text := shot("makerun-5-signed-in", "Signed in"); !strings.Contains(flat(text), "scanner@contoso.example") {
		t.Errorf("the panel does not name the account now used:\n%s", text)
	}
	tm.keys("Enter")
	tm.waitFor("> Sign in")
	tm.keys("Escape") // log out of the admin menu
	shot("makerun-6-ready", "> Ready")

	// The operator: Scan to Email, a typed address, Start.
	tm.keys("Enter")
	shot("makerun-7-compose", "> Address book")
	tm.keys("Down")
	tm.waitFor("> Type an address")
	tm.keys("Enter")
	tm.typeText("alice@fabrikam.example")
	shot("makerun-8-typed", "@fabrikam.exampl")
	tm.keys("Enter")
	tm.waitFor("alice@fabrikam")
	tm.keys("F5")
	shot("makerun-9-sent", "Sent")

	names, _ := filepath.Glob(filepath.Join(dir, "demo-mail", "*.eml"))
	if len(names) != 1 {
		t.Fatalf("%d messages saved, want 1", len(names))
	}
	filecheck.PDF(t, attachment(t, names[0]), 3)
	tm.waitText("Mail received: 1") // the guide names where it went
	tm.keys("C-c")
	tm.waitText("make run ended: 0")
}

// BenchmarkPanel gives the panel's figures for the closing note: process
// start to the first home screen, Start to Sent for a 10-page gray job in
// the demo (typed address, through tmux as a person does), and the
// daemon's peak RSS with the panel running.
func BenchmarkPanel(b *testing.B) {
	for b.Loop() {
		dir := b.TempDir()
		begin := time.Now()
		tm := newTmux(b, dir, 170, 48, "exec "+bin+" -demo -pages 10")
		tm.waitFor("Not ready")
		b.ReportMetric(float64(time.Since(begin).Milliseconds()), "ms-start-to-home")

		sock := filepath.Join(dir, "scanmaild.sock")
		if out, code := runCLI(b, sock, "config", "set", "scan.mode", "gray8"); code != 0 {
			b.Fatal(out)
		}
		si := start(b, dir, "-socket", sock, "signin")
		m := regexp.MustCompile(`open (\S+) and enter the code (\S+)`).FindStringSubmatch(si.expect("To sign in, open"))
		browserSignIn(b, m[1], m[2], "scanner@contoso.example")
		si.wait()

		tm.waitFor("> Ready")
		tm.keys("Enter")
		tm.waitFor("> Address book")
		tm.keys("Down")
		tm.waitFor("> Type an address")
		tm.keys("Enter")
		tm.typeText("alice@fabrikam.example")
		tm.keys("Enter")
		tm.waitFor("alice@fabrikam")
		begin = time.Now()
		tm.keys("F5")
		tm.waitFor("10 pages sent")
		b.ReportMetric(float64(time.Since(begin).Milliseconds()), "ms-start-to-sent-10-gray")

		pid := strings.TrimSpace(tm.run("list-panes", "-t", "panel", "-F", "#{pane_pid}"))
		status, err := os.ReadFile("/proc/" + pid + "/status")
		if err != nil {
			b.Fatal(err)
		}
		hwm := regexp.MustCompile(`VmHWM:\s+(\d+) kB`).FindSubmatch(status)
		if hwm == nil {
			b.Fatalf("no VmHWM in /proc/%s/status", pid)
		}
		kb, _ := strconv.Atoi(string(hwm[1]))
		b.ReportMetric(float64(kb)/1024, "peak-RSS-MiB")
		tm.keys("C-c")
	}
}
