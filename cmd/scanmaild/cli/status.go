package cli

import (
	"context"
	"fmt"
	"text/tabwriter"
	"time"

	"scanmail/device/apitype"
)

func runStatus(ctx context.Context, c *Context, args []string) error {
	fs := newFlags(c, "status", "status [--json]")
	asJSON := fs.Bool("json", false, "print JSON (the local API's fields)")
	if err := fs.Parse(args); err != nil {
		return err
	}
	st, err := c.Client.Status(ctx)
	if err != nil {
		return err
	}
	if *asJSON {
		return printJSON(c, st)
	}
	w := tabwriter.NewWriter(c.Stdout, 0, 0, 2, ' ', 0)
	fmt.Fprintf(w, "provider:\t%s (%s)\n", st.ProviderName, st.Provider)
	fmt.Fprintf(w, "sends by:\t%s (%s)\n", st.RoadName, st.Road)
	if st.RoadWarning != "" {
		fmt.Fprintf(w, "warning:\t%s\n", st.RoadWarning)
	}
	fmt.Fprintf(w, "smtp server:\t%s\n", st.SMTPServer)
	fmt.Fprintf(w, "device address:\t%s\n", st.DeviceAddress)
	if a := st.Account; a != nil {
		fmt.Fprintf(w, "signed in as:\t%s (since %s)\n", a.UPN, a.SignedInAt.Local().Format(time.DateTime))
		fmt.Fprintf(w, "access token until:\t%s\n", a.TokenExpiry.Local().Format(time.DateTime))
		if !a.LastRefresh.IsZero() {
			fmt.Fprintf(w, "last refresh:\t%s (kept alive weekly)\n", a.LastRefresh.Local().Format(time.DateTime))
		}
		if !a.NextKeepAlive.IsZero() {
			fmt.Fprintf(w, "next keep-alive:\t%s\n", a.NextKeepAlive.Local().Format(time.DateTime))
		}
	} else if st.Road == "" || st.Road == apitype.RoadOAuth {
		fmt.Fprintf(w, "signed in as:\t(nobody)\n")
	}
	if st.SignIn.State == "waiting" {
		fmt.Fprintf(w, "sign-in:\twaiting: open %s and enter %s\n", st.SignIn.VerificationURI, st.SignIn.UserCode)
	}
	if st.Ready {
		fmt.Fprintf(w, "ready:\tyes\n")
	} else {
		fmt.Fprintf(w, "ready:\tno: %s\n", st.Problem)
		if st.Hint != "" {
			fmt.Fprintf(w, "what to do:\t%s\n", st.Hint)
		}
		if run := action(st.ProblemCode, ""); run != "" {
			fmt.Fprintf(w, "run:\t%s\n", run)
		}
	}
	for _, a := range st.Alerts {
		fmt.Fprintf(w, "alert:\t%s (scanmaild alerts)\n", a.Summary)
	}
	if j := st.LastJob; j != nil {
		fmt.Fprintf(w, "last job:\t#%d %s\n", j.ID, j.State)
	}
	fmt.Fprintf(w, "waiting to be sent:\t%d job(s)\n", st.Waiting)
	if !st.LimitWait.IsZero() {
		fmt.Fprintf(w, "sending limit:\ta message waits until %s\n", st.LimitWait.Local().Format(time.TimeOnly))
	}
	switch {
	case st.ScannerProblem != "":
		fmt.Fprintf(w, "scanner:\t%s: %s\n", st.Scanner, st.ScannerProblem)
	case st.Scanner != "":
		fmt.Fprintf(w, "scanner:\t%s\n", st.Scanner)
	}
	if q := st.ScannerLink; q != nil {
		fmt.Fprintf(w, "scanner link:\t%s\n", q.Text())
	}
	if st.CorruptJobs > 0 {
		fmt.Fprintf(w, "unreadable jobs:\t%d job record(s) could not be read and are skipped (the log names them)\n", st.CorruptJobs)
	}
	limit := "as much as the disk has"
	if st.Spool.MaxBytes > 0 {
		limit = fmt.Sprintf("of %.1f MB", float64(st.Spool.MaxBytes)/(1<<20))
	}
	fmt.Fprintf(w, "spool:\t%d document(s), %.1f MB %s\n", st.Spool.Documents, float64(st.Spool.Bytes)/(1<<20), limit)
	fmt.Fprintf(w, "state file:\t%s\n", st.StateFile)
	for _, u := range st.Web.URLs {
		fmt.Fprintf(w, "web pages:\t%s\n", u)
	}
	if st.Web.Fingerprint != "" {
		// What the browser shows for the certificate, to check it is
		// this device's before typing the admin password.
		fmt.Fprintf(w, "web certificate SHA-256:\t%s\n", st.Web.Fingerprint)
	}
	return w.Flush()
}
