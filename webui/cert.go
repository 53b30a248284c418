package webui

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/sha256"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/pem"
	"errors"
	"fmt"
	"io/fs"
	"math/big"
	"net"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"time"
)

// The certificate's files in the state directory.
const (
	CertFile = "web.crt"
	KeyFile  = "web.key"
)

// certLifetime is a self-signed certificate's: no browser trusts it by
// its issuer, so a long life spares the admin a new fingerprint to check.
const certLifetime = 10 * 365 * 24 * time.Hour

// LoadCert loads the pages' certificate from dir, or, on the first start
// (or when the one kept has expired or does not load), makes a
// self-signed ECDSA P-256 one for hosts (names and addresses) and keeps
// it there (mode 0600). It returns the certificate and its fingerprint.
func LoadCert(dir string, hosts []string) (tls.Certificate, string, error) {
	crt, key := filepath.Join(dir, CertFile), filepath.Join(dir, KeyFile)
	cert, err := tls.LoadX509KeyPair(crt, key)
	switch {
	case err == nil && time.Now().Before(cert.Leaf.NotAfter):
		return cert, Fingerprint(cert.Certificate[0]), nil
	case err != nil && !errors.Is(err, fs.ErrNotExist):
		return tls.Certificate{}, "", fmt.Errorf("web certificate %s: %w (remove %s and %s to make a new one)", crt, err, CertFile, KeyFile)
	}
	certPEM, keyPEM, err := selfSigned(hosts, time.Now())
	if err != nil {
		return tls.Certificate{}, "", err
	}
	if err := writeSecret(key, keyPEM); err != nil {
		return tls.Certificate{}, "", err
	}
	if err := writeSecret(crt, certPEM); err != nil {
		return tls.Certificate{}, "", err
	}
	cert, err = tls.X509KeyPair(certPEM, keyPEM)
	if err != nil {
		return tls.Certificate{}, "", err
	}
	return cert, Fingerprint(cert.Certificate[0]), nil
}

// Fingerprint is the SHA-256 of a certificate's DER as browsers show it:
// upper-case hex bytes joined by colons.
func Fingerprint(der []byte) string {
	sum := sha256.Sum256(der)
	parts := make([]string, len(sum))
	for i, b := range sum {
		parts[i] = fmt.Sprintf("%02X", b)
	}
	return strings.Join(parts, ":")
}

// selfSigned makes a certificate valid for hosts: names go in the DNS
// SANs, addresses in the IP SANs.
func selfSigned(hosts []string, now time.Time) (certPEM, keyPEM []byte, err error) {
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		return nil, nil, err
	}
	serial, err := rand.Int(rand.Reader, new(big.Int).Lsh(big.NewInt(1), 127))
	if err != nil {
		return nil, nil, err
	}
	tmpl := &x509.Certificate{
		SerialNumber:          serial,
		Subject:               pkix.Name{CommonName: "scanmail", Organization: []string{"scanmail device"}},
		NotBefore:             now.Add(-time.Hour),
		NotAfter:              now.Add(certLifetime),
		KeyUsage:              x509.KeyUsageDigitalSignature,
		ExtKeyUsage:           []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth},
		BasicConstraintsValid: true,
	}
	for _, h := range hosts {
		if ip := net.ParseIP(h); ip != nil {
			tmpl.IPAddresses = append(tmpl.IPAddresses, ip)
		} else if h != "" {
			tmpl.DNSNames = append(tmpl.DNSNames, h)
		}
	}
	if len(tmpl.DNSNames) > 0 {
		tmpl.Subject.CommonName = tmpl.DNSNames[0]
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		return nil, nil, err
	}
	keyDER, err := x509.MarshalPKCS8PrivateKey(key)
	if err != nil {
		return nil, nil, err
	}
	return pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der}),
		pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: keyDER}), nil
}

// writeSecret writes a file only the daemon's user reads, whole or not at
// all.
func writeSecret(path string, data []byte) error {
	tmp, err := os.CreateTemp(filepath.Dir(path), filepath.Base(path)+".*")
	if err != nil {
		return err
	}
	defer os.Remove(tmp.Name())
	if err := tmp.Chmod(0o600); err != nil {
		tmp.Close()
		return err
	}
	if _, err := tmp.Write(data); err != nil {
		tmp.Close()
		return err
	}
	if err := tmp.Sync(); err != nil {
		tmp.Close()
		return err
	}
	if err := tmp.Close(); err != nil {
		return err
	}
	return os.Rename(tmp.Name(), path)
}

// Certs is the certificate the pages are served with, which the admin may
// replace by the organisation's own (Install), or have signed (CSR).
type Certs struct {
	dir   string
	hosts []string
	mu    sync.RWMutex
	cert  tls.Certificate
	fp    string
	// changed, if set, hears of each certificate installed.
	changed func(fingerprint string)
}

