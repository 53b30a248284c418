// Package demo runs scanmail with everything it talks to on this machine:
// a local identity provider that speaks the device flow like Microsoft's,
// and an SMTP server that wants STARTTLS and checks XOAUTH2 against it and
// saves each message as .eml. It is a demo part, wired only by -demo; the
// product code knows nothing of it.
package demo

import (
	"bufio"
	"context"
	"fmt"
	"io"
	"log/slog"
	"strings"

	"scanmail/device"
	"scanmail/device/idptest"
	"scanmail/device/mstest"
	"scanmail/mailer/smtptest"
)

// ClientID is the demo's app registration.
const ClientID = "scanmail-demo"

// Config is what the demo needs from the daemon.
type Config struct {
	MailDir string // where .eml files go
	Socket  string // the local API socket, to show the CLI
	Binary  string // how scanmaild was started, to show the CLI
	LogFile string
	Logger  *slog.Logger
	In      io.Reader
	Out     io.Writer
}

// Run starts the local identity provider and SMTP server, points the device
// at them, and runs the guided console until ctx ends or the person quits.
func Run(ctx context.Context, dev *device.Device, cfg Config) error {
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
		return fmt.Errorf("demo: %w", err)
	}
	defer ms.Close()

	if err := configure(dev, ms); err != nil {
		return err
	}
	c := &console{
		dev:     dev,
		cfg:     cfg,
		idpURL:  ms.IdPURL,
		mail:    ms.SMTP,
		out:     cfg.Out,
		lines:   readLines(ctx, cfg.In),
		defRcpt: "reception@contoso.example",
	}
	return c.run(ctx)
}

// maxMessageMB is the demo mailbox's largest message, Exchange Online's
// default.
const maxMessageMB = 35

// configure points the device at the demo's servers. Their ports and the
// identity provider's memory are new each run, so a sign-in from an
// earlier run is forgotten rather than left to fail.
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
	return nil
}

// readLines delivers the lines typed on in; the channel closes at EOF or
// when ctx ends.
func readLines(ctx context.Context, in io.Reader) <-chan string {
	ch := make(chan string)
	go func() {
		defer close(ch)
		sc := bufio.NewScanner(in)
		for sc.Scan() {
			select {
			case ch <- strings.TrimSpace(sc.Text()):
			case <-ctx.Done():
				return
			}
		}
	}()
	return ch
}
