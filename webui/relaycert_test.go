package webui_test

import (
	"bytes"
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/sha256"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/pem"
	"fmt"
	"math/big"
	"mime/multipart"
	"net/http"
	"strings"
	"testing"
	"time"

	"scanmail/device/apitype"
	"scanmail/device/localclient"
)

// relayCert is a client certificate for a connector and its key, PEM.
type relayCert struct {
	cert, key []byte
	der       []byte
}

// clientCert has ca sign a client certificate for names, valid from nb
// to na, for key k (a new one when nil).
func (ca *testCA) clientCert(t *testing.T, k *ecdsa.PrivateKey, names []string, nb, na time.Time) relayCert {
	t.Helper()
	if k == nil {
		var err error
		if k, err = ecdsa.GenerateKey(elliptic.P256(), rand.Reader); err != nil {
			t.Fatal(err)
		}
	}
	tmpl := &x509.Certificate{SerialNumber: big.NewInt(time.Now().UnixNano()), Subject: pkix.Name{CommonName: names[0], Organization: []string{"Contoso"}},
		DNSNames: names, NotBefore: nb, NotAfter: na, KeyUsage: x509.KeyUsageDigitalSignature,
		ExtKeyUsage: []x509.ExtKeyUsage{x509.ExtKeyUsageClientAuth}}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, ca.cert, &k.PublicKey, ca.key)
	if err != nil {
		t.Fatal(err)
	}
	return relayCert{cert: pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der}), key: keyPEM(t, k), der: der}
}

// relayCerts are a good connector certificate for contoso.example, and
// refused ones: expired, for another organisation's domain, with the key
// of another.
func relayCerts(t *testing.T) (good relayCert, refused map[string]relayCert) {
	ca := newTestCA(t)
	now := time.Now()
	good = ca.clientCert(t, nil, []string{"scanner.contoso.example"}, now.Add(-time.Hour), now.Add(90*24*time.Hour))
	wrongKey := ca.clientCert(t, nil, []string{"scanner.contoso.example"}, now.Add(-time.Hour), now.Add(90*24*time.Hour))
	wrongKey.key = ca.clientCert(t, nil, []string{"scanner.contoso.example"}, now.Add(-time.Hour), now.Add(90*24*time.Hour)).key
	return good, map[string]relayCert{
		"expired":        ca.clientCert(t, nil, []string{"scanner.contoso.example"}, now.Add(-48*time.Hour), now.Add(-24*time.Hour)),
		"another domain": ca.clientCert(t, nil, []string{"scanner.fabrikam.example"}, now.Add(-time.Hour), now.Add(90*24*time.Hour)),
		"wrong key":      wrongKey,
	}
}

// fingerprint is the SHA-256 of der as the device shows it: hex bytes
// with colons.
func fingerprint(der []byte) string {
	sum := sha256.Sum256(der)
	var parts []string
	for _, b := range sum {
		parts = append(parts, fmt.Sprintf("%02X", b))
	}
	return strings.Join(parts, ":")
}

// relayRoad sets the device up for relay through a connector, for the
// organisation contoso.example.
func (r *rig) relayRoad(t *testing.T) {
	t.Helper()
	for _, kv := range [][2]string{{"device_address", "scanner@contoso.example"}, {"mx.accepted_domains", "contoso.example"}, {"road", apitype.RoadRelay}} {
		if _, err := r.dev.SetConfig(kv[0], kv[1]); err != nil {
			t.Fatalf("%s=%s: %v", kv[0], kv[1], err)
		}
	}
}

// TestRelayCertPage: a connector certificate refused by the device is
// refused on the page in the device's words; a good one, uploaded as
// files or pasted, is shown (never its key) and removed.
func TestRelayCertPage(t *testing.T) {
	r := newRig(t)
	r.relayRoad(t)
	c := r.login(t, r.tls)
	_, body := get(t, c, r.tls.URL+"/certificate")
	contains(t, body, `id="relay-none"`, `action="/certificate/relay#relay"`)

	post := func(path string, files bool, rc relayCert) (*http.Response, string) {
		t.Helper()
		var buf bytes.Buffer
		mw := multipart.NewWriter(&buf)
		if files {
			fw, _ := mw.CreateFormFile("relay_cert", "connector.pem")
			fw.Write(rc.cert)
			fw, _ = mw.CreateFormFile("relay_key", "connector.key")
			fw.Write(rc.key)
		} else {
			mw.WriteField("relay_cert_pem", string(rc.cert))
			mw.WriteField("relay_key_pem", string(rc.key))
		}
		mw.Close()
		res, err := c.Post(r.tls.URL+path, mw.FormDataContentType(), &buf)
		if err != nil {
			t.Fatal(err)
		}
		return res, htmlUnescape(readBody(t, res))
	}
	good, refused := relayCerts(t)
	for what, rc := range refused {
		// The device's own words for the refusal.
		_, err := r.c.InstallRelayCert(context.Background(), apitype.RelayCertInstall{Cert: string(rc.cert), Key: string(rc.key)})
		e, ok := err.(*localclient.Error)
		if !ok || e.Code != apitype.CodeRelayCertInvalid {
			t.Fatalf("%s: the device answers %v", what, err)
		}
		for _, files := range []bool{true, false} {
			res, body := post("/certificate/relay", files, rc)
			if res.StatusCode != http.StatusBadRequest {
				t.Errorf("%s (files %v): %s", what, files, res.Status)
			}
			section := body[strings.Index(body, `id="relay"`):]
			contains(t, section, `<div class="problem" role="alert"><p><strong>`+e.Message+`</strong></p>`, e.Hint, `id="relay-none"`)
			if strings.Contains(body, string(rc.key)) || strings.Contains(body, strings.Split(string(rc.key), "\n")[1]) {
				t.Errorf("%s: the key is on the page", what)
			}
		}
	}
	if rc, err := r.c.RelayCert(context.Background()); err != nil || rc.Installed {
		t.Fatalf("after the refusals: %+v %v", rc, err)
	}

	for _, files := range []bool{true, false} {
		res, body := post("/certificate/relay", files, good)
		if res.Request.URL.RequestURI() != "/certificate?relay=installed" {
			t.Fatalf("install (files %v): %s at %s\n%s", files, res.Status, res.Request.URL, body)
		}
		contains(t, body, `id="relay-installed"`, `id="relay-cert"`, "scanner.contoso.example", "Contoso CA", `id="relay-remove"`)
		if !strings.Contains(strings.ToUpper(body), fingerprint(good.der)) {
			t.Errorf("the fingerprint %s is not shown:\n%s", fingerprint(good.der), body)
		}
		if strings.Contains(body, strings.Split(string(good.key), "\n")[1]) {
			t.Error("the key is on the page")
		}
	}

	res, err := c.PostForm(r.tls.URL+"/certificate/relay/remove", nil)
	if err != nil {
		t.Fatal(err)
	}
	body = readBody(t, res)
	if res.Request.URL.RequestURI() != "/certificate?relay=removed" {
		t.Fatalf("remove: %s at %s\n%s", res.Status, res.Request.URL, body)
	}
	contains(t, body, `id="relay-removed"`, `id="relay-none"`)
	if rc, err := r.c.RelayCert(context.Background()); err != nil || rc.Installed {
		t.Errorf("after the removal: %+v %v", rc, err)
	}

	// Nothing chosen nor pasted: said, and the device not asked.
	res, body = post("/certificate/relay", false, relayCert{})
	if res.StatusCode != http.StatusBadRequest {
		t.Errorf("nothing sent: %s", res.Status)
	}
	contains(t, body, "Both the certificate and its private key are needed.")
}
