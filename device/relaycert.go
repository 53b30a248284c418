package device

import (
	"crypto/sha256"
	"crypto/tls"
	"crypto/x509"
	"encoding/pem"
	"fmt"
	"slices"
	"strings"
	"time"

	bolt "go.etcd.io/bbolt"

	"scanmail/device/apitype"
)

// bucketRelay holds the client certificate the device presents to a
// connector, with its key. It is made when one is first installed, and a
// daemon from before it ignores it, so it needs no new schema version.
// The key never leaves it but for the TLS handshake.
var (
	bucketRelay  = []byte("relay.v1")
	keyRelayCert = []byte("cert")
)

// relayCertRecord is the certificate chain and its private key, PEM.
type relayCertRecord struct {
	Cert string `json:"cert"`
	Key  string `json:"key"`
}

func (st *Store) relayCert() (relayCertRecord, bool, error) {
	var r relayCertRecord
	var ok bool
	err := st.db.View(func(tx *bolt.Tx) error {
		b := tx.Bucket(bucketRelay)
		if b == nil {
			return nil
		}
		var err error
		ok, err = getJSON(b, keyRelayCert, &r)
		return err
	})
	return r, ok, err
}

// putRelayCert stores r; nil removes it.
func (st *Store) putRelayCert(r *relayCertRecord) error {
	return st.db.Update(func(tx *bolt.Tx) error {
		b, err := tx.CreateBucketIfNotExists(bucketRelay)
		if err != nil {
			return err
		}
		if r == nil {
			return b.Delete(keyRelayCert)
		}
		return putJSON(b, keyRelayCert, r)
	})
}

// RelayCert describes the client certificate the device presents to a
// connector; never its key.
func (d *Device) RelayCert() (apitype.RelayCert, error) {
	r, ok, err := d.store.relayCert()
	if err != nil || !ok {
		return apitype.RelayCert{}, err
	}
	pair, err := tls.X509KeyPair([]byte(r.Cert), []byte(r.Key))
	if err != nil {
		return apitype.RelayCert{}, err
	}
	return describeRelayCert(pair.Leaf), nil
}

// InstallRelayCert checks the certificate chain and key and installs
// them: the key must match, the certificate be valid now, and one of its
// names be one of the organisation's domains or under one (the accepted
// domains, else the device address's), as a connector that recognises a
// device by its certificate wants.
func (d *Device) InstallRelayCert(req apitype.RelayCertInstall) (apitype.RelayCert, error) {
	s, err := d.store.Settings()
	if err != nil {
		return apitype.RelayCert{}, err
	}
	pair, err := checkRelayCert(req, s.acceptedDomains(), d.now)
	if err != nil {
		return apitype.RelayCert{}, err
	}
	if err := d.store.putRelayCert(&relayCertRecord{Cert: req.Cert, Key: req.Key}); err != nil {
		return apitype.RelayCert{}, err
	}
	rc := describeRelayCert(pair.Leaf)
	d.log.Info("relay client certificate installed", "subject", rc.Subject, "names", rc.Names, "not_after", rc.NotAfter, "fingerprint", rc.Fingerprint)
	d.statusChanged()
	return rc, nil
}

// RemoveRelayCert removes the client certificate and its key.
func (d *Device) RemoveRelayCert() (apitype.RelayCert, error) {
	if err := d.store.putRelayCert(nil); err != nil {
		return apitype.RelayCert{}, err
	}
	d.log.Info("relay client certificate removed")
	d.statusChanged()
	return apitype.RelayCert{}, nil
}

// relayClientCert is the certificate to present to a connector; nil when
// none is installed.
func (d *Device) relayClientCert() (*tls.Certificate, error) {
	r, ok, err := d.store.relayCert()
	if err != nil || !ok {
		return nil, err
	}
	pair, err := tls.X509KeyPair([]byte(r.Cert), []byte(r.Key))
	if err != nil {
		return nil, &Error{Summary: "The connector's client certificate cannot be read", Hint: "Install the certificate and its key again.", Err: err, Code: apitype.CodeRelayCertInvalid}
	}
	return &pair, nil
}

// relayCertError is a certificate refused, in words.
func relayCertError(summary, hint string, err error) error {
	return &Error{Summary: summary, Hint: hint, Err: err, Code: apitype.CodeRelayCertInvalid}
}

