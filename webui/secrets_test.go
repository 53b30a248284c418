package webui_test

import (
	"bufio"
	"bytes"
	"context"
	"fmt"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"scanmail/device/apitype"
	"scanmail/webui"
)

// lockedBuffer is a log written by the server's goroutines.
type lockedBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (l *lockedBuffer) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.Write(p)
}

func (l *lockedBuffer) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.String()
}

// TestNoSecretsInPages: no token, password, session ID or key is in any
// page, the event stream or the pages' log.
func TestNoSecretsInPages(t *testing.T) {
	r := newRig(t)
	var log lockedBuffer
	srv := httptest.NewTLSServer(webui.NewWithEventTimes(webui.Config{API: r.api, Certs: r.certs,
		Logger: slog.New(slog.NewTextHandler(&log, &slog.HandlerOptions{Level: slog.LevelDebug}))}, time.Second, 10*time.Millisecond))
	t.Cleanup(srv.Close)
	r.signIn(t, "scanner@contoso.example")
	if _, err := r.c.Scan(context.Background(), apitype.ScanRequest{To: []string{"someone@example.com"}}, nil); err != nil {
		t.Fatal(err)
	}
	// The password road's password and the connector's key, set on the
	// device (the OAuth road stays chosen, so that the test signs in).
	const smtpPassword = "smtp-password-of-the-device"
	if _, err := r.c.SetConfigs(context.Background(), []apitype.SettingValue{{Key: "password.username", Value: "scanner@contoso.example"}, {Key: "password.secret", Value: smtpPassword},
		{Key: "device_address", Value: "scanner@contoso.example"}, {Key: "mx.accepted_domains", Value: "contoso.example"}}); err != nil {
		t.Fatal(err)
	}
	relay, _ := relayCerts(t)
	if _, err := r.c.InstallRelayCert(context.Background(), apitype.RelayCertInstall{Cert: string(relay.cert), Key: string(relay.key)}); err != nil {
		t.Fatal(err)
	}
	c := r.login(t, srv)
	// A wrong password, and a wrong old one: neither is shown or logged.
	wrong := "wrong-password-" + t.Name()
	bad := r.client(t, srv)
	if res, err := bad.PostForm(srv.URL+"/login", url.Values{"password": {wrong}}); err == nil {
		readBody(t, res)
	}
	if res, err := c.PostForm(srv.URL+"/password", url.Values{"old": {wrong}, "new": {wrong + "x"}, "again": {wrong + "x"}}); err == nil {
		readBody(t, res)
	}

	var seen strings.Builder
	// The connection test signs in to the mail server with a fresh token.
	if res, err := c.PostForm(srv.URL+"/test", url.Values{"to": {"someone@example.com"}}); err == nil {
		seen.WriteString(readBody(t, res))
	}
	// The password and the key sent through the pages: saved, never
	// shown back nor logged.
	if res, err := c.PostForm(srv.URL+"/settings", url.Values{"password.secret": {smtpPassword}}); err == nil {
		seen.WriteString(readBody(t, res))
	}
	if res, err := c.PostForm(srv.URL+"/certificate/relay", url.Values{"relay_cert_pem": {string(relay.cert)}, "relay_key_pem": {string(relay.key)}}); err == nil {
		seen.WriteString(readBody(t, res))
	}
	for _, p := range []string{"/", "/signin", "/jobs", "/jobs/1", "/certificate", "/certificate/request.csr", "/password", "/login", "/assets/live.js",
		"/settings", "/test", "/book", "/book/address-book.csv", "/book/address-book.vcf", "/quicksets", "/config", "/config/scanmail-config.json", "/assets/forms.js"} {
		_, body := get(t, c, srv.URL+p)
		seen.WriteString(body)
	}
	ctx, cancel := context.WithCancel(context.Background())
	req, _ := http.NewRequestWithContext(ctx, "GET", srv.URL+"/events", nil)
	res, err := c.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	sc := bufio.NewScanner(res.Body)
	for sc.Scan() {
		seen.WriteString(sc.Text() + "\n")
		if sc.Text() == ": alive" {
			break
		}
	}
	cancel()
	res.Body.Close()

	u, _ := url.Parse(srv.URL)
	secrets := map[string]string{"password": testPassword, "wrong password": wrong, "SMTP password": smtpPassword,
		"connector key": strings.Split(string(relay.key), "\n")[1]}
	for _, ck := range c.Jar.Cookies(u) {
		secrets["session ID"] = ck.Value
	}
	for i, cr := range r.ms.IdP.Issued() {
		secrets[fmt.Sprintf("%s %d", cr.Kind, i)] = cr.Value
	}
	key, err := os.ReadFile(filepath.Join(r.certsDir, webui.KeyFile))
	if err != nil {
		t.Fatal(err)
	}
	secrets["key"] = strings.Split(string(key), "\n")[1]
	if len(r.ms.IdP.Issued()) == 0 || secrets["session ID"] == "" {
		t.Fatal("no secrets to look for")
	}
	for what, v := range secrets {
		if strings.Contains(seen.String(), v) {
			t.Errorf("a %s is in a page or the event stream", what)
		}
		if strings.Contains(log.String(), v) {
			t.Errorf("a %s is in the pages' log", what)
		}
	}
}
