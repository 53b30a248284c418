package cli

import (
	"context"
	"errors"
	"fmt"
	"os"
	"strings"
	"text/tabwriter"
	"time"

	"scanmail/device/apitype"
)

const relayCertUsage = "relay-cert [show] [--json] | relay-cert install CERT.pem KEY.pem | relay-cert remove"

// runRelayCert shows, installs or removes the client certificate the
// device presents to a connector. The files are read here, where they
// are; the key goes to the daemon over the socket and is never printed.
func runRelayCert(ctx context.Context, c *Context, args []string) error {
	sub := "show"
	if len(args) > 0 && !strings.HasPrefix(args[0], "-") {
		sub, args = args[0], args[1:]
	}
	switch sub {
	case "show":
		fs := newFlags(c, "relay-cert", "relay-cert [show] [--json]: the client certificate presented to the connector")
		asJSON := fs.Bool("json", false, "print JSON (the local API's fields)")
		if err := fs.Parse(args); err != nil {
			return err
		}
		rc, err := c.Client.RelayCert(ctx)
		if err != nil {
			return err
		}
		if *asJSON {
			return printJSON(c, rc)
		}
		printRelayCert(c, rc)
		return nil
	case "install":
		fs := newFlags(c, "relay-cert install", "relay-cert install CERT.pem KEY.pem: the certificate (with its chain) and its private key, PEM")
		if err := fs.Parse(args); err != nil {
			return err
		}
		if fs.NArg() != 2 {
			fs.Usage()
			return errors.New("want the certificate file and the key file")
		}
		cert, err := os.ReadFile(fs.Arg(0))
		if err != nil {
			return err
		}
		key, err := os.ReadFile(fs.Arg(1))
		if err != nil {
			return err
		}
		rc, err := c.Client.InstallRelayCert(ctx, apitype.RelayCertInstall{Cert: string(cert), Key: string(key)})
		if err != nil {
			return err
		}
		fmt.Fprintln(c.Stdout, "installed:")
		printRelayCert(c, rc)
		return nil
	case "remove":
		fs := newFlags(c, "relay-cert remove", "relay-cert remove: the device presents no client certificate any more")
		if err := fs.Parse(args); err != nil {
			return err
		}
		if _, err := c.Client.RemoveRelayCert(ctx); err != nil {
			return err
		}
		fmt.Fprintln(c.Stdout, "removed: the device presents no client certificate")
		return nil
	}
	return fmt.Errorf("unknown relay-cert command %q\nusage: scanmaild %s", sub, relayCertUsage)
}

func printRelayCert(c *Context, rc apitype.RelayCert) {
	if !rc.Installed {
		fmt.Fprintln(c.Stdout, "no client certificate installed")
		return
	}
	w := tabwriter.NewWriter(c.Stdout, 0, 0, 2, ' ', 0)
	fmt.Fprintf(w, "subject:\t%s\n", rc.Subject)
	fmt.Fprintf(w, "names:\t%s\n", strings.Join(rc.Names, ", "))
	fmt.Fprintf(w, "issuer:\t%s\n", rc.Issuer)
	fmt.Fprintf(w, "valid:\t%s to %s\n", rc.NotBefore.Local().Format(time.DateOnly), rc.NotAfter.Local().Format(time.DateOnly))
	fmt.Fprintf(w, "fingerprint:\t%s\n", rc.Fingerprint)
	w.Flush()
}
