package webui_test

import (
	"context"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
	"github.com/emersion/go-smtp"

	"scanmail/device/apitype"
	"scanmail/mailer/smtptest"
)

// TestBrowserAlertBanner: a refused refresh mails one alert to the admin
// by direct send and puts the alert banner, with what to do and the mail
// sent, on the page open in the browser without a reload (a page that
// does not follow the device otherwise); a second refusal within the
// rate limit counts on the banner and mails nothing. The Acknowledge
// button removes the banner and comes back to the same page.
func TestBrowserAlertBanner(t *testing.T) {
	const upn, admin = "scanner@contoso.example", "admin@contoso.example"
	r := newRig(t)
	r.signIn(t, upn)
	// The organisation's MX endpoint, which takes direct send for
	// contoso.example.
	mx, err := smtptest.Start(smtptest.Options{AcceptedDomains: []string{"contoso.example"}})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { mx.Close() })
	for _, kv := range [][2]string{{"mx.host", "localhost"}, {"mx.port", strconv.Itoa(mx.Port())}, {"mx.ca_bundle", string(mx.CertPEM())}, {"alerts.to", admin}} {
		if _, err := r.dev.SetConfig(kv[0], kv[1]); err != nil {
			t.Fatal(err)
		}
	}
	refuse := func() {
		t.Helper()
		// The account's sessions are revoked; the mail server rejects
		// the access token, and the refresh that follows is refused.
		r.ms.IdP.Revoke(upn)
		r.ms.SMTP.FailNext("auth", &smtp.SMTPError{Code: 535, EnhancedCode: smtp.EnhancedCode{5, 7, 3}, Message: "Authentication unsuccessful"})
		if job, err := r.c.Scan(context.Background(), apitype.ScanRequest{To: []string{"alice@fabrikam.example"}}, nil); err != nil || job.State != apitype.JobQueued {
			t.Fatalf("the job: %+v, %v; want it waiting for a sign-in", job, err)
		}
	}
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

	refuse()
	waitFor(t, ctx, "the banner, live", `document.querySelector('#alerts section[data-kind="signin-ended"]') !== null`)
	waitFor(t, ctx, "the mail, live", `document.querySelector("#alerts section").textContent.includes("Mailed to `+admin+`")`)
	if !eval[bool](t, ctx, `window.notReloaded === true`) {
		t.Error("the page was reloaded to show the banner")
	}
	text := eval[string](t, ctx, `document.querySelector("#alerts section").textContent`)
	for _, want := range []string{"sign-in ended", "Sign in again"} {
		if !strings.Contains(text, want) {
			t.Errorf("the banner lacks %q:\n%s", want, text)
		}
	}
	if eval[string](t, ctx, `location.pathname`) != "/settings" {
		t.Error("not on the settings page any more")
	}
	screenshots(t, ctx, "alert")
	if msgs := mx.Messages(); len(msgs) != 1 || msgs[0].To[0] != admin || !strings.Contains(string(msgs[0].Data), "What to do:") {
		t.Fatalf("%d alert mails, want 1 to %s", len(msgs), admin)
	}

	// Signed in again (the job waiting goes), refused again: counted,
	// not mailed again.
	r.signIn(t, upn)
	for deadline := time.Now().Add(30 * time.Second); ; time.Sleep(20 * time.Millisecond) {
		if job, err := r.c.Job(context.Background(), 1); err == nil && job.State == apitype.JobSent {
			break
		} else if time.Now().After(deadline) {
			t.Fatalf("the job waiting for the sign-in: %+v, %v", job, err)
		}
	}
	refuse()
	waitFor(t, ctx, "counted twice, live", `document.querySelector("#alerts section").textContent.includes("2 times")`)
	if n := len(mx.Messages()); n != 1 {
		t.Fatalf("%d alert mails after a second refusal within the rate limit, want 1", n)
	}

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
