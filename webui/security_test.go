package webui_test

import (
	"context"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"

	"scanmail/device/apitype"
)

func TestCrossOriginPostRefused(t *testing.T) {
	r := newRig(t)
	for _, tt := range []struct {
		name    string
		srv     *httptest.Server
		headers map[string]string
		want    int
	}{
		{"https, cross-site", r.tls, map[string]string{"Sec-Fetch-Site": "cross-site", "Origin": "https://evil.example"}, http.StatusForbidden},
		{"https, foreign origin only", r.tls, map[string]string{"Origin": "https://evil.example"}, http.StatusForbidden},
		{"http, cross-site", r.plain, map[string]string{"Sec-Fetch-Site": "cross-site", "Origin": "http://evil.example"}, http.StatusForbidden},
		{"http, foreign origin only", r.plain, map[string]string{"Origin": "http://evil.example"}, http.StatusForbidden},
		{"http, neither header", r.plain, nil, http.StatusForbidden},
		{"http, same-origin", r.plain, map[string]string{"Sec-Fetch-Site": "same-origin"}, http.StatusUnauthorized},
		{"https, same-origin", r.tls, map[string]string{"Sec-Fetch-Site": "same-origin"}, http.StatusUnauthorized},
	} {
		t.Run(tt.name, func(t *testing.T) {
			req, err := http.NewRequest(http.MethodPost, tt.srv.URL+"/signin", strings.NewReader(""))
			if err != nil {
				t.Fatal(err)
			}
			for k, v := range tt.headers {
				req.Header.Set(k, v)
			}
			res, err := tt.srv.Client().Do(req)
			if err != nil {
				t.Fatal(err)
			}
			res.Body.Close()
			if res.StatusCode != tt.want {
				t.Errorf("POST /signin: %s, want %d", res.Status, tt.want)
			}
		})
	}
}

func TestForeignHostRefused(t *testing.T) {
	r := newRig(t)
	for _, tt := range []struct {
		srv  *httptest.Server
		host string
		want int
	}{
		{r.tls, "evil.example", http.StatusMisdirectedRequest},
		{r.plain, "evil.example:80", http.StatusMisdirectedRequest},
		{r.plain, "10.0.0.7", http.StatusMisdirectedRequest},
		{r.tls, "scanner.example", http.StatusOK},
		{r.tls, "SCANNER.example:443", http.StatusOK},
		{r.plain, "localhost:8080", http.StatusOK},
		{r.plain, "[::1]:8080", http.StatusOK},
	} {
		req, err := http.NewRequest(http.MethodGet, tt.srv.URL+"/login", nil)
		if err != nil {
			t.Fatal(err)
		}
		req.Host = tt.host
		res, err := tt.srv.Client().Do(req)
		if err != nil {
			t.Fatal(err)
		}
		res.Body.Close()
		if res.StatusCode != tt.want {
			t.Errorf("Host %s: %s, want %d", tt.host, res.Status, tt.want)
		}
	}
}

func TestSecurityHeaders(t *testing.T) {
	r := newRig(t)
	c := r.login(t, r.tls)
	for _, path := range []string{"/", "/login", "/jobs", "/signin"} {
		res, _ := get(t, c, r.tls.URL+path)
		for k, want := range map[string]string{
			"Content-Security-Policy": "default-src 'self'; frame-ancestors 'none'",
			"X-Content-Type-Options":  "nosniff",
			"Referrer-Policy":         "no-referrer",
			"Cache-Control":           "no-store",
		} {
			if got := res.Header.Get(k); !strings.HasPrefix(got, want) {
				t.Errorf("%s: %s: %q, want %q", path, k, got, want)
			}
		}
	}
}

