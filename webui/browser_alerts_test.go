package webui_test

import (
	"context"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"
	"github.com/emersion/go-smtp"

	"scanmail/device/apitype"
)

// TestBrowserAlertBanner: a refused refresh puts the alert banner, with
// what to do, on the page open in the browser without a reload (a page
// that does not follow the device otherwise), and its Acknowledge button
// removes it and comes back to the same page.
func TestBrowserAlertBanner(t *testing.T) {
	const upn = "scanner@contoso.example"
	r := newRig(t)
	r.signIn(t, upn)
	ctx := browser(t)
	base := r.tls.URL
	do(t, ctx, "first visit", chromedp.Navigate(base+"/"), chromedp.WaitVisible(chromedp.ID("again")))
	do(t, ctx, "set the password",
		chromedp.SendKeys(chromedp.ID("password"), testPassword),
		chromedp.SendKeys(chromedp.ID("again"), testPassword),
		chromedp.Submit(chromedp.ID("again")),
		chromedp.WaitVisible(chromedp.CSS(`a[aria-current="page"][href="/"]`)))
	do(t, ctx, "settings page", chromedp.Navigate(base+"/settings"), chromedp.WaitVisible(chromedp.CSS("h1")))
	if n := eval[int](t, ctx, `document.querySelectorAll("#alerts section").length`); n != 0 {
		t.Fatalf("%d alerts before anything happened", n)
	}
	eval[bool](t, ctx, `window.notReloaded = true`)

	// The account's sessions are revoked; the mail server rejects the
	// access token, and the refresh that follows is refused.
	r.ms.IdP.Revoke(upn)
	r.ms.SMTP.FailNext("auth", &smtp.SMTPError{Code: 535, EnhancedCode: smtp.EnhancedCode{5, 7, 3}, Message: "Authentication unsuccessful"})
	if job, err := r.c.Scan(context.Background(), apitype.ScanRequest{To: []string{"alice@fabrikam.example"}}, nil); err != nil || job.State != apitype.JobQueued {
		t.Fatalf("the job: %+v, %v; want it waiting for a sign-in", job, err)
	}
	waitFor(t, ctx, "the banner, live", `document.querySelector('#alerts section[data-kind="signin-ended"]') !== null`)
	if !eval[bool](t, ctx, `window.notReloaded === true`) {
		t.Error("the page was reloaded to show the banner")
	}
	text := eval[string](t, ctx, `document.querySelector("#alerts section").textContent`)
	for _, want := range []string{"sign-in ended", "Sign in again", "Not mailed: No address to mail alerts to is set."} {
		if !strings.Contains(text, want) {
			t.Errorf("the banner lacks %q:\n%s", want, text)
		}
	}
	if eval[string](t, ctx, `location.pathname`) != "/settings" {
		t.Error("not on the settings page any more")
	}
	screenshots(t, ctx, "alert")

	// The banner is on every page.
	do(t, ctx, "jobs page", chromedp.Navigate(base+"/jobs"), chromedp.WaitVisible(chromedp.CSS(`#alerts section[data-kind="signin-ended"]`)))
	do(t, ctx, "acknowledge",
		chromedp.Click(chromedp.CSS(`#alerts section[data-kind="signin-ended"] button`)),
		chromedp.WaitVisible(chromedp.CSS(`a[aria-current="page"][href="/jobs"]`)))
	waitFor(t, ctx, "no banner", `document.querySelectorAll("#alerts section").length === 0`)
	st, err := r.c.Status(context.Background())
	if err != nil || len(st.Alerts) != 0 {
		t.Fatalf("after the acknowledgement: alerts %+v, %v", st.Alerts, err)
	}
}
