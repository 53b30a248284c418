package webui_test

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/pem"
	"errors"
	"math/big"
	"net"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	"scanmail/webui"
)

func TestLoadCertMadeOnceAndKept(t *testing.T) {
	dir := t.TempDir()
	hosts := []string{"scanner.contoso.example", "192.168.1.20", "fe80::1"}
	cert, fp, err := webui.LoadCert(dir, hosts)
	if err != nil {
		t.Fatal(err)
	}
	if !regexp.MustCompile(`^([0-9A-F]{2}:){31}[0-9A-F]{2}$`).MatchString(fp) {
		t.Errorf("fingerprint %q", fp)
	}
	leaf := cert.Leaf
	if k, ok := leaf.PublicKey.(*ecdsa.PublicKey); !ok || k.Curve != elliptic.P256() {
		t.Errorf("key %T, want ECDSA P-256", leaf.PublicKey)
	}
	if !slices.Equal(leaf.DNSNames, []string{"scanner.contoso.example"}) {
		t.Errorf("DNS SANs %v", leaf.DNSNames)
	}
	if len(leaf.IPAddresses) != 2 || !leaf.IPAddresses[0].Equal(net.ParseIP("192.168.1.20")) {
		t.Errorf("IP SANs %v", leaf.IPAddresses)
	}
	if err := leaf.VerifyHostname("192.168.1.20"); err != nil {
		t.Error(err)
	}
	for _, f := range []string{webui.CertFile, webui.KeyFile} {
		fi, err := os.Stat(filepath.Join(dir, f))
		if err != nil {
			t.Fatal(err)
		}
		if fi.Mode().Perm() != 0o600 {
			t.Errorf("%s: mode %v, want 0600", f, fi.Mode().Perm())
		}
	}

	// After a restart: the same certificate, whatever the addresses now.
	_, fp2, err := webui.LoadCert(dir, []string{"other.example"})
	if err != nil {
		t.Fatal(err)
	}
	if fp2 != fp {
		t.Errorf("after a restart the fingerprint is %s, was %s", fp2, fp)
	}
}

func TestLoadCertRefusesBrokenFiles(t *testing.T) {
	dir := t.TempDir()
	os.WriteFile(filepath.Join(dir, webui.CertFile), []byte("not PEM"), 0o600)
	os.WriteFile(filepath.Join(dir, webui.KeyFile), []byte("not PEM"), 0o600)
	if _, _, err := webui.LoadCert(dir, []string{"x.example"}); err == nil {
		t.Error("a broken certificate was taken, or replaced")
	}
}

// testCA issues certificates for the upload tests.
type testCA struct {
	cert *x509.Certificate
	key  *ecdsa.PrivateKey
}

func newTestCA(t *testing.T) *testCA {
	t.Helper()
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	tmpl := &x509.Certificate{SerialNumber: big.NewInt(1), Subject: pkix.Name{CommonName: "Contoso CA"},
		NotBefore: time.Now().Add(-time.Hour), NotAfter: time.Now().Add(time.Hour * 24 * 365),
		IsCA: true, BasicConstraintsValid: true, KeyUsage: x509.KeyUsageCertSign}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		t.Fatal(err)
	}
	cert, _ := x509.ParseCertificate(der)
	return &testCA{cert, key}
}

// issue signs a certificate for pub with names, valid from nb to na.
func (ca *testCA) issue(t *testing.T, pub any, names []string, nb, na time.Time) []byte {
	t.Helper()
	tmpl := &x509.Certificate{SerialNumber: big.NewInt(time.Now().UnixNano()), Subject: pkix.Name{CommonName: names[0]},
		NotBefore: nb, NotAfter: na, ExtKeyUsage: []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth}}
	for _, n := range names {
		if ip := net.ParseIP(n); ip != nil {
			tmpl.IPAddresses = append(tmpl.IPAddresses, ip)
		} else {
			tmpl.DNSNames = append(tmpl.DNSNames, n)
		}
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, ca.cert, pub, ca.key)
	if err != nil {
		t.Fatal(err)
	}
	return pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der})
}

func keyPEM(t *testing.T, k *ecdsa.PrivateKey) []byte {
	der, err := x509.MarshalPKCS8PrivateKey(k)
	if err != nil {
		t.Fatal(err)
	}
	return pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: der})
}

