package webui_test

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"net"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"testing"

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
