package smtptest

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/pem"
	"errors"
	"math/big"
	"net"
	"time"
)

// newCertificate makes an ECDSA P-256 certificate for the names and
// addresses, issued by ca, or self-signed when ca is nil: then it is its
// own CA, so a pool holding it lets a client verify the server as it would
// verify a real one: chain, name and validity. An expired one ended
// yesterday. usage says whether it is a server's or a client's.
func newCertificate(names []string, ips []net.IP, expired bool, ca *CA, usage x509.ExtKeyUsage) (tls.Certificate, *x509.Certificate, error) {
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		return tls.Certificate{}, nil, err
	}
	serial, err := rand.Int(rand.Reader, new(big.Int).Lsh(big.NewInt(1), 127))
	if err != nil {
		return tls.Certificate{}, nil, err
	}
	// Valid from a day before now, so that a device clock a little behind
	// its own still accepts it, for as long as a demo may run.
	now := time.Now()
	notBefore, notAfter := now.Add(-24*time.Hour), now.AddDate(5, 0, 0)
	if expired {
		notBefore, notAfter = now.AddDate(-1, 0, 0), now.Add(-24*time.Hour)
	}
	tmpl := &x509.Certificate{
		SerialNumber:          serial,
		Subject:               pkix.Name{CommonName: names[0], Organization: []string{"scanmail smtptest"}},
		NotBefore:             notBefore,
		NotAfter:              notAfter,
		KeyUsage:              x509.KeyUsageDigitalSignature | x509.KeyUsageCertSign,
		ExtKeyUsage:           []x509.ExtKeyUsage{usage},
		BasicConstraintsValid: true,
		IsCA:                  ca == nil,
		DNSNames:              names,
		IPAddresses:           ips,
	}
	parent, signer := tmpl, any(key)
	if ca != nil {
		parent, signer = ca.cert, ca.key
		tmpl.KeyUsage = x509.KeyUsageDigitalSignature
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, parent, &key.PublicKey, signer)
	if err != nil {
		return tls.Certificate{}, nil, err
	}
	leaf, err := x509.ParseCertificate(der)
	if err != nil {
		return tls.Certificate{}, nil, err
	}
	return tls.Certificate{Certificate: [][]byte{der}, PrivateKey: key, Leaf: leaf}, leaf, nil
}

// CA issues the certificates of servers started with it, so that a client
// trusting the CA trusts each of them, as it trusts a real server through
// its CA: a test can replace a server, or its certificate, without
// touching the client's CA bundle.
type CA struct {
	cert *x509.Certificate
	key  *ecdsa.PrivateKey
	pem  []byte
}

// NewCA makes a CA valid for five years.
func NewCA() (*CA, error) {
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		return nil, err
	}
	serial, err := rand.Int(rand.Reader, new(big.Int).Lsh(big.NewInt(1), 127))
	if err != nil {
		return nil, err
	}
	now := time.Now()
	tmpl := &x509.Certificate{
		SerialNumber:          serial,
		Subject:               pkix.Name{CommonName: "scanmail smtptest CA", Organization: []string{"scanmail smtptest"}},
		NotBefore:             now.Add(-24 * time.Hour),
		NotAfter:              now.AddDate(5, 0, 0),
		KeyUsage:              x509.KeyUsageCertSign,
		BasicConstraintsValid: true,
		IsCA:                  true,
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		return nil, err
	}
	cert, err := x509.ParseCertificate(der)
	if err != nil {
		return nil, err
	}
	return &CA{cert: cert, key: key, pem: pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der})}, nil
}

// PEM is the CA's certificate, for a client's CA bundle.
func (ca *CA) PEM() []byte { return ca.pem }

// Pool holds the CA's certificate: the Options.ClientCAs of a server that
// takes the client certificates it issues.
func (ca *CA) Pool() *x509.CertPool {
	p := x509.NewCertPool()
	p.AddCert(ca.cert)
	return p
}

// ClientCertificate issues a TLS client certificate for the DNS names
// (the first is also its CN), as an organisation's CA issues the one a
// device presents to a connector. Its Leaf is set.
func (ca *CA) ClientCertificate(names ...string) (tls.Certificate, error) {
	if len(names) == 0 {
		return tls.Certificate{}, errors.New("smtptest: a client certificate needs a name")
	}
	cert, _, err := newCertificate(names, nil, false, ca, x509.ExtKeyUsageClientAuth)
	return cert, err
}
