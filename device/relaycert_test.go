package device

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/pem"
	"math/big"
	"strings"
	"testing"
	"time"

	"scanmail/device/apitype"
)

// testCert is a self-signed certificate and its key, PEM.
type testCert struct {
	cert, key string
}

type certSpec struct {
	cn        string
	names     []string
	notBefore time.Time
	notAfter  time.Time
	usage     []x509.ExtKeyUsage
}

func makeCert(t *testing.T, s certSpec) testCert {
	t.Helper()
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	if s.notBefore.IsZero() {
		s.notBefore = time.Now().Add(-time.Hour)
	}
	if s.notAfter.IsZero() {
		s.notAfter = time.Now().Add(365 * 24 * time.Hour)
	}
	if s.usage == nil {
		s.usage = []x509.ExtKeyUsage{x509.ExtKeyUsageClientAuth}
	}
	tmpl := &x509.Certificate{
		SerialNumber: big.NewInt(time.Now().UnixNano()),
		Subject:      pkix.Name{CommonName: s.cn, Organization: []string{"Contoso"}},
		DNSNames:     s.names,
		NotBefore:    s.notBefore,
		NotAfter:     s.notAfter,
		KeyUsage:     x509.KeyUsageDigitalSignature,
		ExtKeyUsage:  s.usage,
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		t.Fatal(err)
	}
	pk, err := x509.MarshalPKCS8PrivateKey(key)
	if err != nil {
		t.Fatal(err)
	}
	return testCert{
		cert: string(pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der})),
		key:  string(pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: pk})),
	}
}

// TestRelayCertInstall: the connector's certificate is checked on
// install: PEM, the key that matches, valid now, for client
// authentication, and a name that is one of the organisation's domains or
// under one (SAN first, else the CN; a wildcard too). What is refused is
// said in words with dates and names.
func TestRelayCertInstall(t *testing.T) {
	t.Parallel()
	day := func(s string) time.Time { d, _ := time.Parse("2006-01-02", s); return d }
	good := makeCert(t, certSpec{cn: "scanner.contoso.com", names: []string{"scanner.contoso.com"}})
	other := makeCert(t, certSpec{cn: "other", names: []string{"contoso.com"}})
	tests := []struct {
		name    string
		cert    testCert
		domains []string
		summary string // "" for accepted
	}{
		{"a name under the domain", good, []string{"contoso.com"}, ""},
		{"the domain itself", makeCert(t, certSpec{names: []string{"contoso.com"}}), []string{"contoso.com"}, ""},
		{"a wildcard", makeCert(t, certSpec{names: []string{"*.contoso.com"}}), []string{"contoso.com"}, ""},
		{"the CN without SAN", makeCert(t, certSpec{cn: "mfp.Contoso.com"}), []string{"contoso.com"}, ""},
		{"one of several domains", makeCert(t, certSpec{names: []string{"fabrikam.com"}}), []string{"contoso.com", "fabrikam.com"}, ""},
		{"outside the domains", makeCert(t, certSpec{names: []string{"scanner.contoso.com.evil.example", "notcontoso.com"}}), []string{"contoso.com"},
			"The certificate is for scanner.contoso.com.evil.example, notcontoso.com, not in the organisation's domains (contoso.com)"},
		{"expired", makeCert(t, certSpec{names: []string{"contoso.com"}, notBefore: day("2020-01-01"), notAfter: day("2021-03-04")}), []string{"contoso.com"},
			"The certificate expired on 2021-03-04"},
		{"not yet valid", makeCert(t, certSpec{names: []string{"contoso.com"}, notBefore: day("2099-05-06"), notAfter: day("2100-01-01")}), []string{"contoso.com"},
			"The certificate is valid only from 2099-05-06"},
		{"a server certificate", makeCert(t, certSpec{names: []string{"contoso.com"}, usage: []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth}}), []string{"contoso.com"},
			"The certificate is not for client authentication"},
		{"another key", testCert{good.cert, other.key}, []string{"contoso.com"}, "The key does not belong to the certificate"},
		{"the key for the certificate", testCert{good.key, good.key}, []string{"contoso.com"}, "The certificate is not a PEM certificate"},
		{"no key", testCert{good.cert, ""}, []string{"contoso.com"}, "The key is not a PEM private key"},
		{"no domains", good, nil, "The organisation's domains are not known"},
	}
	for _, tt := range tests {
		_, err := checkRelayCert(apitype.RelayCertInstall{Cert: tt.cert.cert, Key: tt.cert.key}, tt.domains, time.Now)
		summary, hint := Explain(err)
		switch {
		case tt.summary == "" && err != nil:
			t.Errorf("%s: refused: %v", tt.name, err)
		case tt.summary != "" && (CodeOf(err) != apitype.CodeRelayCertInvalid || !strings.HasPrefix(summary, tt.summary) || hint == ""):
			t.Errorf("%s: %q / %q (%s), want %q", tt.name, summary, hint, CodeOf(err), tt.summary)
		}
		if strings.Contains(summary+hint, "PRIVATE KEY-----\n") {
			t.Errorf("%s: the key is in the words", tt.name)
		}
	}
}

// TestRelayCertStored: an installed certificate is described (never its
// key), kept in the state file apart from the settings, presented by the
// relay route, not exported, and gone after remove.
func TestRelayCertStored(t *testing.T) {
	dev := newBookDevice(t)
	if _, err := dev.SetConfig("device_address", "scanner@contoso.com"); err != nil {
		t.Fatal(err)
	}
	c := makeCert(t, certSpec{cn: "scanner.contoso.com", names: []string{"scanner.contoso.com"}})
	if rc, err := dev.RelayCert(); err != nil || rc.Installed {
		t.Fatalf("before install: %+v %v", rc, err)
	}
	rc, err := dev.InstallRelayCert(apitype.RelayCertInstall{Cert: c.cert, Key: c.key})
	if err != nil {
		t.Fatal(err)
	}
	if !rc.Installed || rc.Names[0] != "scanner.contoso.com" || !strings.Contains(rc.Subject, "scanner.contoso.com") || len(rc.Fingerprint) != 95 || rc.NotAfter.IsZero() {
		t.Errorf("installed: %+v", rc)
	}
	if got, err := dev.RelayCert(); err != nil || got.Fingerprint != rc.Fingerprint {
		t.Errorf("described: %+v %v", got, err)
	}
	s, _ := dev.store.Settings()
	s.Set("mx.host", "mx.contoso.com")
	rt, err := dev.routeFor(t.Context(), s, apitype.RoadRelay)
	if err != nil || rt.sender.Config.ClientCert == nil || rt.sender.Config.ClientCert.Leaf.Subject.CommonName != "scanner.contoso.com" {
		t.Fatalf("relay route: %+v %v", rt, err)
	}
	exp, err := dev.ExportConfig()
	if err != nil {
		t.Fatal(err)
	}
	for k, v := range exp.Settings {
		if strings.Contains(v, "PRIVATE KEY") || strings.Contains(v, c.cert) {
			t.Errorf("export holds the certificate or key under %s", k)
		}
	}
	if rc, err := dev.RemoveRelayCert(); err != nil || rc.Installed {
		t.Errorf("remove: %+v %v", rc, err)
	}
	if rc, err := dev.RelayCert(); err != nil || rc.Installed {
		t.Errorf("after remove: %+v %v", rc, err)
	}
	if rt, err := dev.routeFor(t.Context(), s, apitype.RoadRelay); err != nil || rt.sender.Config.ClientCert != nil {
		t.Errorf("relay route after remove: %v", err)
	}
}