func TestCookieFlags(t *testing.T) {
	r := newRig(t)
	for _, tt := range []struct {
		srv  *httptest.Server
		want string
		not  string
	}{
		{r.tls, "__Host-scanmail=", ""},
		{r.plain, "scanmail=", "Secure"},
	} {
		c := r.client(t, tt.srv)
		c.Jar = nil
		c.CheckRedirect = func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }
		st, err := r.api.Password(context.Background())
		if err != nil {
			t.Fatal(err)
		}
		path, form := "/login", url.Values{"password": {testPassword}}
		if !st.Set {
			path, form = "/setup", url.Values{"password": {testPassword}, "again": {testPassword}}
		}
		res, err := c.PostForm(tt.srv.URL+path, form)
		if err != nil {
			t.Fatal(err)
		}
		res.Body.Close()
		cookie := res.Header.Get("Set-Cookie")
		if !strings.HasPrefix(cookie, tt.want) {
			t.Errorf("Set-Cookie %q, want %s…", cookie, tt.want)
		}
		for _, flag := range []string{"HttpOnly", "SameSite=Strict", "Path=/"} {
			if !strings.Contains(cookie, flag) {
				t.Errorf("Set-Cookie %q lacks %s", cookie, flag)
			}
		}
		if tt.srv == r.tls && !strings.Contains(cookie, "Secure") {
			t.Errorf("Set-Cookie %q lacks Secure", cookie)
		}
		if tt.not != "" && strings.Contains(cookie, tt.not) {
			t.Errorf("Set-Cookie %q has %s", cookie, tt.not)
		}
		if strings.Contains(cookie, "Domain") {
			t.Errorf("Set-Cookie %q has a Domain", cookie)
		}
	}
}

// adminRoutes are every route behind the session check.
var adminRoutes = []struct{ method, path string }{
	{"GET", "/"},
	{"GET", "/events"},
	{"GET", "/alerts"},
	{"POST", "/alerts/ack"},
	{"GET", "/signin"},
	{"POST", "/signin"},
	{"POST", "/signin/cancel"},
	{"GET", "/qr/signin.svg"},
	{"GET", "/qr/consent.svg"},
	{"GET", "/jobs"},
	{"GET", "/jobs/1"},
	{"POST", "/jobs/1/cancel"},
	{"POST", "/jobs/1/resend"},
	{"GET", "/certificate"},
	{"POST", "/certificate"},
	{"GET", "/certificate/request.csr"},
	{"POST", "/certificate/relay"},
	{"POST", "/certificate/relay/remove"},
	{"GET", "/password"},
	{"POST", "/password"},
	{"GET", "/settings"},
	{"POST", "/settings"},
	{"GET", "/test"},
	{"POST", "/test"},
	{"GET", "/book"},
	{"POST", "/book/put"},
	{"POST", "/book/delete"},
	{"POST", "/book/import"},
	{"GET", "/book/address-book.csv"},
	{"GET", "/book/address-book.vcf"},
	{"GET", "/quicksets"},
	{"POST", "/quicksets"},
	{"POST", "/quicksets/delete"},
	{"GET", "/config"},
	{"GET", "/config/scanmail-config.json"},
	{"POST", "/config/import"},
}

func TestAdminRoutesNeedSession(t *testing.T) {
	r := newRig(t)
	r.login(t, r.tls) // a session exists, but not in this client
	for _, srv := range []*httptest.Server{r.tls, r.plain} {
		for _, cookie := range []string{"", "not-a-session"} {
			for _, rt := range adminRoutes {
				req, err := http.NewRequest(rt.method, srv.URL+rt.path, strings.NewReader("old=x&new=y&again=y"))
				if err != nil {
					t.Fatal(err)
				}
				req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
				req.Header.Set("Sec-Fetch-Site", "same-origin")
				if cookie != "" {
					req.AddCookie(&http.Cookie{Name: "__Host-scanmail", Value: cookie})
					req.AddCookie(&http.Cookie{Name: "scanmail", Value: cookie})
				}
				c := *srv.Client()
				c.CheckRedirect = func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }
				res, err := c.Do(req)
				if err != nil {
					t.Fatal(err)
				}
				res.Body.Close()
				want := http.StatusUnauthorized
				if rt.method == "GET" && rt.path != "/events" && !strings.HasPrefix(rt.path, "/qr/") && !strings.HasSuffix(rt.path, ".csr") {
					want = http.StatusSeeOther // a browser without Sec-Fetch-Mode: a page
				}
				if res.StatusCode != want && !(res.StatusCode == http.StatusSeeOther && want == http.StatusUnauthorized && rt.method == "GET") {
					t.Errorf("%s %s (cookie %q): %s, want %d", rt.method, rt.path, cookie, res.Status, want)
				}
				if res.StatusCode == http.StatusSeeOther && res.Header.Get("Location") != "/login" {
					t.Errorf("%s %s: to %s, want /login", rt.method, rt.path, res.Header.Get("Location"))
				}
			}
		}
	}
}

