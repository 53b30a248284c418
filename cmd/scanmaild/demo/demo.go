// Package demo runs scanmail with everything it talks to on this machine:
// a local identity provider that speaks the device flow like Microsoft's,
// and an SMTP server that wants STARTTLS, checks XOAUTH2 against it and
// saves each message as .eml. The same server takes the demo account's
// password and is the organisation's MX endpoint, with a connector that
// recognises the client certificate the demo writes, so that every road
// can be tried without a tenant. It is a demo part, wired only by -demo; the
// product code knows nothing of it.
package demo

import (
	"crypto/x509"
	"encoding/pem"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"strings"

	"scanmail/device"
	"scanmail/device/idptest"
	"scanmail/device/mstest"
	"scanmail/mailer/smtptest"
)

// ClientID is the demo's app registration.
const ClientID = "scanmail-demo"

// Account is the address the guide suggests signing in as.
const Account = "scanner@contoso.example"

// Password is the demo account's password, for the password road. It is
// no secret: the guide shows it.
const Password = "demo-password"

// Domain is the demo organisation's accepted domain: direct send reaches
// it alone.
const Domain = "contoso.example"

// RelayCert and RelayKey are the files, in Config.CertDir, of the client
// certificate the demo's connector recognises, for relay-cert install.
const (
	RelayCert = "demo-relay.pem"
	RelayKey  = "demo-relay.key"
)

// maxMessageMB is the demo mailbox's largest message, Exchange Online's
// default.
const maxMessageMB = 35

// Config is what the demo needs from the daemon.
type Config struct {
	MailDir string // where .eml files go
	Socket  string // the local API socket, to show the CLI
	Binary  string // how scanmaild was started, to show the CLI
	LogFile string
	CertDir string   // where the connector's client certificate and key are written
	Web     []string // the admin's web pages, if served
	Logger  *slog.Logger
}

// Demo is the demo's identity provider and SMTP server, running.
type Demo struct {
	ms  *mstest.Microsoft
	cfg Config
}

// Start starts the local identity provider and SMTP server and points the
// device at them. Close stops them.
func Start(dev *device.Device, cfg Config) (*Demo, error) {
	ca, err := smtptest.NewCA()
	if err != nil {
		return nil, fmt.Errorf("demo: %w", err)
	}
	if err := writeRelayCert(ca, cfg.CertDir); err != nil {
		return nil, fmt.Errorf("demo: %w", err)
	}
	ms, err := mstest.Start(mstest.Options{
		IdP: idptest.Options{ClientID: ClientID, Logger: cfg.Logger.With("part", "demo-idp")},
		SMTP: smtptest.Options{
			Addr:   "127.0.0.1:0",
			Domain: "localhost",
			Dir:    cfg.MailDir,
			Logger: cfg.Logger.With("part", "demo-smtp"),
			// Exchange Online's default MaxSendSize: long demo scans go
			// as numbered parts, as they would there.
			MaxMessageBytes: maxMessageMB << 20,
			// The same server is the password road's submission server and
			// the organisation's MX endpoint, for direct send and relay:
			// one place where the mail of every road lands.
			Passwords:        map[string]string{Account: Password},
			AcceptedDomains:  []string{Domain},
			CA:               ca,
			ClientCAs:        ca.Pool(),
			ConnectorDomains: []string{Domain},
		},
	})
	if err != nil {
		return nil, fmt.Errorf("demo: %w", err)
	}
	if err := configure(dev, ms); err != nil {
		ms.Close()
		return nil, err
	}
	return &Demo{ms: ms, cfg: cfg}, nil
}

// Close stops the demo's servers.
func (d *Demo) Close() { d.ms.Close() }

