package webui_test

import (
	"html"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"

	"github.com/emersion/go-smtp"
)

// failAuthLikeExchange makes the fake Microsoft's next AUTH answer as
// Exchange Online does for a tenant with SMTP AUTH turned off.
func (r *rig) failAuthLikeExchange() {
	r.ms.SMTP.FailNext("auth", &smtp.SMTPError{Code: 535, EnhancedCode: smtp.EnhancedCode{5, 7, 139},
		Message: "Authentication unsuccessful, SmtpClientAuthentication is disabled for the Tenant"})
}

func TestConnectionTestPassesAndSends(t *testing.T) {
	r := newRig(t)
	r.signIn(t, "scanner@contoso.example")
	c := r.login(t, r.tls)
	_, body := get(t, c, r.tls.URL+"/test")
	contains(t, body, `id="run-test"`, `id="step-dns"`, `id="step-data"`, "not run")

	res, err := c.PostForm(r.tls.URL+"/test", url.Values{"to": {"alice@fabrikam.example"}})
	if err != nil {
		t.Fatal(err)
	}
	body = readBody(t, res)
	if res.StatusCode != http.StatusOK {
		t.Fatalf("test: %s\n%s", res.Status, body)
	}
	contains(t, body, `id="test-passed"`, `value="alice@fabrikam.example"`)
	for _, step := range []string{"dns", "tcp", "starttls", "tls", "token", "auth", "mail-from", "rcpt", "data"} {
		if !regexp.MustCompile(`id="step-` + step + `" data-state="ok"`).MatchString(body) {
			t.Errorf("step %s not ok:\n%s", step, body)
		}
	}
}

// TestConnectionTestNamesFailingStep: Exchange's 5.7.139 at AUTH is named
// at the auth step, with its words and fix, both in the page answered at
// the end and in the stream the page's script reads.
func TestConnectionTestNamesFailingStep(t *testing.T) {
	r := newRig(t)
	r.signIn(t, "scanner@contoso.example")
	c := r.login(t, r.tls)

	r.failAuthLikeExchange()
	res, err := c.PostForm(r.tls.URL+"/test", url.Values{})
	if err != nil {
		t.Fatal(err)
	}
	body := html.UnescapeString(readBody(t, res))
	contains(t, body, `id="test-failed"`, `The test failed at the step “<a href="#step-auth">Sign-in to the mail server (AUTH)</a>”`, "SMTP AUTH", "Set-CASMailbox",
		`id="step-auth" data-state="failed"`, `id="step-tls" data-state="ok"`, `id="step-mail-from" data-state="skipped"`)

	r.failAuthLikeExchange()
	req, err := http.NewRequest(http.MethodPost, r.tls.URL+"/test", strings.NewReader(""))
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.Header.Set("Accept", "text/event-stream")
	res, err = c.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	stream := html.UnescapeString(readBody(t, res))
	if ct := res.Header.Get("Content-Type"); ct != "text/event-stream" {
		t.Errorf("Content-Type %q", ct)
	}
	// Each step is sent as it starts and as it ends, then the result.
	var order []string
	for _, m := range regexp.MustCompile(`event: (\w+)\ndata: (?:<li id="step-([a-z-]+)" data-state="(\w+)")?`).FindAllStringSubmatch(stream, -1) {
		order = append(order, strings.Trim(m[1]+" "+m[2]+" "+m[3], " "))
	}
	want := []string{"step dns running", "step dns ok", "step tcp running", "step tcp ok", "step starttls running", "step starttls ok",
		"step tls running", "step tls ok", "step token running", "step token ok", "step auth running", "step auth failed"}
	if len(order) < len(want) || strings.Join(order[:len(want)], ",") != strings.Join(want, ",") || order[len(order)-1] != "result" {
		t.Errorf("events:\n%s", strings.Join(order, "\n"))
	}
	contains(t, stream, "event: result\ndata: <div class=\"problem\" role=\"alert\" id=\"test-failed\">", "Set-CASMailbox")
}

// TestConnectionTestNotSignedIn: a device never signed in fails the test
// with a way to the sign-in.
func TestConnectionTestNotSignedIn(t *testing.T) {
	r := newRig(t)
	c := r.login(t, r.tls)
	res, err := c.PostForm(r.tls.URL+"/test", url.Values{})
	if err != nil {
		t.Fatal(err)
	}
	body := readBody(t, res)
	contains(t, body, `id="test-failed"`, `<a class="button" href="/signin" id="fix-signin">Sign in</a>`)
}
