package main

import (
	"crypto/tls"
	"io"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"scanmail/webui"
)

// TestDemoWebPages: the demo serves the web pages over plain HTTP on
// loopback and its guide names their address.
func TestDemoWebPages(t *testing.T) {
	dir := t.TempDir()
	d := start(t, dir, "-demo", "-display", "none", "-web", "127.0.0.1:0")
	m := regexp.MustCompile(`web pages: (http://127\.0\.0\.1:\d+)`).FindStringSubmatch(d.expect("admin's web pages"))
	if m == nil {
		t.Fatalf("no web address in the guide:\n%s", strings.Join(d.seen, "\n"))
	}
	res, err := http.Get(m[1] + "/login")
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(res.Body)
	res.Body.Close()
	if res.TLS != nil || !strings.Contains(string(body), "scanmail") {
		t.Errorf("GET /login: %s\n%s", res.Status, body)
	}
	d.stop()
}

// TestWebPagesHTTPS: off loopback the pages are served over HTTPS with a
// certificate made on the first start and kept across restarts.
func TestWebPagesHTTPS(t *testing.T) {
	dir := t.TempDir()
	db := filepath.Join(dir, "scanmail.db")
	var fps []string
	for range 2 {
		d := start(t, dir, "-db", db, "-web", "0.0.0.0:0")
		fp := regexp.MustCompile(`sha256=(\S+)`).FindStringSubmatch(d.expect("web certificate"))
		u := regexp.MustCompile(`urls="?(https://\S+)`).FindStringSubmatch(d.expect("web pages serving"))
		if fp == nil || u == nil {
			t.Fatalf("no fingerprint or address logged:\n%s", strings.Join(d.seen, "\n"))
		}
		addr, err := url.Parse(strings.Trim(u[1], `"`))
		if err != nil {
			t.Fatal(err)
		}
		c := &http.Client{Transport: &http.Transport{TLSClientConfig: &tls.Config{InsecureSkipVerify: true}}}
		res, err := c.Get("https://127.0.0.1:" + addr.Port() + "/login")
		if err != nil {
			t.Fatal(err)
		}
		res.Body.Close()
		if got := webui.Fingerprint(res.TLS.PeerCertificates[0].Raw); got != fp[1] {
			t.Errorf("served certificate %s, logged %s", got, fp[1])
		}
		fps = append(fps, fp[1])
		out, code := runCLI(t, filepath.Join(dir, "scanmaild.sock"), "status")
		if code != 0 || !strings.Contains(out, fp[1]) || !strings.Contains(out, "https://") {
			t.Errorf("status does not show the web pages:\n%s", out)
		}
		d.stop()
	}
	if fps[0] != fps[1] {
		t.Errorf("a new certificate after a restart: %s, then %s", fps[0], fps[1])
	}
	for _, f := range []string{webui.CertFile, webui.KeyFile} {
		if fi, err := os.Stat(filepath.Join(dir, f)); err != nil || fi.Mode().Perm() != 0o600 {
			t.Errorf("%s: %v %v", f, fi, err)
		}
	}
}