// configure points the device at the demo's servers. Their ports and the
// identity provider's memory are new each run, so a sign-in from an
// earlier run is forgotten rather than left to fail, and so is its
// account: the first sign-in of a run makes its account the device's.
// So is a client certificate of an earlier run, whose CA the connector no
// longer knows. Each run starts on the sign-in road, which the guide's
// first step is.
func configure(dev *device.Device, ms *mstest.Microsoft) error {
	settings := append(ms.Settings(),
		[2]string{"tenant", "organizations"},
		[2]string{"limits.max_message_mb", fmt.Sprint(maxMessageMB)},
		[2]string{"road", "oauth"},
		[2]string{"mx.host", "localhost"},
		[2]string{"mx.port", fmt.Sprint(ms.SMTP.Port())},
		[2]string{"mx.ca_bundle", string(ms.SMTP.CertPEM())},
		[2]string{"mx.accepted_domains", Domain},
		// Alerts go to the demo's admin by direct send, and land with
		// the rest of the mail.
		[2]string{"alerts.to", "admin@" + Domain},
	)
	for _, kv := range settings {
		if _, err := dev.SetConfig(kv[0], kv[1]); err != nil {
			return fmt.Errorf("demo settings: %w", err)
		}
	}
	if err := dev.SignOut(); err != nil {
		return fmt.Errorf("demo: %w", err)
	}
	if rc, err := dev.RelayCert(); err != nil || rc.Installed {
		if _, err := dev.RemoveRelayCert(); err != nil {
			return fmt.Errorf("demo: %w", err)
		}
	}
	if _, err := dev.SetConfig("device_address", ""); err != nil {
		return fmt.Errorf("demo settings: %w", err)
	}
	return nil
}

// writeRelayCert writes a client certificate for the demo's domain,
// issued by ca, and its key to dir, for the admin to install as a real
// admin installs one the organisation's CA issued: the demo installs
// nothing itself.
func writeRelayCert(ca *smtptest.CA, dir string) error {
	cert, err := ca.ClientCertificate("scanner." + Domain)
	if err != nil {
		return err
	}
	key, err := x509.MarshalPKCS8PrivateKey(cert.PrivateKey)
	if err != nil {
		return err
	}
	files := []struct {
		name  string
		block *pem.Block
	}{
		{RelayCert, &pem.Block{Type: "CERTIFICATE", Bytes: cert.Certificate[0]}},
		{RelayKey, &pem.Block{Type: "PRIVATE KEY", Bytes: key}},
	}
	for _, f := range files {
		if err := os.WriteFile(filepath.Join(dir, f.name), pem.EncodeToMemory(f.block), 0o600); err != nil {
			return err
		}
	}
	return nil
}

// Guide is what a newcomer needs beside the panel: what runs where, what
// to do, and where the last mail landed.
func (d *Demo) Guide() []string {
	login := d.ms.IdPURL + "/devicelogin"
	lines := []string{
		"scanmail demo: the identity provider " + d.ms.IdPURL + " and the SMTP server localhost:" + fmt.Sprint(d.ms.SMTP.Port()) + " run on this machine.",
		"1. Sign in (the admin, once): Tab (Menu), choose an admin PIN (any 4 digits, twice), then Sign in. On a phone or in a browser",
		"   open " + login + " (the QR code), enter the code shown, sign in as " + Account + " and approve.",
		"   No browser? curl -d step=account -d code=CODE -d username=" + Account + " -d action=approve " + login,
	}
	if len(d.cfg.Web) > 0 {
		lines = append(lines, "   Or sign in from the admin's web pages: "+strings.Join(d.cfg.Web, " ")+" (first visit: choose their password).")
	}
	lines = append(lines,
		"2. Scan to email (the operator): Enter on Scan to Email, choose or type an address, then F5 (Start).",
		"Mail is saved in "+d.cfg.MailDir+"/, the log in "+d.cfg.LogFile+".",
		"Command line, in another terminal: "+d.cfg.Binary+" -socket "+d.cfg.Socket+" status",
		"Other roads, no sign-in: config set road direct device_address "+Account+" (or road password or relay), or the web pages' settings.",
		"   mx.* is the SMTP server above; password: "+Password+" (config set password.secret -); relay: relay-cert install "+
			shortPath(filepath.Join(d.cfg.CertDir, RelayCert))+" "+shortPath(filepath.Join(d.cfg.CertDir, RelayKey)),
	)
	if msgs := d.ms.SMTP.Messages(); len(msgs) > 0 {
		last := msgs[len(msgs)-1].Path
		if rel, err := filepath.Rel(filepath.Dir(d.cfg.MailDir), last); err == nil {
			last = rel
		}
		lines = append(lines, fmt.Sprintf("Mail received: %d; the last saved as %s", len(msgs), last))
	}
	return lines
}

// shortPath is path relative to the working directory, where the guide's
// commands are typed, when it is under it.
func shortPath(path string) string {
	wd, err := os.Getwd()
	if err != nil {
		return path
	}
	if rel, err := filepath.Rel(wd, path); err == nil && filepath.IsLocal(rel) {
		return rel
	}
	return path
}