// OnChange calls f with the new fingerprint after each certificate
// installed, for the device's status to show it; call it before serving.
func (c *Certs) OnChange(f func(fingerprint string)) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.changed = f
}

// OpenCerts loads the certificate kept in dir, or makes one (LoadCert).
func OpenCerts(dir string, hosts []string) (*Certs, error) {
	cert, fp, err := LoadCert(dir, hosts)
	if err != nil {
		return nil, err
	}
	return &Certs{dir: dir, hosts: hosts, cert: cert, fp: fp}, nil
}

// GetCertificate is for tls.Config: the certificate now.
func (c *Certs) GetCertificate(*tls.ClientHelloInfo) (*tls.Certificate, error) {
	c.mu.RLock()
	defer c.mu.RUnlock()
	return &c.cert, nil
}

// Fingerprint is the SHA-256 fingerprint of the certificate now.
func (c *Certs) Fingerprint() string {
	c.mu.RLock()
	defer c.mu.RUnlock()
	return c.fp
}

// Leaf is the certificate now.
func (c *Certs) Leaf() *x509.Certificate {
	c.mu.RLock()
	defer c.mu.RUnlock()
	return c.cert.Leaf
}

// CertError is a certificate or key the device does not take, in words.
type CertError struct{ Summary, Hint string }

func (e *CertError) Error() string { return e.Summary }

// Install checks the organisation's certificate (PEM, the chain after
// it) and key (PEM; empty: the key the device has, the one its CSR
// carries), and serves them from now on and after restarts. host is the
// name the admin reached the pages by: a certificate without it would
// lock the admin out.
func (c *Certs) Install(certPEM, keyPEM []byte, host string, now time.Time) error {
	if len(keyPEM) == 0 {
		c.mu.RLock()
		der, err := x509.MarshalPKCS8PrivateKey(c.cert.PrivateKey)
		c.mu.RUnlock()
		if err != nil {
			return err
		}
		keyPEM = pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: der})
	}
	if b, _ := pem.Decode(certPEM); b == nil || b.Type != "CERTIFICATE" {
		return &CertError{"The certificate is not a PEM certificate.", "Choose the certificate file that begins with -----BEGIN CERTIFICATE-----."}
	}
	if b, _ := pem.Decode(keyPEM); b == nil || !strings.HasSuffix(b.Type, "PRIVATE KEY") {
		return &CertError{"The key is not a PEM private key.", "Choose the key file that begins with -----BEGIN PRIVATE KEY----- (not encrypted)."}
	}
	cert, err := tls.X509KeyPair(certPEM, keyPEM)
	if err != nil {
		return &CertError{"The key does not belong to the certificate, or one of them cannot be read.", "Choose the key the certificate was issued for; leave the key out for a certificate signed from this device's request."}
	}
	leaf := cert.Leaf
	switch {
	case now.After(leaf.NotAfter):
		return &CertError{"The certificate expired on " + leaf.NotAfter.Format("2 Jan 2006") + ".", "Have a new one issued."}
	case now.Before(leaf.NotBefore):
		return &CertError{"The certificate is valid only from " + leaf.NotBefore.Format("2 Jan 2006") + ".", "Check the device's clock, or install it from that day."}
	}
	if h := strings.Trim(host, "[]"); leaf.VerifyHostname(h) != nil {
		return &CertError{"The certificate is not for " + h + ", the name this page is reached by.", "Have it issued with that name among its names (subject alternative names)."}
	}
	if err := writeSecret(filepath.Join(c.dir, KeyFile), keyPEM); err != nil {
		return err
	}
	if err := writeSecret(filepath.Join(c.dir, CertFile), certPEM); err != nil {
		return err
	}
	c.mu.Lock()
	c.cert, c.fp = cert, Fingerprint(cert.Certificate[0])
	changed, fp := c.changed, c.fp
	c.mu.Unlock()
	if changed != nil {
		changed(fp)
	}
	return nil
}

// CSR is a certificate signing request in PEM with the device's key, for
// its host names and addresses, for the organisation's CA to sign.
func (c *Certs) CSR() ([]byte, error) {
	tmpl := &x509.CertificateRequest{Subject: pkix.Name{CommonName: "scanmail"}}
	for _, h := range c.hosts {
		if ip := net.ParseIP(h); ip != nil {
			tmpl.IPAddresses = append(tmpl.IPAddresses, ip)
		} else if h != "" {
			tmpl.DNSNames = append(tmpl.DNSNames, h)
		}
	}
	if len(tmpl.DNSNames) > 0 {
		tmpl.Subject.CommonName = tmpl.DNSNames[0]
	}
	c.mu.RLock()
	key := c.cert.PrivateKey
	c.mu.RUnlock()
	der, err := x509.CreateCertificateRequest(rand.Reader, tmpl, key)
	if err != nil {
		return nil, err
	}
	return pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE REQUEST", Bytes: der}), nil
}