// checkRelayCert is the installable pair of req, or why it is refused.
func checkRelayCert(req apitype.RelayCertInstall, domains []string, now func() time.Time) (tls.Certificate, error) {
	if !strings.Contains(req.Cert, "-----BEGIN CERTIFICATE-----") {
		return tls.Certificate{}, relayCertError("The certificate is not a PEM certificate",
			"Give the certificate (and its chain) as PEM, the text that begins with -----BEGIN CERTIFICATE-----.", nil)
	}
	if block, _ := pem.Decode([]byte(req.Key)); block == nil || !strings.Contains(block.Type, "PRIVATE KEY") {
		return tls.Certificate{}, relayCertError("The key is not a PEM private key",
			"Give the certificate's private key as PEM, the text that begins with -----BEGIN PRIVATE KEY----- (unencrypted).", nil)
	}
	pair, err := tls.X509KeyPair([]byte(req.Cert), []byte(req.Key))
	if err != nil {
		if strings.Contains(err.Error(), "does not match") {
			return pair, relayCertError("The key does not belong to the certificate", "Give the private key the certificate was issued for.", err)
		}
		return pair, relayCertError("The certificate or its key cannot be read", "Give the certificate and its private key as PEM.", err)
	}
	leaf := pair.Leaf
	const day = "2006-01-02"
	switch t := now(); {
	case t.After(leaf.NotAfter):
		return pair, relayCertError(fmt.Sprintf("The certificate expired on %s", leaf.NotAfter.UTC().Format(day)),
			"Renew the certificate and install the new one.", nil)
	case t.Before(leaf.NotBefore):
		return pair, relayCertError(fmt.Sprintf("The certificate is valid only from %s", leaf.NotBefore.UTC().Format(day)),
			"Install it from that day on, or check the device's clock.", nil)
	}
	if len(leaf.ExtKeyUsage) > 0 && !slices.Contains(leaf.ExtKeyUsage, x509.ExtKeyUsageClientAuth) && !slices.Contains(leaf.ExtKeyUsage, x509.ExtKeyUsageAny) {
		return pair, relayCertError("The certificate is not for client authentication",
			"Use a certificate whose extended key usage includes client authentication (TLS Web Client Authentication).", nil)
	}
	if len(domains) == 0 {
		return pair, relayCertError("The organisation's domains are not known",
			"Set the device address or the accepted domains first: the certificate's name must be in one of them.", nil)
	}
	names := certNames(leaf)
	for _, n := range names {
		if nameInDomains(n, domains) {
			return pair, nil
		}
	}
	return pair, relayCertError(
		fmt.Sprintf("The certificate is for %s, not in the organisation's domains (%s)", strings.Join(names, ", "), strings.Join(domains, ", ")),
		"The connector recognises the device by a certificate whose name is one of the organisation's domains or under one: use such a certificate, or add the domain to the accepted domains.", nil)
}

// certNames are the certificate's DNS names, else its common name.
func certNames(c *x509.Certificate) []string {
	if len(c.DNSNames) > 0 {
		return c.DNSNames
	}
	if c.Subject.CommonName != "" {
		return []string{c.Subject.CommonName}
	}
	return nil
}

// nameInDomains reports whether the DNS name (a wildcard allowed) is one
// of domains or under one.
func nameInDomains(name string, domains []string) bool {
	name = strings.TrimPrefix(strings.TrimSuffix(strings.ToLower(name), "."), "*.")
	for _, d := range domains {
		if name == d || strings.HasSuffix(name, "."+d) {
			return true
		}
	}
	return false
}

// describeRelayCert is c as front ends show it.
func describeRelayCert(c *x509.Certificate) apitype.RelayCert {
	sum := sha256.Sum256(c.Raw)
	hex := make([]string, len(sum))
	for i, b := range sum {
		hex[i] = fmt.Sprintf("%02X", b)
	}
	return apitype.RelayCert{
		Installed:   true,
		Subject:     c.Subject.String(),
		Names:       certNames(c),
		Issuer:      c.Issuer.String(),
		NotBefore:   c.NotBefore,
		NotAfter:    c.NotAfter,
		Fingerprint: strings.Join(hex, ":"),
	}
}