func TestCertsInstall(t *testing.T) {
	ca := newTestCA(t)
	now := time.Now()
	key, _ := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	other, _ := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	good := ca.issue(t, &key.PublicKey, []string{"scanner.contoso.example", "192.168.1.20"}, now.Add(-time.Hour), now.Add(90*24*time.Hour))
	for _, tt := range []struct {
		name      string
		cert, key []byte
		host      string
		refused   string // "" when installed
	}{
		{"own certificate and key", good, keyPEM(t, key), "scanner.contoso.example", ""},
		{"by address", good, keyPEM(t, key), "192.168.1.20", ""},
		{"not PEM", []byte("hello"), keyPEM(t, key), "scanner.contoso.example", "not a PEM certificate"},
		{"key not PEM", good, []byte("hello"), "scanner.contoso.example", "not a PEM private key"},
		{"another key", good, keyPEM(t, other), "scanner.contoso.example", "does not belong"},
		{"expired", ca.issue(t, &key.PublicKey, []string{"scanner.contoso.example"}, now.Add(-48*time.Hour), now.Add(-time.Hour)), keyPEM(t, key), "scanner.contoso.example", "expired"},
		{"not yet valid", ca.issue(t, &key.PublicKey, []string{"scanner.contoso.example"}, now.Add(48*time.Hour), now.Add(96*time.Hour)), keyPEM(t, key), "scanner.contoso.example", "valid only from"},
		{"another name", good, keyPEM(t, key), "printer.contoso.example", "not for printer.contoso.example"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			dir := t.TempDir()
			c, err := webui.OpenCerts(dir, []string{"scanner.contoso.example"})
			if err != nil {
				t.Fatal(err)
			}
			before := c.Fingerprint()
			var told []string
			c.OnChange(func(fp string) { told = append(told, fp) })
			err = c.Install(tt.cert, tt.key, tt.host, now)
			if tt.refused != "" {
				var ce *webui.CertError
				if !errors.As(err, &ce) || !strings.Contains(ce.Summary, tt.refused) || ce.Hint == "" {
					t.Fatalf("Install: %v, want refused with %q", err, tt.refused)
				}
				if c.Fingerprint() != before || len(told) != 0 {
					t.Errorf("a refused certificate is served, or told: %v", told)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			block, _ := pem.Decode(good)
			if c.Fingerprint() != webui.Fingerprint(block.Bytes) {
				t.Error("the installed certificate is not served")
			}
			if !slices.Equal(told, []string{c.Fingerprint()}) {
				t.Errorf("told %v, want the new fingerprint once", told)
			}
			again, err := webui.OpenCerts(dir, nil)
			if err != nil || again.Fingerprint() != c.Fingerprint() {
				t.Errorf("after a restart: %v, %s", err, again.Fingerprint())
			}
		})
	}
}

// TestCertsCSR: the request carries the device's key and names; the
// certificate signed from it is installed without a key.
func TestCertsCSR(t *testing.T) {
	ca := newTestCA(t)
	c, err := webui.OpenCerts(t.TempDir(), []string{"scanner.contoso.example", "192.168.1.20"})
	if err != nil {
		t.Fatal(err)
	}
	csrPEM, err := c.CSR()
	if err != nil {
		t.Fatal(err)
	}
	block, _ := pem.Decode(csrPEM)
	if block == nil || block.Type != "CERTIFICATE REQUEST" {
		t.Fatalf("CSR %q", csrPEM)
	}
	csr, err := x509.ParseCertificateRequest(block.Bytes)
	if err != nil || csr.CheckSignature() != nil {
		t.Fatalf("CSR: %v", err)
	}
	if !slices.Equal(csr.DNSNames, []string{"scanner.contoso.example"}) || len(csr.IPAddresses) != 1 {
		t.Errorf("CSR names %v %v", csr.DNSNames, csr.IPAddresses)
	}
	signed := ca.issue(t, csr.PublicKey, []string{"scanner.contoso.example"}, time.Now().Add(-time.Hour), time.Now().Add(time.Hour*24*90))
	if err := c.Install(signed, nil, "scanner.contoso.example", time.Now()); err != nil {
		t.Fatal(err)
	}
	if c.Leaf().Issuer.CommonName != "Contoso CA" {
		t.Errorf("served: issued by %s", c.Leaf().Issuer.CommonName)
	}
}