// TestEventStreamNeedsSession: a script's fetch or the event stream gets
// 401, not the login page.
func TestEventStreamNeedsSession(t *testing.T) {
	r := newRig(t)
	for _, h := range []map[string]string{{"Accept": "text/event-stream"}, {"Sec-Fetch-Mode": "cors"}, {"Sec-Fetch-Mode": "no-cors", "Sec-Fetch-Dest": "image"}} {
		req, _ := http.NewRequest("GET", r.tls.URL+"/events", nil)
		for k, v := range h {
			req.Header.Set(k, v)
		}
		res, err := r.tls.Client().Do(req)
		if err != nil {
			t.Fatal(err)
		}
		res.Body.Close()
		if res.StatusCode != http.StatusUnauthorized {
			t.Errorf("%v: %s, want 401", h, res.Status)
		}
	}
}

// TestScriptInSettingInert: a tenant (shown in the admin-consent link)
// holding markup is shown as text.
func TestScriptInSettingInert(t *testing.T) {
	r := newRig(t)
	for _, kv := range [][2]string{{"provider", "exchange-online"}, {"client_id", "app"}, {"tenant", `x"><script>alert(1)</script>`}} {
		if _, err := r.dev.SetConfig(kv[0], kv[1]); err != nil {
			t.Fatalf("the device refuses %s=%q: %v", kv[0], kv[1], err)
		}
	}
	c := r.login(t, r.tls)
	_, body := get(t, c, r.tls.URL+"/signin")
	if strings.Contains(body, "<script>alert") {
		t.Errorf("markup from a setting reached the page:\n%s", body)
	}
	contains(t, body, "adminconsent?client_id=app")
}

// TestCrossOriginRoadPostsRefused: with the admin's session in the
// browser, another site's form cannot change the road, set the password
// road's password, nor install or remove the connector's certificate.
func TestCrossOriginRoadPostsRefused(t *testing.T) {
	r := newRig(t)
	r.relayRoad(t)
	good, _ := relayCerts(t)
	if _, err := r.c.InstallRelayCert(context.Background(), apitype.RelayCertInstall{Cert: string(good.cert), Key: string(good.key)}); err != nil {
		t.Fatal(err)
	}
	other, _ := relayCerts(t)
	for _, srv := range []*httptest.Server{r.tls, r.plain} {
		c := r.login(t, srv)
		for _, tt := range []struct{ path, body, ctype string }{
			{"/settings", "road=password&password.secret=evil", "application/x-www-form-urlencoded"},
			{"/certificate/relay", url.Values{"relay_cert_pem": {string(other.cert)}, "relay_key_pem": {string(other.key)}}.Encode(), "application/x-www-form-urlencoded"},
			{"/certificate/relay/remove", "", "application/x-www-form-urlencoded"},
		} {
			req, err := http.NewRequest(http.MethodPost, srv.URL+tt.path, strings.NewReader(tt.body))
			if err != nil {
				t.Fatal(err)
			}
			req.Header.Set("Content-Type", tt.ctype)
			req.Header.Set("Origin", "https://evil.example")
			// The client's transport says same-origin; the browser
			// would say cross-site.
			res, err := (&http.Client{Jar: c.Jar, Transport: srv.Client().Transport}).Do(withSite(req, "cross-site"))
			if err != nil {
				t.Fatal(err)
			}
			res.Body.Close()
			if res.StatusCode != http.StatusForbidden {
				t.Errorf("%s %s from another site: %s, want 403", srv.URL, tt.path, res.Status)
			}
		}
	}
	if got := r.settingValue(t, "road"); got != apitype.RoadRelay {
		t.Errorf("road = %q", got)
	}
	if got := r.settingValue(t, "password.secret"); got != "" {
		t.Errorf("password.secret = %q", got)
	}
	rc, err := r.c.RelayCert(context.Background())
	if err != nil || !rc.Installed || !strings.EqualFold(rc.Fingerprint, fingerprint(good.der)) {
		t.Errorf("the connector certificate after: %+v %v", rc, err)
	}
}

func withSite(req *http.Request, site string) *http.Request {
	req.Header.Set("Sec-Fetch-Site", site)
	return req
}
