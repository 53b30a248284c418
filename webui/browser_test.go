package webui_test

import (
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"scanmail/device/apitype"
)

// browser starts Debian's chromium (installed by .ci/deps) headless, with
// the test servers' certificate taken.
func browser(t *testing.T) context.Context {
	t.Helper()
	path, err := exec.LookPath("chromium")
	if err != nil {
		t.Fatal("chromium is not installed: make test installs it (.ci/deps)")
	}
	opts := append(chromedp.DefaultExecAllocatorOptions[:],
		chromedp.ExecPath(path), chromedp.IgnoreCertErrors, chromedp.WindowSize(1280, 800),
		chromedp.UserDataDir(t.TempDir()))
	if os.Geteuid() == 0 {
		opts = append(opts, chromedp.NoSandbox)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 90*time.Second)
	t.Cleanup(cancel)
	ctx, cancelAlloc := chromedp.NewExecAllocator(ctx, opts...)
	t.Cleanup(cancelAlloc)
	ctx, cancelTab := chromedp.NewContext(ctx)
	t.Cleanup(cancelTab)
	return ctx
}

func do(t *testing.T, ctx context.Context, what string, steps ...chromedp.Action[chromedp.Void]) {
	t.Helper()
	if err := chromedp.Do(ctx, steps...); err != nil {
		html, _ := chromedp.Run(ctx, chromedp.OuterHTML(chromedp.CSS("main")))
		t.Fatalf("%s: %v\nthe page's main:\n%s", what, err, html)
	}
}

// waitFor waits until the JavaScript expression is true on the page,
// asking again across navigations (which end a poll in the page).
func waitFor(t *testing.T, ctx context.Context, what, expr string) {
	t.Helper()
	var err error
	for ctx.Err() == nil {
		var ok bool
		ok, err = chromedp.Run(ctx, chromedp.Evaluate[bool](`(function(){ try { return !!(`+expr+`); } catch (e) { return false; } })()`))
		if err == nil && ok {
			return
		}
		select {
		case <-ctx.Done():
		case <-time.After(50 * time.Millisecond):
		}
	}
	// The browser may be gone with ctx: the page is asked for a while
	// only, so that the failure is told rather than waited on.
	hctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 5*time.Second)
	defer cancel()
	html, _ := chromedp.Run(hctx, chromedp.OuterHTML(chromedp.CSS("main")))
	t.Fatalf("%s: %v %v\nthe page's main:\n%s", what, ctx.Err(), err, html)
}

func eval[T any](t *testing.T, ctx context.Context, expr string) T {
	t.Helper()
	v, err := chromedp.Run(ctx, chromedp.Evaluate[T](expr))
	if err != nil {
		t.Fatalf("%s: %v", expr, err)
	}
	return v
}

