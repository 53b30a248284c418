package cli

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"text/tabwriter"
	"time"
)

const pinUsage = "pin status [--json] | pin set | pin reset"

// runPIN shows, sets or resets the admin PIN that guards the panel's
// admin screens. The PIN is read from the terminal without echo, or one a
// line from standard input; it is never an argument, which ps would show.
func runPIN(ctx context.Context, c *Context, args []string) error {
	verb := "status"
	if len(args) > 0 && !strings.HasPrefix(args[0], "-") {
		verb, args = args[0], args[1:]
	}
	switch verb {
	case "status":
		return runPINStatus(ctx, c, args)
	case "set":
		if len(args) == 0 {
			return runPINSet(ctx, c)
		}
	case "reset":
		if len(args) == 0 {
			return runPINReset(ctx, c)
		}
	}
	fmt.Fprintf(c.Stderr, "usage: scanmaild %s\n", pinUsage)
	return errors.New("want: pin status, pin set or pin reset")
}

func runPINStatus(ctx context.Context, c *Context, args []string) error {
	fs := newFlags(c, "pin status", "pin status [--json]")
	asJSON := fs.Bool("json", false, "print JSON (the local API's fields)")
	if err := fs.Parse(args); err != nil {
		return err
	}
	st, err := c.Client.PIN(ctx)
	if err != nil {
		return err
	}
	if *asJSON {
		return printJSON(c, st)
	}
	w := tabwriter.NewWriter(c.Stdout, 0, 0, 2, ' ', 0)
	if st.Set {
		fmt.Fprintf(w, "admin PIN:\tset\n")
	} else {
		fmt.Fprintf(w, "admin PIN:\tnot set (the first admin at the panel sets it)\n")
	}
	if st.Failures > 0 {
		fmt.Fprintf(w, "wrong tries:\t%d since the last right one\n", st.Failures)
	}
	if !st.RetryAt.IsZero() {
		fmt.Fprintf(w, "next try:\tat %s\n", st.RetryAt.Local().Format(time.DateTime))
	}
	return w.Flush()
}

func runPINSet(ctx context.Context, c *Context) error {
	st, err := c.Client.PIN(ctx)
	if err != nil {
		return err
	}
	in := newSecretReader(c, "PIN")
	var old string
	if st.Set {
		if old, err = in.read("Current PIN: "); err != nil {
			return err
		}
	}
	pin, err := in.read("New PIN (4 to 12 digits): ")
	if err != nil {
		return err
	}
	if in.tty {
		again, err := in.read("New PIN again: ")
		if err != nil {
			return err
		}
		if again != pin {
			return errSecretsDiffer("PIN")
		}
	}
	if _, err := c.Client.SetPIN(ctx, old, pin); err != nil {
		return err
	}
	fmt.Fprintln(c.Stdout, "admin PIN set")
	return nil
}

func runPINReset(ctx context.Context, c *Context) error {
	if _, err := c.Client.ResetPIN(ctx); err != nil {
		return err
	}
	fmt.Fprintln(c.Stdout, "admin PIN removed: the panel's admin screens are open until one is set again")
	return nil
}
