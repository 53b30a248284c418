package webui_test

import (
	"testing"

	"github.com/chromedp/chromedp"
)

// TestBrowserSettingSurvivesRestart: a setting changed on the page is
// kept by the device: after the daemon restarts, the page (still logged
// in, the session being in the state file) shows it.
func TestBrowserSettingSurvivesRestart(t *testing.T) {
	r := newRig(t)
	ctx := browser(t)
	base := r.tls.URL
	do(t, ctx, "first visit", chromedp.Navigate(base+"/"),
		chromedp.SendKeys(chromedp.ID("password"), testPassword),
		chromedp.SendKeys(chromedp.ID("again"), testPassword),
		chromedp.Submit(chromedp.ID("again")),
		chromedp.WaitVisible(chromedp.CSS(`a[aria-current="page"][href="/"]`)))

	const subject = "Scans from the 3rd floor, {pages} page(s)"
	do(t, ctx, "settings page", chromedp.Navigate(base+"/settings"), chromedp.WaitVisible(chromedp.ID("save-settings")))
	do(t, ctx, "change the subject",
		chromedp.SetValue(chromedp.ID("s-subject"), subject),
		chromedp.Click(chromedp.ID("save-settings")))
	waitFor(t, ctx, "the settings saved", `location.search === "?saved" && document.querySelector("p.ready[role=status]") !== null`)

	r.restart(t)
	do(t, ctx, "settings page after the restart", chromedp.Navigate(base+"/settings"), chromedp.WaitVisible(chromedp.ID("save-settings")))
	if got := eval[string](t, ctx, `document.getElementById("s-subject").value`); got != subject {
		t.Errorf("after the restart the subject reads %q, want %q", got, subject)
	}
	if st, err := r.c.Config(t.Context()); err != nil {
		t.Fatal(err)
	} else {
		for _, s := range st.Settings {
			if s.Key == "subject" && s.Value != subject {
				t.Errorf("the device's subject is %q", s.Value)
			}
		}
	}
}
