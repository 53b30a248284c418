package cli

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"text/tabwriter"
	"time"
)

const passwordUsage = "password status [--json] | password set | password reset"

// runPassword shows, sets or resets the admin password of the web pages.
// The password is read as the PIN is (secretReader).
func runPassword(ctx context.Context, c *Context, args []string) error {
	verb := "status"
	if len(args) > 0 && !strings.HasPrefix(args[0], "-") {
		verb, args = args[0], args[1:]
	}
	switch verb {
	case "status":
		return runPasswordStatus(ctx, c, args)
	case "set":
		if len(args) == 0 {
			return runPasswordSet(ctx, c)
		}
	case "reset":
		if len(args) == 0 {
			return runPasswordReset(ctx, c)
		}
	}
	fmt.Fprintf(c.Stderr, "usage: scanmaild %s\n", passwordUsage)
	return errors.New("want: password status, password set or password reset")
}

func runPasswordStatus(ctx context.Context, c *Context, args []string) error {
	fs := newFlags(c, "password status", "password status [--json]")
	asJSON := fs.Bool("json", false, "print JSON (the local API's fields)")
	if err := fs.Parse(args); err != nil {
		return err
	}
	st, err := c.Client.Password(ctx)
	if err != nil {
		return err
	}
	if *asJSON {
		return printJSON(c, st)
	}
	w := tabwriter.NewWriter(c.Stdout, 0, 0, 2, ' ', 0)
	if st.Set {
		fmt.Fprintf(w, "admin password:\tset\n")
	} else {
		fmt.Fprintf(w, "admin password:\tnot set (the first visit to the web pages sets it)\n")
	}
	if st.Failures > 0 {
		fmt.Fprintf(w, "wrong tries:\t%d since the last right one\n", st.Failures)
	}
	if !st.RetryAt.IsZero() {
		fmt.Fprintf(w, "next try:\tat %s\n", st.RetryAt.Local().Format(time.DateTime))
	}
	return w.Flush()
}

func runPasswordSet(ctx context.Context, c *Context) error {
	st, err := c.Client.Password(ctx)
	if err != nil {
		return err
	}
	in := newSecretReader(c, "password")
	var old string
	if st.Set {
		if old, err = in.read("Current password: "); err != nil {
			return err
		}
	}
	pw, err := in.read("New password (at least 10 characters): ")
	if err != nil {
		return err
	}
	if in.tty {
		again, err := in.read("New password again: ")
		if err != nil {
			return err
		}
		if again != pw {
			return errSecretsDiffer("password")
		}
	}
	if _, err := c.Client.SetPassword(ctx, old, pw); err != nil {
		return err
	}
	fmt.Fprintln(c.Stdout, "admin password set; every web session ended")
	return nil
}

func runPasswordReset(ctx context.Context, c *Context) error {
	if _, err := c.Client.ResetPassword(ctx); err != nil {
		return err
	}
	fmt.Fprintln(c.Stdout, "admin password removed and every web session ended: the next visit to the web pages sets one")
	return nil
}