// screenshots writes the page at phone and desktop widths into
// testdata/screenshots (not tracked), for people to look at.
func screenshots(t *testing.T, ctx context.Context, name string) {
	t.Helper()
	dir := filepath.Join("testdata", "screenshots")
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	for _, size := range [][2]int64{{360, 740}, {1280, 800}} {
		do(t, ctx, "viewport", chromedp.EmulateViewport(size[0], size[1]))
		png, err := chromedp.Run(ctx, chromedp.FullScreenshot(100))
		if err != nil {
			t.Fatal(err)
		}
		file := filepath.Join(dir, name+"-"+map[int64]string{360: "phone", 1280: "desktop"}[size[0]]+".png")
		if err := os.WriteFile(file, png, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	do(t, ctx, "viewport", chromedp.EmulateViewport(1280, 800))
}

// TestBrowser drives chromium through the pages as an admin does: the
// first visit's password, login, a sign-in followed to its end without a
// reload, and a job started elsewhere appearing live.
func TestBrowser(t *testing.T) {
	r := newRig(t)
	ctx := browser(t)
	base := r.tls.URL

	// First visit: the password is chosen, twice.
	do(t, ctx, "first visit", chromedp.Navigate(base+"/"), chromedp.WaitVisible(chromedp.ID("again")))
	screenshots(t, ctx, "setup")
	do(t, ctx, "set the password",
		chromedp.SendKeys(chromedp.ID("password"), testPassword),
		chromedp.SendKeys(chromedp.ID("again"), testPassword),
		chromedp.Submit(chromedp.ID("again")),
		chromedp.WaitVisible(chromedp.CSS(`a[aria-current="page"][href="/"]`)))
	screenshots(t, ctx, "status")

	// Log out, and in again.
	do(t, ctx, "log out", chromedp.Click(chromedp.CSS(".logout button")), chromedp.WaitVisible(chromedp.CSS(`form[action="/login"]`)))
	screenshots(t, ctx, "login")
	do(t, ctx, "log in",
		chromedp.SendKeys(chromedp.ID("password"), testPassword),
		chromedp.Submit(chromedp.ID("password")),
		chromedp.WaitVisible(chromedp.CSS(`a[aria-current="page"][href="/"]`)))

	// Sign in: the code and its QR code shown, the approval followed
	// without a reload.
	do(t, ctx, "sign-in page", chromedp.Navigate(base+"/signin"), chromedp.WaitVisible(chromedp.ID("start-signin")))
	screenshots(t, ctx, "signin")
	do(t, ctx, "start the sign-in", chromedp.Click(chromedp.ID("start-signin")), chromedp.WaitVisible(chromedp.ID("user-code")))
	code, err := chromedp.Run(ctx, chromedp.Text(chromedp.ID("user-code")))
	if err != nil {
		t.Fatal(err)
	}
	waitFor(t, ctx, "the QR code", `document.getElementById("signin-qr").complete && document.getElementById("signin-qr").naturalWidth > 0`)
	waitFor(t, ctx, "the countdown", `/^\d+:\d\d$/.test(document.getElementById("countdown").textContent)`)
	screenshots(t, ctx, "signin-code")
	eval[bool](t, ctx, `window.notReloaded = true`)
	if err := r.ms.IdP.Approve(strings.TrimSpace(code), "scanner@contoso.example"); err != nil {
		t.Fatal(err)
	}
	waitFor(t, ctx, "the account, live", `document.getElementById("signed-in") !== null`)
	if !eval[bool](t, ctx, `window.notReloaded === true`) {
		t.Error("the page was reloaded to show the account")
	}
	if txt := eval[string](t, ctx, `document.getElementById("signed-in").textContent`); !strings.Contains(txt, "scanner@contoso.example") {
		t.Errorf("signed in: %q", txt)
	}
	screenshots(t, ctx, "signin-done")

	// Another account: the page asks first, then signs in with it.
	do(t, ctx, "sign in again", chromedp.Click(chromedp.ID("start-signin")), chromedp.WaitVisible(chromedp.ID("user-code")))
	code = eval[string](t, ctx, `document.getElementById("user-code").textContent`)
	if err := r.ms.IdP.Approve(strings.TrimSpace(code), "other@contoso.example"); err != nil {
		t.Fatal(err)
	}
	waitFor(t, ctx, "the question, live", `document.querySelector("form.confirm") !== null`)
	screenshots(t, ctx, "signin-replace")
	do(t, ctx, "yes, another account", chromedp.Click(chromedp.CSS("form.confirm button")), chromedp.WaitVisible(chromedp.ID("user-code")))
	code = eval[string](t, ctx, `document.getElementById("user-code").textContent`)
	if err := r.ms.IdP.Approve(strings.TrimSpace(code), "other@contoso.example"); err != nil {
		t.Fatal(err)
	}
	waitFor(t, ctx, "the other account, live", `document.getElementById("signed-in") !== null && document.getElementById("signed-in").textContent.includes("other@contoso.example")`)

	// A job started from the API appears on the jobs page by itself.
	do(t, ctx, "jobs page", chromedp.Navigate(base+"/jobs"), chromedp.WaitVisible(chromedp.CSS("h1")))
	eval[bool](t, ctx, `window.notReloaded = true`)
	scanned := make(chan error, 1)
	go func() {
		_, err := r.c.Scan(context.Background(), apitype.ScanRequest{To: []string{"alice@fabrikam.example"}}, nil)
		scanned <- err
	}()
	waitFor(t, ctx, "the job, live", `document.querySelector('#jobs a[href="/jobs/1"]') !== null`)
	if err := <-scanned; err != nil {
		t.Fatal(err)
	}
	waitFor(t, ctx, "the job sent, live", `document.querySelector('#jobs .state-sent') !== null`)
	if !eval[bool](t, ctx, `window.notReloaded === true`) {
		t.Error("the page was reloaded to show the job")
	}
	screenshots(t, ctx, "jobs")
	do(t, ctx, "job page", chromedp.Click(chromedp.CSS(`#jobs a[href="/jobs/1"]`)), chromedp.WaitVisible(chromedp.CSS("pre.log")))
	screenshots(t, ctx, "job")
	do(t, ctx, "status page", chromedp.Navigate(base+"/"), chromedp.WaitVisible(chromedp.CSS(".ready")))
	screenshots(t, ctx, "status-ready")
	do(t, ctx, "certificate page", chromedp.Navigate(base+"/certificate"), chromedp.WaitVisible(chromedp.ID("fingerprint")))
	screenshots(t, ctx, "certificate")
	// Over plain HTTP on loopback (the demo), the same login works.
	do(t, ctx, "plain HTTP", chromedp.Navigate(r.plain.URL+"/"), chromedp.WaitVisible(chromedp.CSS(`form[action="/login"]`)))
	do(t, ctx, "log in over HTTP",
		chromedp.SendKeys(chromedp.ID("password"), testPassword),
		chromedp.Submit(chromedp.ID("password")),
		chromedp.WaitVisible(chromedp.CSS(".ready")))
	do(t, ctx, "password page", chromedp.Navigate(r.plain.URL+"/password"), chromedp.WaitVisible(chromedp.ID("old")))
	screenshots(t, ctx, "password")

	// Exchange Online: the admin-consent link and its QR code.
	for _, kv := range [][2]string{{"provider", "exchange-online"}, {"tenant", "contoso.onmicrosoft.com"}, {"client_id", "11111111-2222-3333-4444-555555555555"}} {
		if _, err := r.dev.SetConfig(kv[0], kv[1]); err != nil {
			t.Fatal(err)
		}
	}
	do(t, ctx, "consent", chromedp.Navigate(r.plain.URL+"/signin"), chromedp.WaitVisible(chromedp.CSS(`img[src="/qr/consent.svg"]`)))
	waitFor(t, ctx, "the consent QR code", `document.querySelector('img[src="/qr/consent.svg"]').naturalWidth > 0`)
	screenshots(t, ctx, "signin-consent")

	// Wrong passwords: the login page says how long the next try waits.
	do(t, ctx, "log out", chromedp.Click(chromedp.CSS(".logout button")), chromedp.WaitVisible(chromedp.CSS(`form[action="/login"]`)))
	for range 10 {
		// The old page is marked, so that the answer is the new page's.
		eval[bool](t, ctx, `window.oldPage = true`)
		do(t, ctx, "a wrong password",
			chromedp.SendKeys(chromedp.ID("password"), "not the password"),
			chromedp.Submit(chromedp.ID("password")))
		waitFor(t, ctx, "the answer", `!window.oldPage && document.readyState === "complete" && document.querySelector(".problem") !== null`)
		if eval[bool](t, ctx, `document.querySelector(".problem").textContent.includes("Too many")`) {
			break
		}
	}
	waitFor(t, ctx, "the wait, counted down", `document.querySelector(".problem [data-until]") !== null && /^\d+:\d\d$/.test(document.querySelector(".problem [data-until]").textContent)`)
	screenshots(t, ctx, "login-locked")
}
