package webui_test

import (
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/chromedp/cdproto/page"
	"github.com/chromedp/chromedp"

	"scanmail/device/apitype"
)

// TestBrowserSettingsPages drives chromium through the settings, the
// connection test (its steps shown live as the device reports them), the
// address book, the Quick Sets and the configuration pages, with
// screenshots of each.
func TestBrowserSettingsPages(t *testing.T) {
	r := newRig(t)
	r.signIn(t, "scanner@contoso.example")
	bg := context.Background()
	if _, err := r.api.SetPassword(bg, "", testPassword); err != nil {
		t.Fatal(err)
	}
	for _, e := range []apitype.BookEntry{
		{Name: "Alice Martin", Address: "alice@fabrikam.example", Favourite: true, Groups: []string{"Sales"}},
		{Name: "Bob Durand", Address: "bob.durand.accounts-payable@fabrikam.example", Groups: []string{"Accounts", "Paris"}},
		{Name: "<script>alert(1)</script>", Address: "mallory@fabrikam.example"},
		{Name: "Dan Leaving", Address: "dan@fabrikam.example"},
	} {
		if _, err := r.c.PutBookEntry(bg, e); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := r.c.PutQuickSet(bg, apitype.QuickSet{Name: "Invoices", To: []string{"ap@fabrikam.example"}, Groups: []string{"Accounts"},
		Options: apitype.ScanOptions{Mode: "gray8", DPI: 200, Subject: "Invoices {date}"}}); err != nil {
		t.Fatal(err)
	}
	ctx := browser(t)
	base := r.tls.URL
	do(t, ctx, "log in", chromedp.Navigate(base+"/login"),
		chromedp.SendKeys(chromedp.ID("password"), testPassword),
		chromedp.Submit(chromedp.ID("password")),
		chromedp.WaitVisible(chromedp.CSS(`a[aria-current="page"][href="/"]`)))

	// Settings: choosing another provider shows its fields only.
	do(t, ctx, "settings page", chromedp.Navigate(base+"/settings"), chromedp.WaitVisible(chromedp.ID("save-settings")))
	screenshots(t, ctx, "settings")
	if eval[bool](t, ctx, `document.getElementById("s-tenant").offsetParent !== null`) {
		t.Error("the tenant is shown for the custom provider")
	}
	do(t, ctx, "choose Exchange Online", chromedp.SetValue(chromedp.ID("s-provider"), "exchange-online"),
		chromedp.Evaluate[chromedp.Void](`document.getElementById("s-provider").dispatchEvent(new Event("change", {bubbles: true}))`))
	waitFor(t, ctx, "the tenant shown", `document.getElementById("s-tenant").offsetParent !== null && document.getElementById("s-custom-smtp_host").offsetParent === null`)
	do(t, ctx, "back to custom", chromedp.SetValue(chromedp.ID("s-provider"), "custom"),
		chromedp.Evaluate[chromedp.Void](`document.getElementById("s-provider").dispatchEvent(new Event("change", {bubbles: true}))`))
	// A refused value, shown beside its field.
	do(t, ctx, "a refused value", chromedp.SetValue(chromedp.ID("s-panel-idle_seconds"), "5"),
		chromedp.Click(chromedp.ID("save-settings")), chromedp.WaitVisible(chromedp.ID("s-panel-idle_seconds-problem")))
	screenshots(t, ctx, "settings-refused")

	// The connection test, failing at AUTH as Exchange does with SMTP
	// AUTH off: each step is shown as it ends, without a reload.
	do(t, ctx, "test page", chromedp.Navigate(base+"/test"), chromedp.WaitVisible(chromedp.ID("run-test")))
	screenshots(t, ctx, "test")
	eval[bool](t, ctx, `window.notReloaded = true`)
	// Each list item swapped in is noted, to see the steps come one by
	// one, each running first.
	eval[bool](t, ctx, `window.seen = []; new MutationObserver(function (ms) { ms.forEach(function (m) { m.addedNodes.forEach(function (n) {
		if (n.id) { window.seen.push(n.id + ":" + n.getAttribute("data-state")); } }); }); }).observe(document.getElementById("steps"), {childList: true}); true`)
	r.failAuthLikeExchange()
	do(t, ctx, "run the test", chromedp.Click(chromedp.ID("run-test")))
	waitFor(t, ctx, "the auth step failed, live", `document.querySelector('#step-auth[data-state="failed"]') !== null && document.getElementById("test-failed") !== null`)
	if !eval[bool](t, ctx, `window.notReloaded === true`) {
		t.Error("the page was reloaded to show the steps")
	}
	if txt := eval[string](t, ctx, `document.getElementById("test-failed").textContent`); !strings.Contains(txt, "AUTH") || !strings.Contains(txt, "Set-CASMailbox") {
		t.Errorf("the failure: %q", txt)
	}
	if seen := eval[string](t, ctx, `window.seen.join(" ")`); !strings.HasPrefix(seen, "step-dns:running step-dns:ok step-tcp:running") || !strings.Contains(seen, "step-token:ok step-auth:running step-auth:failed") {
		t.Errorf("the steps as shown: %s", seen)
	}
	if got := eval[string](t, ctx, `document.querySelector("#step-tls").getAttribute("data-state")`); got != "ok" {
		t.Errorf("the tls step: %s", got)
	}
	screenshots(t, ctx, "test-failed")

	// The address book: markup in a name stays text.
	do(t, ctx, "address book", chromedp.Navigate(base+"/book"), chromedp.WaitVisible(chromedp.ID("book")))
	if n := eval[int](t, ctx, `document.querySelectorAll("main script").length`); n != 0 {
		t.Errorf("%d scripts in the address book", n)
	}
	if !eval[bool](t, ctx, `document.getElementById("book").textContent.includes("<script>alert(1)</script>")`) {
		t.Error("the name with markup is not shown as text")
	}
	screenshots(t, ctx, "book")
	// Deleting asks first.
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
	do(t, ctx, "delete Dan", chromedp.Click(chromedp.CSS(`button[aria-label="Delete Dan Leaving"]`)), chromedp.WaitVisible(chromedp.CSS("p.ready")))
	stopDialogs()
	if q := <-asked; q != "Delete Dan Leaving from the address book?" {
		t.Errorf("asked %q", q)
	}
	if eval[bool](t, ctx, `document.getElementById("book").textContent.includes("Dan Leaving")`) {
		t.Error("Dan is still listed")
	}
	do(t, ctx, "quick sets", chromedp.Navigate(base+"/quicksets"), chromedp.WaitVisible(chromedp.ID("quicksets")))
	screenshots(t, ctx, "quicksets")
	do(t, ctx, "configuration", chromedp.Navigate(base+"/config"), chromedp.WaitVisible(chromedp.ID("export-config")))
	screenshots(t, ctx, "config")

	// Imports are checked first: what would change is shown.
	cfg, err := r.c.ExportConfig(bg)
	if err != nil {
		t.Fatal(err)
	}
	cfg.Settings["subject"] = "From the 3rd floor"
	cfg.Book = append(cfg.Book, apitype.BookEntry{Name: "Carol", Address: "carol@fabrikam.example"})
	dir := t.TempDir()
	cfgFile, bookFile := filepath.Join(dir, "scanmail-config.json"), filepath.Join(dir, "book.csv")
	b, _ := json.Marshal(cfg)
	os.WriteFile(cfgFile, b, 0o600)
	os.WriteFile(bookFile, []byte("name,address,favourite,groups\nCarol,carol@fabrikam.example,no,\nDan,not-an-address,no,\n"), 0o600)
	do(t, ctx, "check a configuration", chromedp.SetUploadFiles(chromedp.ID("file"), []string{cfgFile}),
		chromedp.Click(chromedp.ID("check-config")), chromedp.WaitVisible(chromedp.ID("confirm-import")))
	screenshots(t, ctx, "config-check")
	do(t, ctx, "check an address book", chromedp.Navigate(base+"/book"), chromedp.SetUploadFiles(chromedp.ID("file"), []string{bookFile}),
		chromedp.Click(chromedp.ID("check-import")), chromedp.WaitVisible(chromedp.ID("import-errors")))
	screenshots(t, ctx, "book-import-errors")

	// A device address that is not the account: said, with the fix.
	if _, err := r.c.SetConfig(bg, "device_address", "other@contoso.example"); err != nil {
		t.Fatal(err)
	}
	do(t, ctx, "settings with the address warning", chromedp.Navigate(base+"/settings"), chromedp.WaitVisible(chromedp.ID("address-warning")))
	screenshots(t, ctx, "settings-warning")
	do(t, ctx, "the fix", chromedp.Click(chromedp.ID("use-account")), chromedp.WaitVisible(chromedp.CSS("p.ready")))
	if eval[bool](t, ctx, `document.getElementById("address-warning") !== null`) {
		t.Error("the warning stays after the fix")
	}
}
