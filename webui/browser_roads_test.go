package webui_test

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/chromedp/cdproto/page"
	"github.com/chromedp/chromedp"

	"scanmail/device/apitype"
	"scanmail/device/localclient"
)

// TestBrowserRoads drives chromium through the roads as an admin does:
// the password road chosen on the settings page shows its settings (and,
// with Exchange Online, the warning on Microsoft retiring password
// sign-in), the password saved is never on the page and kept when left
// empty; the connection test suggests another road; connector
// certificates refused in the device's words, a good one shown and
// removed; the status page's road.
func TestBrowserRoads(t *testing.T) {
	r := newRig(t)
	r.signIn(t, "scanner@contoso.example")
	bg := context.Background()
	if _, err := r.api.SetPassword(bg, "", testPassword); err != nil {
		t.Fatal(err)
	}
	ctx := browser(t)
	base := r.tls.URL
	do(t, ctx, "log in", chromedp.Navigate(base+"/login"),
		chromedp.SendKeys(chromedp.ID("password"), testPassword),
		chromedp.Submit(chromedp.ID("password")),
		chromedp.WaitVisible(chromedp.CSS(`a[aria-current="page"][href="/"]`)))

	// The password road: its settings appear when it is chosen.
	do(t, ctx, "settings page", chromedp.Navigate(base+"/settings"), chromedp.WaitVisible(chromedp.ID("road-compare")))
	screenshots(t, ctx, "settings-roads")
	visible := func(id string) bool {
		return eval[bool](t, ctx, `document.getElementById("`+id+`").offsetParent !== null`)
	}
	if visible("s-password-username") || visible("s-password-secret") {
		t.Error("the password road's settings are shown on the OAuth road")
	}
	do(t, ctx, "choose the password road", chromedp.Click(chromedp.ID("road-password")))
	waitFor(t, ctx, "the password settings shown", `document.getElementById("s-password-secret").offsetParent !== null && document.getElementById("s-password-username").offsetParent !== null`)
	if visible("basic-auth-warning") || !visible("gmail-note") {
		t.Error("with the custom provider: the Exchange warning shown, or the Gmail note hidden")
	}
	chooseProvider := func(p string) {
		t.Helper()
		do(t, ctx, "choose "+p, chromedp.SetValue(chromedp.ID("s-provider"), p),
			chromedp.Evaluate[chromedp.Void](`document.getElementById("s-provider").dispatchEvent(new Event("change", {bubbles: true}))`))
	}
	chooseProvider("exchange-online")
	waitFor(t, ctx, "the warning for Exchange Online", `document.getElementById("basic-auth-warning").offsetParent !== null && document.getElementById("gmail-note").offsetParent === null`)
	if txt := eval[string](t, ctx, `document.getElementById("basic-auth-warning").textContent`); !strings.Contains(txt, "end of 2026") || !strings.Contains(txt, "2027") {
		t.Errorf("the warning: %q", txt)
	}
	do(t, ctx, "to the roads", chromedp.Evaluate[chromedp.Void](`document.getElementById("roads").scrollIntoView()`))
	screenshots(t, ctx, "settings-password-exchange")
	chooseProvider("custom")

	// Saved: the password is never on the page after.
	const secret = "gmail app password 4242"
	do(t, ctx, "the user name and password",
		chromedp.SendKeys(chromedp.ID("s-password-username"), "scanner@contoso.example"),
		chromedp.SendKeys(chromedp.ID("s-password-secret"), secret))
	eval[bool](t, ctx, `window.oldPage = true`)
	do(t, ctx, "save", chromedp.Click(chromedp.ID("save-settings")))
	waitFor(t, ctx, "saved", `!window.oldPage && document.readyState === "complete" && document.querySelector("p.ready") !== null`)
	if html := eval[string](t, ctx, `document.documentElement.outerHTML`); strings.Contains(html, secret) {
		t.Error("the password is in the page after saving")
	}
	if v := eval[string](t, ctx, `document.getElementById("s-password-secret").value`); v != "" {
		t.Errorf("the password field holds %q", v)
	}
	if txt := eval[string](t, ctx, `document.getElementById("s-password-secret-now").textContent`); !strings.Contains(txt, "set") {
		t.Errorf("the password's state: %q", txt)
	}
	if got := r.settingValue(t, "road"); got != apitype.RoadPassword {
		t.Errorf("road = %q", got)
	}
	screenshots(t, ctx, "settings-password")
	// Saved again with the field left empty: kept.
	do(t, ctx, "another subject", chromedp.SetValue(chromedp.ID("s-subject"), "Scans from the 2nd floor"))
	eval[bool](t, ctx, `window.oldPage = true`)
	do(t, ctx, "save again", chromedp.Click(chromedp.ID("save-settings")))
	waitFor(t, ctx, "saved again", `!window.oldPage && document.readyState === "complete" && document.querySelector("p.ready") !== null`)
	if got := r.settingValue(t, "password.secret"); got == "" {
		t.Error("the password left empty on the form was cleared")
	}
	if got := r.settingValue(t, "subject"); got != "Scans from the 2nd floor" {
		t.Errorf("subject = %q", got)
	}

	// Direct send and relay show the MX endpoint's settings instead;
	// relay, the way to the connector's certificate.
	do(t, ctx, "choose direct send", chromedp.Click(chromedp.ID("road-direct")))
	waitFor(t, ctx, "the MX settings shown", `document.getElementById("s-mx-host").offsetParent !== null && document.getElementById("s-mx-accepted_domains").offsetParent !== null && document.getElementById("s-password-secret").offsetParent === null`)
	screenshots(t, ctx, "settings-direct")
	do(t, ctx, "choose relay", chromedp.Click(chromedp.ID("road-relay")))
	waitFor(t, ctx, "the connector's certificate note", `document.getElementById("relay-note").offsetParent !== null && document.getElementById("s-mx-host").offsetParent !== null`)

	// The status page names the road.
	do(t, ctx, "status page", chromedp.Navigate(base+"/"), chromedp.WaitVisible(chromedp.ID("road")))
	if txt := eval[string](t, ctx, `document.getElementById("road").textContent`); !strings.Contains(strings.ToLower(txt), "password") {
		t.Errorf("the road on the status page: %q", txt)
	}
	screenshots(t, ctx, "status-road")
	// With Exchange Online, the device's standing warning.
	if _, err := r.c.SetConfigs(bg, []apitype.SettingValue{{Key: "provider", Value: "exchange-online"}, {Key: "password.basic_auth_ok", Value: "yes"}}); err != nil {
		t.Fatal(err)
	}
	do(t, ctx, "status page with Exchange Online", chromedp.Navigate(base+"/"), chromedp.WaitVisible(chromedp.ID("road-warning")))
	if txt := eval[string](t, ctx, `document.getElementById("road-warning").textContent`); !strings.Contains(txt, "2026") {
		t.Errorf("the road's warning: %q", txt)
	}
	screenshots(t, ctx, "status-road-warning")
	if _, err := r.c.SetConfig(bg, "provider", "custom"); err != nil {
		t.Fatal(err)
	}

	// The connection test on the OAuth road, SMTP AUTH off as Exchange
	// answers: another road is suggested, and the link marks it.
	if _, err := r.c.SetConfig(bg, "road", apitype.RoadOAuth); err != nil {
		t.Fatal(err)
	}
	r.failAuthLikeExchange()
	do(t, ctx, "test page", chromedp.Navigate(base+"/test"), chromedp.WaitVisible(chromedp.ID("run-test")),
		chromedp.Click(chromedp.ID("run-test")))
	waitFor(t, ctx, "the road suggested", `document.getElementById("suggest-road") !== null`)
	screenshots(t, ctx, "test-suggest")
	do(t, ctx, "to the roads", chromedp.Click(chromedp.ID("fix-road")), chromedp.WaitVisible(chromedp.ID("suggested")))
	if !strings.HasSuffix(eval[string](t, ctx, `location.href`), "#roads") {
		t.Errorf("at %s", eval[string](t, ctx, `location.href`))
	}
	screenshots(t, ctx, "settings-suggested")

	// The connector's certificate: refused in the device's words, then
	// a good one shown and removed.
	r.relayRoad(t)
	good, refused := relayCerts(t)
	dir := t.TempDir()
	do(t, ctx, "certificate page", chromedp.Navigate(base+"/certificate#relay"), chromedp.WaitVisible(chromedp.ID("relay-none")))
	for _, what := range []string{"expired", "another domain", "wrong key"} {
		rc := refused[what]
		_, err := r.c.InstallRelayCert(bg, apitype.RelayCertInstall{Cert: string(rc.cert), Key: string(rc.key)})
		e, ok := err.(*localclient.Error)
		if !ok {
			t.Fatalf("%s: the device answers %v", what, err)
		}
		certFile, keyFile := filepath.Join(dir, "connector.pem"), filepath.Join(dir, "connector.key")
		os.WriteFile(certFile, rc.cert, 0o600)
		os.WriteFile(keyFile, rc.key, 0o600)
		eval[bool](t, ctx, `window.oldPage = true`)
		do(t, ctx, "upload "+what, chromedp.SetUploadFiles(chromedp.ID("relay_cert"), []string{certFile}),
			chromedp.SetUploadFiles(chromedp.ID("relay_key"), []string{keyFile}), chromedp.Click(chromedp.ID("relay-install")))
		waitFor(t, ctx, "refused: "+what, `!window.oldPage && document.readyState === "complete" && document.querySelector("#relay .problem") !== null`)
		if txt := eval[string](t, ctx, `document.querySelector("#relay .problem").textContent`); !strings.Contains(txt, e.Message) || !strings.Contains(txt, e.Hint) {
			t.Errorf("%s: the page says %q, the device %q %q", what, txt, e.Message, e.Hint)
		}
		if what == "another domain" {
			screenshots(t, ctx, "relay-cert-refused")
		}
	}
	eval[bool](t, ctx, `window.oldPage = true`)
	do(t, ctx, "paste a good one", chromedp.SetValue(chromedp.ID("relay_cert_pem"), string(good.cert)),
		chromedp.SetValue(chromedp.ID("relay_key_pem"), string(good.key)), chromedp.Click(chromedp.ID("relay-install")))
	waitFor(t, ctx, "installed", `!window.oldPage && document.getElementById("relay-installed") !== null`)
	if txt := eval[string](t, ctx, `document.getElementById("relay-fingerprint").textContent`); !strings.EqualFold(strings.TrimSpace(txt), fingerprint(good.der)) {
		t.Errorf("the fingerprint shown: %q", txt)
	}
	if html := eval[string](t, ctx, `document.documentElement.outerHTML`); strings.Contains(html, strings.Split(string(good.key), "\n")[1]) {
		t.Error("the key is in the page")
	}
	screenshots(t, ctx, "relay-cert")
	// Removing asks first.
	dctx, stopDialogs := context.WithCancel(ctx)
	asked := make(chan string, 1)
	go func() {
		for ev, err := range chromedp.Events(dctx, page.JavascriptDialogOpening) {
			if err != nil {
				return
			}
			asked <- ev.Message
			chromedp.Call(ctx, page.HandleJavaScriptDialog, page.HandleJavaScriptDialogParams{Accept: true})
		}
	}()
	do(t, ctx, "remove it", chromedp.Click(chromedp.ID("relay-remove")), chromedp.WaitVisible(chromedp.ID("relay-removed")))
	stopDialogs()
	if q := <-asked; !strings.HasPrefix(q, "Remove the connector certificate?") {
		t.Errorf("asked %q", q)
	}
	if rc, err := r.c.RelayCert(bg); err != nil || rc.Installed {
		t.Errorf("after the removal: %+v %v", rc, err)
	}
}
