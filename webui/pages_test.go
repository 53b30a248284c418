package webui_test

import (
	"bytes"
	"context"
	"crypto/x509"
	"encoding/pem"
	"fmt"
	"mime/multipart"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"
	"time"

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
	contains(t, body, "Not ready", r.certs.Fingerprint(), `href="/jobs"`)
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

	res, err := c.PostForm(r.plain.URL+"/password", url.Values{"old": {testPassword}, "new": {"another long passphrase"}, "again": {"another long passphrase"}})
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

	res, err = c.PostForm(r.plain.URL+"/login", url.Values{"password": {"another long passphrase"}})
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

func TestCertificatePage(t *testing.T) {
	r := newRig(t)
	c := r.login(t, r.tls)
	_, body := get(t, c, r.tls.URL+"/certificate")
	contains(t, body, r.certs.Fingerprint(), "this device (self-signed)", `<label for="cert">`)

	res, csrPEM := get(t, c, r.tls.URL+"/certificate/request.csr")
	block, _ := pem.Decode([]byte(csrPEM))
	if res.StatusCode != http.StatusOK || block == nil {
		t.Fatalf("CSR: %s %q", res.Status, csrPEM)
	}
	csr, err := x509.ParseCertificateRequest(block.Bytes)
	if err != nil {
		t.Fatal(err)
	}
	ca := newTestCA(t)
	upload := func(cert []byte) (*http.Response, string) {
		var buf bytes.Buffer
		mw := multipart.NewWriter(&buf)
		fw, _ := mw.CreateFormFile("cert", "web.pem")
		fw.Write(cert)
		mw.Close()
		res, err := c.Post(r.tls.URL+"/certificate", mw.FormDataContentType(), &buf)
		if err != nil {
			t.Fatal(err)
		}
		return res, readBody(t, res)
	}
	// Not for the name this page is reached by (127.0.0.1): refused.
	res, body = upload(ca.issue(t, csr.PublicKey, []string{"elsewhere.example"}, time.Now().Add(-time.Hour), time.Now().Add(time.Hour)))
	if res.StatusCode != http.StatusBadRequest {
		t.Errorf("a certificate for another name: %s", res.Status)
	}
	contains(t, body, "not for 127.0.0.1")

	res, body = upload(ca.issue(t, csr.PublicKey, []string{"127.0.0.1"}, time.Now().Add(-time.Hour), time.Now().Add(time.Hour)))
	if res.Request.URL.RawQuery != "installed" {
		t.Fatalf("upload: %s\n%s", res.Status, body)
	}
	contains(t, body, "The certificate is installed", "Contoso CA", r.certs.Fingerprint())
}

// TestCancelWaitingJob: a job waiting on the glass for the next page is
// canceled from its page.
func TestCancelWaitingJob(t *testing.T) {
	r := newRig(t)
	r.signIn(t, "scanner@contoso.example")
	waiting := make(chan uint64, 1)
	ended := make(chan apitype.Job, 1)
	go func() {
		job, _ := r.c.Scan(context.Background(), apitype.ScanRequest{To: []string{"someone@example.com"}, Flatbed: true}, func(ev apitype.JobEvent) {
			if ev.Job.MorePages {
				select {
				case waiting <- ev.Job.ID:
				default:
				}
			}
		})
		ended <- job
	}()
	id := <-waiting
	c := r.login(t, r.plain)
	_, body := get(t, c, fmt.Sprintf("%s/jobs/%d", r.plain.URL, id))
	contains(t, body, fmt.Sprintf(`action="/jobs/%d/cancel"`, id))
	res, err := c.PostForm(fmt.Sprintf("%s/jobs/%d/cancel", r.plain.URL, id), nil)
	if err != nil {
		t.Fatal(err)
	}
	readBody(t, res)
	if job := <-ended; job.State != apitype.JobCanceled {
		t.Errorf("job %s after cancel", job.State)
	}
	_, body = get(t, c, fmt.Sprintf("%s/jobs/%d", r.plain.URL, id))
	contains(t, body, "state-canceled")
	if strings.Contains(body, "/cancel\"") {
		t.Error("a canceled job offers cancel")
	}
}

// TestLoginBackOff: wrong passwords hold the next try back, and the page
// says how long, in words.
func TestLoginBackOff(t *testing.T) {
	r := newRig(t)
	r.needWebRoutes(t)
	r.login(t, r.plain)
	c := r.client(t, r.plain)
	var body string
	for range 10 {
		res, err := c.PostForm(r.plain.URL+"/login", url.Values{"password": {"wrong"}})
		if err != nil {
			t.Fatal(err)
		}
		body = readBody(t, res)
		if strings.Contains(body, "Too many wrong passwords") {
			break
		}
	}
	contains(t, body, "Too many wrong passwords", "Next try in <time", "data-until=")
}

// TestAdminConsentLink: for Exchange Online the sign-in page has the
// admin-consent link of the tenant and app, and its QR code.
func TestAdminConsentLink(t *testing.T) {
	r := newRig(t)
	c := r.login(t, r.tls)
	_, body := get(t, c, r.tls.URL+"/signin")
	if strings.Contains(body, "adminconsent") {
		t.Error("a consent link for the custom provider")
	}
	for _, kv := range [][2]string{{"provider", "exchange-online"}, {"tenant", "contoso.onmicrosoft.com"}, {"client_id", "11111111-2222-3333-4444-555555555555"}} {
		if _, err := r.dev.SetConfig(kv[0], kv[1]); err != nil {
			t.Fatal(err)
		}
	}
	_, body = get(t, c, r.tls.URL+"/signin")
	contains(t, body, `href="https://login.microsoftonline.com/contoso.onmicrosoft.com/adminconsent?client_id=11111111-2222-3333-4444-555555555555"`, `src="/qr/consent.svg"`)
	res, svg := get(t, c, r.tls.URL+"/qr/consent.svg")
	if res.StatusCode != http.StatusOK || !strings.HasPrefix(svg, "<svg") {
		t.Errorf("consent QR code: %s", res.Status)
	}
}
