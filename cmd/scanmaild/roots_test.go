package main

import (
	"bytes"
	"crypto/x509"
	"os"
	"os/exec"
	"slices"
	"testing"
)

// rootsChildEnv marks the copy of the test binary that TestFallbackRoots
// runs without a system certificate store.
const rootsChildEnv = "SCANMAILD_TEST_ROOTS_CHILD"

// TestFallbackRoots: on a board without a CA store (SSL_CERT_FILE and
// SSL_CERT_DIR pointing at nothing, so Go finds no system roots), the
// daemon still trusts the roots Microsoft's servers chain to. The system
// roots are read once a process, so the check runs in a fresh one.
func TestFallbackRoots(t *testing.T) {
	if os.Getenv(rootsChildEnv) != "" {
		pool, err := x509.SystemCertPool()
		if err != nil {
			t.Fatalf("no system pool: %v", err)
		}
		//lint:ignore SA1019 the pool is not the platform verifier's; its subjects are there
		subjects := pool.Subjects()
		for _, root := range []string{"DigiCert Global Root G2", "ISRG Root X1"} {
			if !slices.ContainsFunc(subjects, func(s []byte) bool { return bytes.Contains(s, []byte(root)) }) {
				t.Errorf("%s is not trusted (%d roots)", root, len(subjects))
			}
		}
		return
	}
	t.Parallel()
	cmd := exec.Command(os.Args[0], "-test.run=^TestFallbackRoots$", "-test.count=1", "-test.v")
	cmd.Env = append(os.Environ(), rootsChildEnv+"=1", "SSL_CERT_FILE=/nonexistent", "SSL_CERT_DIR=/nonexistent")
	out, err := cmd.CombinedOutput()
	if err != nil || !bytes.Contains(out, []byte("--- PASS: TestFallbackRoots")) {
		t.Fatalf("without a CA store: %v\n%s", err, out)
	}
}
