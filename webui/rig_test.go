package webui_test

import (
	"context"
	"html"
	"io"
	"log/slog"
	"net/http"
	"net/http/cookiejar"
	"net/http/httptest"
	"net/url"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"scanmail/device"
	"scanmail/device/apitype"
	"scanmail/device/idptest"
	"scanmail/device/localapi"
	"scanmail/device/localclient"
	"scanmail/device/mstest"
	"scanmail/scan/scansim"
	"scanmail/webui"
)

// rig is a real device (a fake Microsoft, a simulated scanner) served on
// its local API socket, and the web pages against it, over HTTPS and over
// plain HTTP on loopback.
type rig struct {
	ms    *mstest.Microsoft
	dev   *device.Device
	api   webui.API
	c     *localclient.Client
	tls   *httptest.Server
	plain *httptest.Server
	certs *webui.Certs
	// certsDir holds the pages' certificate and key.
	certsDir string
	// dir holds the state file and the local socket; stopDevice stops
	// the device serving there.
	dir        string
	stopDevice func(*testing.T)
	// scanner is the device's; nil: the simulator.
	scanner device.Scanner
}

const testPassword = "correct horse battery staple"

func newRig(t *testing.T) *rig {
	t.Helper()
	return newRigScanner(t, nil)
}

// newRigScanner is newRig with the device's scanner; nil: the simulator.
func newRigScanner(t *testing.T, scanner device.Scanner) *rig {
	t.Helper()
	r := &rig{scanner: scanner}
	ms, err := mstest.Start(mstest.Options{IdP: idptest.Options{Interval: 1, IgnoreInterval: true}})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(ms.Close)
	r.ms = ms
	r.dir = t.TempDir()
	r.startDevice(t)
	t.Cleanup(func() { r.stopDevice(t) })
	for _, kv := range append(ms.Settings(), [][2]string{{"scan.mode", "bw1"}, {"scan.dpi", "75"}}...) {
		if _, err := r.dev.SetConfig(kv[0], kv[1]); err != nil {
			t.Fatal(err)
		}
	}
	sock := filepath.Join(r.dir, apitype.SocketName)
	r.c = &localclient.Client{Socket: sock}
	r.api = r.c

	// The pages' certificate (the status page and the certificate page
	// show it); the test server serves its own, which the clients trust.
	r.certsDir = t.TempDir()
	r.certs, err = webui.OpenCerts(r.certsDir, []string{"scanner.example", "127.0.0.1"})
	if err != nil {
		t.Fatal(err)
	}
	r.tls = httptest.NewTLSServer(webui.New(webui.Config{API: r.api, Hosts: []string{"scanner.example"}, Certs: r.certs}))
	t.Cleanup(r.tls.Close)
	r.plain = httptest.NewServer(webui.New(webui.Config{API: r.api}))
	t.Cleanup(r.plain.Close)
	return r
}

// startDevice opens the state file in r.dir and serves the device on the
// local socket there.
func (r *rig) startDevice(t *testing.T) {
	t.Helper()
	st, err := device.OpenStore(filepath.Join(r.dir, "scanmail.db"))
	if err != nil {
		t.Fatal(err)
	}
	var scanner device.Scanner = &scansim.Scanner{}
	if r.scanner != nil {
		scanner = r.scanner
	}
	r.dev, err = device.New(device.Config{Store: st, Scanner: scanner, SpoolDir: filepath.Join(r.dir, "spool"),
		Logger: slog.New(slog.NewTextHandler(io.Discard, nil)), DefaultPages: 1})
	if err != nil {
		st.Close()
		t.Fatal(err)
	}
	ln, err := localapi.Listen(filepath.Join(r.dir, apitype.SocketName))
	if err != nil {
		t.Fatal(err)
	}
	ctx, stop := context.WithCancel(context.Background())
	served := make(chan error, 1)
	go func() { served <- localapi.Serve(ctx, ln, localapi.NewHandler(r.dev, nil)) }()
	r.stopDevice = func(t *testing.T) {
		stop()
		if err := <-served; err != nil {
			t.Error(err)
		}
		r.dev.Close()
		st.Close()
	}
}

// restart stops the device and starts it again on the same state file
// and socket, as a daemon restarted; the web pages stay up.
func (r *rig) restart(t *testing.T) {
	t.Helper()
	r.stopDevice(t)
	r.startDevice(t)
}

// client is a browser-like client of srv: it keeps cookies, follows
// redirects, and sends Sec-Fetch-Site as a browser does for its own
// site's forms.
func (r *rig) client(t *testing.T, srv *httptest.Server) *http.Client {
	t.Helper()
	jar, err := cookiejar.New(nil)
	if err != nil {
		t.Fatal(err)
	}
	c := *srv.Client() // a copy: srv's own client is shared
	c.Jar = jar
	c.Transport = sameSite{c.Transport}
	return &c
}

type sameSite struct{ rt http.RoundTripper }

func (s sameSite) RoundTrip(req *http.Request) (*http.Response, error) {
	req = req.Clone(req.Context())
	req.Header.Set("Sec-Fetch-Site", "same-origin")
	return s.rt.RoundTrip(req)
}

// login sets the password (on the first visit) and logs in; it returns
// a client with the session.
func (r *rig) login(t *testing.T, srv *httptest.Server) *http.Client {
	t.Helper()
	c := r.client(t, srv)
	st, err := r.api.Password(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	path, form := "/login", url.Values{"password": {testPassword}}
	if !st.Set {
		path, form = "/setup", url.Values{"password": {testPassword}, "again": {testPassword}}
	}
	res, err := c.PostForm(srv.URL+path, form)
	if err != nil {
		t.Fatal(err)
	}
	body := readBody(t, res)
	if res.StatusCode != http.StatusOK || res.Request.URL.Path != "/" {
		t.Fatalf("login: %s at %s:\n%s", res.Status, res.Request.URL.Path, body)
	}
	return c
}

func readBody(t *testing.T, res *http.Response) string {
	t.Helper()
	defer res.Body.Close()
	b, err := io.ReadAll(res.Body)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

func get(t *testing.T, c *http.Client, u string) (*http.Response, string) {
	t.Helper()
	res, err := c.Get(u)
	if err != nil {
		t.Fatal(err)
	}
	return res, readBody(t, res)
}

// signIn signs the device in as upn through the local API.
func (r *rig) signIn(t *testing.T, upn string) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	st, err := r.c.SignIn(ctx, apitype.SignInRequest{}, func(s apitype.SignIn) {
		if s.State == apitype.SignInWaiting && s.UserCode != "" {
			r.ms.IdP.Approve(s.UserCode, upn)
		}
	})
	if err != nil || st.State != apitype.SignInDone {
		t.Fatalf("sign-in: %v %+v", err, st)
	}
}

func contains(t *testing.T, body string, want ...string) {
	t.Helper()
	for _, w := range want {
		if !strings.Contains(body, w) {
			t.Errorf("page lacks %q:\n%s", w, body)
		}
	}
}

func htmlUnescape(s string) string { return html.UnescapeString(s) }
