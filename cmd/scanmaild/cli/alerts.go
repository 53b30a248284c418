package cli

import (
	"context"
	"flag"
	"fmt"
	"io"
	"strings"
	"time"

	"scanmail/device/apitype"
)

const alertsUsage = "alerts [list] [--json] | alerts ack KIND"

func runAlerts(ctx context.Context, c *Context, args []string) error {
	sub := "list"
	if len(args) > 0 && !strings.HasPrefix(args[0], "-") {
		sub, args = args[0], args[1:]
	}
	switch sub {
	case "list":
		return runAlertsList(ctx, c, args)
	case "ack":
		if len(args) == 1 {
			st, err := c.Client.AckAlert(ctx, args[0])
			if err != nil {
				return err
			}
			fmt.Fprintf(c.Stdout, "alert %s acknowledged; %d alert(s) left\n", args[0], len(st.Alerts))
			return nil
		}
	}
	fmt.Fprintf(c.Stderr, "usage: scanmaild %s\n", alertsUsage)
	return flag.ErrHelp
}

func runAlertsList(ctx context.Context, c *Context, args []string) error {
	fs := newFlags(c, "alerts", "alerts [list] [--json]")
	asJSON := fs.Bool("json", false, "print JSON (the local API's fields)")
	if err := fs.Parse(args); err != nil {
		return err
	}
	st, err := c.Client.Status(ctx)
	if err != nil {
		return err
	}
	if *asJSON {
		return printJSON(c, st.Alerts)
	}
	if len(st.Alerts) == 0 {
		fmt.Fprintln(c.Stdout, "no alerts")
		return nil
	}
	for _, a := range st.Alerts {
		printAlert(c.Stdout, a)
	}
	return nil
}

// printAlert prints one alert: what happened, when, what to do, whether
// it was mailed, and the command that acknowledges it.
func printAlert(w io.Writer, a apitype.Alert) {
	fmt.Fprintf(w, "%s: %s\n", a.Kind, a.Summary)
	when := a.Last.Local().Format(time.DateTime)
	if a.Count > 1 {
		when = fmt.Sprintf("%d times, first %s, last %s", a.Count, a.First.Local().Format(time.DateTime), when)
	}
	fmt.Fprintf(w, "  when: %s\n", when)
	if !a.Resolved.IsZero() {
		fmt.Fprintf(w, "  resolved: %s (the cause went away)\n", a.Resolved.Local().Format(time.DateTime))
	}
	fmt.Fprintf(w, "  what to do: %s\n", a.Hint)
	switch {
	case a.MailError != "":
		fmt.Fprintf(w, "  mail: not sent: %s\n", a.MailError)
	case !a.Mailed.IsZero():
		fmt.Fprintf(w, "  mail: sent to %s at %s\n", a.MailedTo, a.Mailed.Local().Format(time.DateTime))
	}
	fmt.Fprintf(w, "  run: scanmaild alerts ack %s\n", a.Kind)
}
