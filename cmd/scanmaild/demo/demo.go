// Package demo runs scanmail with everything it talks to on this machine:
// a local identity provider that speaks the device flow like Microsoft's,
// and an SMTP server that wants STARTTLS and checks XOAUTH2 against it and
// saves each message as .eml. It is a demo part, wired only by -demo; the
// product code knows nothing of it.
package demo

import (
	"fmt"
	"log/slog"
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

// maxMessageMB is the demo mailbox's largest message, Exchange Online's
// default.
const maxMessageMB = 35

// Config is what the demo needs from the daemon.
type Config struct {
	MailDir string // where .eml files go
	Socket  string // the local API socket, to show the CLI
	Binary  string // how scanmaild was started, to show the CLI
	LogFile string
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
func configure(dev *device.Device, ms *mstest.Microsoft) error {
	settings := append(ms.Settings(),
		[2]string{"tenant", "organizations"},
		[2]string{"limits.max_message_mb", fmt.Sprint(maxMessageMB)},
	)
	for _, kv := range settings {
		if _, err := dev.SetConfig(kv[0], kv[1]); err != nil {
			return fmt.Errorf("demo settings: %w", err)
		}
	}
	if err := dev.SignOut(); err != nil {
		return fmt.Errorf("demo: %w", err)
	}
	if _, err := dev.SetConfig("device_address", ""); err != nil {
		return fmt.Errorf("demo settings: %w", err)
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
