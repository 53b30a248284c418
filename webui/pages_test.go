package webui_test

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"

	"scanmail/device/apitype"
)

func TestFirstVisitSetsPassword(t *testing.T) {
	r := newRig(t)
	c := r.client(t, r.tls)
	res, body := get(t, c, r.tls.URL+"/")
	if res.Request.URL.Path != "/login" {
		t.Fatalf("first visit at %s, want /login", res.Request.URL.Path)
	}
	contains(t, body, "Set the admin password", `name="again"`, `<label for="password">`)

	res, err := c.PostForm(r.tls.URL+"/setup", url.Values{"password": {"one"}, "again": {"two"}})
	if err != nil {
		t.Fatal(err)
	}
	body = readBody(t, res)
	if res.StatusCode != http.StatusBadRequest {
		t.Errorf("two passwords that differ: %s", res.Status)
	}
	contains(t, body, "The two passwords differ.")

	c = r.login(t, r.tls)
	_, body = get(t, c, r.tls.URL+"/")
	contains(t, body, "Not ready", "AA:BB", `href="/jobs"`)
	if strings.Contains(body, testPassword) {
		t.Error("the password is on the page")
	}

	// Later visits log in, and a wrong password says so.
	c = r.client(t, r.tls)
	_, body = get(t, c, r.tls.URL+"/")
	contains(t, body, "Admin password", `action="/login"`)
	res, err = c.PostForm(r.tls.URL+"/login", url.Values{"password": {"wrong"}})
	if err != nil {
		t.Fatal(err)
	}
	body = readBody(t, res)
	if res.StatusCode != http.StatusUnauthorized {
		t.Errorf("wrong password: %s", res.Status)
	}
	contains(t, body, "not the admin password")
}

func TestLogoutAndPasswordChangeEndSessions(t *testing.T) {
	r := newRig(t)
	c := r.login(t, r.plain)
	other := r.login(t, r.plain)

	res, err := c.PostForm(r.plain.URL+"/password", url.Values{"old": {testPassword}, "new": {"new one"}, "again": {"new one"}})
	if err != nil {
		t.Fatal(err)
	}
	body := readBody(t, res)
	if res.Request.URL.Path != "/login" {
		t.Fatalf("after the change at %s:\n%s", res.Request.URL.Path, body)
	}
	contains(t, body, "every session has ended")
	res, _ = get(t, other, r.plain.URL+"/jobs")
	if res.Request.URL.Path != "/login" {
		t.Errorf("another session after the change: at %s, want /login", res.Request.URL.Path)
	}

	res, err = c.PostForm(r.plain.URL+"/login", url.Values{"password": {"new one"}})
	if err != nil {
		t.Fatal(err)
	}
	readBody(t, res)
	res, err = c.PostForm(r.plain.URL+"/logout", nil)
	if err != nil {
		t.Fatal(err)
	}
	readBody(t, res)
	res, _ = get(t, c, r.plain.URL+"/")
	if res.Request.URL.Path != "/login" {
		t.Errorf("after logout at %s, want /login", res.Request.URL.Path)
	}
}

var codeRE = regexp.MustCompile(`id="user-code">([^<]+)<`)

func TestSignInPage(t *testing.T) {
	r := newRig(t)
	c := r.login(t, r.tls)
	_, body := get(t, c, r.tls.URL+"/signin")
	contains(t, body, "no account yet", `id="start-signin"`)

	res, err := c.PostForm(r.tls.URL+"/signin", nil)
	if err != nil {
		t.Fatal(err)
	}
	body = readBody(t, res)
	m := codeRE.FindStringSubmatch(body)
	if m == nil {
		t.Fatalf("no code on the page:\n%s", body)
	}
	contains(t, body, "127.0.0.1", `src="/qr/signin.svg`, `data-until="`)

	res, svg := get(t, c, r.tls.URL+"/qr/signin.svg")
	if ct := res.Header.Get("Content-Type"); ct != "image/svg+xml" || !strings.HasPrefix(svg, "<svg") || strings.Contains(svg, "style") {
		t.Errorf("QR code: %s %q…", ct, svg[:min(len(svg), 80)])
	}

	if err := r.ms.IdP.Approve(m[1], "scanner@contoso.example"); err != nil {
		t.Fatal(err)
	}
	waitSignIn(t, r, apitype.SignInDone)
	_, body = get(t, c, r.tls.URL+"/signin")
	contains(t, body, "Signed in as <strong>scanner@contoso.example</strong>")

	// Another account is not taken without a yes.
	res, err = c.PostForm(r.tls.URL+"/signin", nil)
	if err != nil {
		t.Fatal(err)
	}
	body = readBody(t, res)
	m = codeRE.FindStringSubmatch(body)
	if m == nil {
		t.Fatalf("no code on the page:\n%s", body)
	}
	r.ms.IdP.Approve(m[1], "other@contoso.example")
	waitSignIn(t, r, apitype.SignInFailed)
	_, body = get(t, c, r.tls.URL+"/signin")
	contains(t, body, "Make another account the device", `name="replace" value="1"`)
}

// waitSignIn waits for the device's sign-in to reach state, by its watch.
func waitSignIn(t *testing.T, r *rig, state string) {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	r.c.Watch(ctx, func(n apitype.Notify) {
		if n.Status != nil && n.Status.SignIn.State == state || n.SignIn != nil && n.SignIn.State == state {
			cancel()
		}
	})
}

func TestJobsPages(t *testing.T) {
	r := newRig(t)
	r.signIn(t, "scanner@contoso.example")
	job, err := r.c.Scan(context.Background(), apitype.ScanRequest{To: []string{"someone@example.com"}}, nil)
	if err != nil || job.State != apitype.JobSent {
		t.Fatalf("scan: %v %+v", err, job)
	}
	c := r.login(t, r.plain)
	_, body := get(t, c, r.plain.URL+"/jobs")
	contains(t, body, fmt.Sprintf(`href="/jobs/%d"`, job.ID), "someone@example.com", "state-sent")
	_, body = get(t, c, r.plain.URL+"/jobs?state=failed")
	contains(t, body, "No job failed.")
	_, body = get(t, c, fmt.Sprintf("%s/jobs/%d", r.plain.URL, job.ID))
	contains(t, body, "SMTP session", "MAIL FROM")

	// Resending a sent job: the device's words say why not.
	res, err := c.PostForm(fmt.Sprintf("%s/jobs/%d/resend", r.plain.URL, job.ID), nil)
	if err != nil {
		t.Fatal(err)
	}
	body = readBody(t, res)
	if res.StatusCode != http.StatusConflict {
		t.Errorf("resend of a sent job: %s", res.Status)
	}
	contains(t, body, `class="problem"`)
}
