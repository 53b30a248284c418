package cli

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"strings"
	"time"

	"scanmail/device/apitype"
)

func runWatch(ctx context.Context, c *Context, args []string) error {
	fs := newFlags(c, "watch", "watch [--json]")
	raw := fs.Bool("json", false, "print each change as the daemon sends it, one JSON object a line")
	if err := fs.Parse(args); err != nil {
		return err
	}
	enc := json.NewEncoder(c.Stdout)
	err := c.Client.Watch(ctx, func(n apitype.Notify) {
		if *raw {
			enc.Encode(n)
			return
		}
		printNotify(c.Stdout, n)
	})
	if err == nil && ctx.Err() == nil {
		return fmt.Errorf("the daemon ended the stream (it stopped)\n  what to do: run `scanmaild watch` again once it runs")
	}
	if ctx.Err() != nil {
		return nil // interrupted: the way a watch ends
	}
	return err
}

// printNotify writes one line for a change; a snapshot adds a line for
// each job not ended.
func printNotify(w io.Writer, n apitype.Notify) {
	at := n.Time.Local().Format(time.TimeOnly)
	switch n.Kind {
	case apitype.NotifySnapshot:
		if n.Missed > 0 {
			fmt.Fprintf(w, "%s (%d change(s) left out: this terminal was not reading)\n", at, n.Missed)
		}
		fmt.Fprintf(w, "%s now: %s\n", at, statusLine(n.Status))
		for _, j := range n.Jobs {
			fmt.Fprintf(w, "%s   %s\n", at, jobLine(apitype.JobEvent{Job: j}))
		}
	case apitype.NotifyStatus:
		fmt.Fprintf(w, "%s status: %s\n", at, statusLine(n.Status))
	case apitype.NotifySignIn:
		fmt.Fprintf(w, "%s sign-in: %s\n", at, signInLine(n.SignIn))
	case apitype.NotifyJob:
		fmt.Fprintf(w, "%s %s\n", at, jobLine(*n.Job))
	case apitype.NotifySettings:
		fmt.Fprintf(w, "%s setting: %s = %s\n", at, n.Setting.Key, n.Setting.Value)
	case apitype.NotifyBook:
		if n.Book == nil {
			fmt.Fprintf(w, "%s address book: imported\n", at)
		} else {
			fmt.Fprintf(w, "%s address book: entry %s, %s <%s>\n", at, n.Book.ID, n.Book.Name, n.Book.Address)
		}
	default:
		fmt.Fprintf(w, "%s %s\n", at, n.Kind) // from a newer daemon
	}
}

func statusLine(st *apitype.Status) string {
	if st == nil {
		return "unknown"
	}
	var parts []string
	if st.Ready {
		parts = append(parts, "ready")
	} else {
		parts = append(parts, "not ready: "+st.Problem)
	}
	if a := st.Account; a != nil {
		s := "signed in as " + a.UPN
		if a.SignInNeeded {
			s += " (sign-in needed)"
		} else if !a.NextKeepAlive.IsZero() {
			s += ", next keep-alive " + a.NextKeepAlive.Local().Format(time.DateTime)
		}
		parts = append(parts, s)
	}
	parts = append(parts, "scanner "+st.Scanner)
	if st.Waiting > 0 {
		parts = append(parts, fmt.Sprintf("%d job(s) waiting", st.Waiting))
	}
	if !st.LimitWait.IsZero() {
		parts = append(parts, "sending limit: waiting until "+st.LimitWait.Local().Format(time.TimeOnly))
	}
	parts = append(parts, fmt.Sprintf("spool %d document(s), %.1f MB", st.Spool.Documents, float64(st.Spool.Bytes)/(1<<20)))
	return strings.Join(parts, "; ")
}

func signInLine(s *apitype.SignIn) string {
	switch s.State {
	case apitype.SignInWaiting:
		return fmt.Sprintf("waiting: open %s and enter the code %s", s.VerificationURI, s.UserCode)
	case apitype.SignInDone:
		return "signed in as " + s.UPN
	case apitype.SignInFailed:
		return withHint("failed: "+s.Error, s.Hint)
	}
	return s.State
}

func jobLine(ev apitype.JobEvent) string {
	j := ev.Job
	head := fmt.Sprintf("job %d: ", j.ID)
	switch {
	case ev.Page > 0:
		return head + fmt.Sprintf("scanned page %d", ev.Page)
	case ev.Note != "":
		return head + ev.Note
	case j.State == apitype.JobSending && len(j.Parts) > 0:
		return head + fmt.Sprintf("sending (attempt %d), %d of %d parts sent", j.Attempts, j.PartsSent(), len(j.Parts))
	case j.State == apitype.JobSending:
		return head + fmt.Sprintf("sending (attempt %d) %d page(s), %d bytes, to %s", j.Attempts, j.Pages, j.Size, strings.Join(j.To, ", "))
	case j.State == apitype.JobQueued && j.Error != "" && !j.NextAttempt.IsZero():
		return head + fmt.Sprintf("not sent yet: %s; tries again at %s", j.Error, j.NextAttempt.Local().Format(time.TimeOnly))
	case j.State == apitype.JobQueued && j.Error != "":
		return head + withHint("not sent yet: "+j.Error, j.Hint)
	case j.State == apitype.JobFailed:
		return head + withHint("failed: "+j.Error, j.Hint)
	case j.State == apitype.JobSent && j.Error != "":
		return head + withHint("sent, but: "+j.Error, j.Hint)
	}
	return head + j.State
}

func withHint(s, hint string) string {
	if hint == "" {
		return s
	}
	return s + " (what to do: " + hint + ")"
}
