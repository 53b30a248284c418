package device

import (
	"bytes"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"
	"time"
)

// certPool is the system's roots plus the PEM certificates in extra.
func certPool(extra string) (*x509.CertPool, error) {
	pool, err := x509.SystemCertPool()
	if err != nil || pool == nil {
		pool = x509.NewCertPool()
	}
	if extra != "" && !pool.AppendCertsFromPEM([]byte(extra)) {
		return nil, errors.New("CA bundle holds no PEM certificate")
	}
	return pool, nil
}

// httpClient talks to the provider's sign-in endpoints. Every call is
// bounded, so a dead network shows as an error rather than a hung panel.
func httpClient(p Provider) (*http.Client, error) {
	pool, err := certPool(p.CABundle)
	if err != nil {
		return nil, fmt.Errorf("provider %s: %w", p.ID, err)
	}
	tr := http.DefaultTransport.(*http.Transport).Clone()
	tr.TLSClientConfig = &tls.Config{RootCAs: pool, MinVersion: tls.VersionTLS12}
	return &http.Client{
		Timeout:       30 * time.Second,
		Transport:     &refreshScope{base: tr, scope: strings.Join(p.Scopes, " ")},
		CheckRedirect: refuseRedirect,
	}, nil
}

// ErrRedirect means a sign-in endpoint answered with a redirect. The device
// never follows one: a 307 or 308 would post the refresh token or the
// device code again, to wherever it points, even over plain http.
var ErrRedirect = errors.New("the sign-in service answered with a redirect")

func refuseRedirect(req *http.Request, via []*http.Request) error {
	return fmt.Errorf("%w from %s to %s://%s%s (not followed)", ErrRedirect,
		via[len(via)-1].URL.Host, req.URL.Scheme, req.URL.Host, req.URL.Path)
}

// refreshScope adds the scope to refresh-token requests. Microsoft wants it
// there, and x/oauth2's refresher does not send it.
type refreshScope struct {
	base  http.RoundTripper
	scope string
}

func (t *refreshScope) RoundTrip(req *http.Request) (*http.Response, error) {
	if req.Method != http.MethodPost || req.Body == nil || t.scope == "" {
		return t.base.RoundTrip(req)
	}
	body, err := io.ReadAll(req.Body)
	req.Body.Close()
	if err != nil {
		return nil, err
	}
	if form, err := url.ParseQuery(string(body)); err == nil &&
		form.Get("grant_type") == "refresh_token" && form.Get("scope") == "" {
		form.Set("scope", t.scope)
		body = []byte(form.Encode())
	}
	req = req.Clone(req.Context())
	req.Body = io.NopCloser(bytes.NewReader(body))
	req.ContentLength = int64(len(body))
	req.GetBody = func() (io.ReadCloser, error) { return io.NopCloser(bytes.NewReader(body)), nil }
	return t.base.RoundTrip(req)
}
