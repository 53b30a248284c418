package cli

import (
	"context"
	"fmt"
	"strings"
	"text/tabwriter"
	"time"

	"scanmail/device/localclient"
)

// secretState is what the device says of an admin secret (apitype's
// PINState and PasswordState).
type secretState struct {
	Set      bool
	Failures int
	RetryAt  time.Time
}

// secretCommand is the pin or password command: the same three actions
// on one of the device's admin secrets. The secret is read from the
// terminal without echo, or one a line from standard input; it is never
// an argument, which ps would show.
type secretCommand struct {
	name, noun string // "pin", "PIN"
	rule       string // what a new one must be, for the prompt
	notSet     string // who sets it while none is
	setDone    string // what setting it did
	resetDone  string // what removing it did
	status     func(context.Context, *localclient.Client) (any, secretState, error)
	set        func(ctx context.Context, c *localclient.Client, old, new string) error
	reset      func(context.Context, *localclient.Client) error
}

func (sc secretCommand) usage() string {
	return fmt.Sprintf("%[1]s status [--json] | %[1]s set | %[1]s reset", sc.name)
}

func (sc secretCommand) run(ctx context.Context, c *Context, args []string) error {
	verb := "status"
	if len(args) > 0 && !strings.HasPrefix(args[0], "-") {
		verb, args = args[0], args[1:]
	}
	switch verb {
	case "status":
		return sc.runStatus(ctx, c, args)
	case "set":
		if len(args) == 0 {
			return sc.runSet(ctx, c)
		}
	case "reset":
		if len(args) == 0 {
			if err := sc.reset(ctx, c.Client); err != nil {
				return err
			}
			fmt.Fprintln(c.Stdout, sc.resetDone)
			return nil
		}
	}
	fmt.Fprintf(c.Stderr, "usage: scanmaild %s\n", sc.usage())
	return fmt.Errorf("want: %[1]s status, %[1]s set or %[1]s reset", sc.name)
}

func (sc secretCommand) runStatus(ctx context.Context, c *Context, args []string) error {
	fs := newFlags(c, sc.name+" status", sc.name+" status [--json]")
	asJSON := fs.Bool("json", false, "print JSON (the local API's fields)")
	if err := fs.Parse(args); err != nil {
		return err
	}
	raw, st, err := sc.status(ctx, c.Client)
	if err != nil {
		return err
	}
	if *asJSON {
		return printJSON(c, raw)
	}
	w := tabwriter.NewWriter(c.Stdout, 0, 0, 2, ' ', 0)
	if st.Set {
		fmt.Fprintf(w, "admin %s:\tset\n", sc.noun)
	} else {
		fmt.Fprintf(w, "admin %s:\tnot set (%s)\n", sc.noun, sc.notSet)
	}
	if st.Failures > 0 {
		fmt.Fprintf(w, "wrong tries:\t%d since the last right one\n", st.Failures)
	}
	if !st.RetryAt.IsZero() {
		fmt.Fprintf(w, "next try:\tat %s\n", st.RetryAt.Local().Format(time.DateTime))
	}
	return w.Flush()
}

func (sc secretCommand) runSet(ctx context.Context, c *Context) error {
	_, st, err := sc.status(ctx, c.Client)
	if err != nil {
		return err
	}
	in := newSecretReader(c, sc.noun)
	var old string
	if st.Set {
		if old, err = in.read("Current " + sc.noun + ": "); err != nil {
			return err
		}
	}
	secret, err := in.read("New " + sc.noun + " (" + sc.rule + "): ")
	if err != nil {
		return err
	}
	if in.tty {
		again, err := in.read("New " + sc.noun + " again: ")
		if err != nil {
			return err
		}
		if again != secret {
			return errSecretsDiffer(sc.noun)
		}
	}
	if err := sc.set(ctx, c.Client, old, secret); err != nil {
		return err
	}
	fmt.Fprintln(c.Stdout, sc.setDone)
	return nil
}
