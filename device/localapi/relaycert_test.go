package localapi_test

import (
	"context"
	"crypto/x509"
	"encoding/json"
	"encoding/pem"
	"strings"
	"testing"

	"scanmail/device/apitype"
	"scanmail/mailer/smtptest"
)

// TestRelayCertRoutes: the connector's client certificate through the
// socket: described before and after install, never its key, and removed.
func TestRelayCertRoutes(t *testing.T) {
	c := serve(t)
	ctx := context.Background()
	if _, err := c.SetConfig(ctx, "device_address", "scanner@contoso.example"); err != nil {
		t.Fatal(err)
	}
	ca, err := smtptest.NewCA()
	if err != nil {
		t.Fatal(err)
	}
	cert, err := ca.ClientCertificate("scanner.contoso.example")
	if err != nil {
		t.Fatal(err)
	}
	der, err := x509.MarshalPKCS8PrivateKey(cert.PrivateKey)
	if err != nil {
		t.Fatal(err)
	}
	req := apitype.RelayCertInstall{
		Cert: string(pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: cert.Certificate[0]})),
		Key:  string(pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: der})),
	}
	if rc, err := c.RelayCert(ctx); err != nil || rc.Installed {
		t.Fatalf("before: %+v %v", rc, err)
	}
	rc, err := c.InstallRelayCert(ctx, req)
	if err != nil || !rc.Installed || len(rc.Names) != 1 || rc.Names[0] != "scanner.contoso.example" {
		t.Fatalf("install: %+v %v", rc, err)
	}
	got, err := c.RelayCert(ctx)
	if err != nil || got.Fingerprint != rc.Fingerprint {
		t.Fatalf("get: %+v %v", got, err)
	}
	keyBody := strings.Split(req.Key, "\n")[1]
	if b, _ := json.Marshal(got); strings.Contains(string(b), keyBody) {
		t.Error("the key is in the answer")
	}
	if rc, err := c.RemoveRelayCert(ctx); err != nil || rc.Installed {
		t.Fatalf("remove: %+v %v", rc, err)
	}
	if rc, err := c.RelayCert(ctx); err != nil || rc.Installed {
		t.Fatalf("after remove: %+v %v", rc, err)
	}
}
