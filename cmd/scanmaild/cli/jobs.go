package cli

import (
	"context"
	"fmt"
	"strings"
	"text/tabwriter"
	"time"
)

func runJobs(ctx context.Context, c *Context, args []string) error {
	fs := newFlags(c, "jobs", "jobs [-n N] [-log JOB]")
	n := fs.Int("n", 20, "how many recent jobs")
	logOf := fs.Uint64("log", 0, "print this job's SMTP log")
	if err := fs.Parse(args); err != nil {
		return err
	}
	jobs, err := c.Client.Jobs(ctx, *n)
	if err != nil {
		return err
	}
	if *logOf != 0 {
		for _, j := range jobs {
			if j.ID == *logOf {
				if len(j.SMTPLog) == 0 {
					fmt.Fprintf(c.Stdout, "job %d has no SMTP log (it did not reach the mail server)\n", j.ID)
				}
				for _, line := range j.SMTPLog {
					fmt.Fprintln(c.Stdout, line)
				}
				return nil
			}
		}
		return fmt.Errorf("job %d is not among the last %d jobs", *logOf, *n)
	}
	if len(jobs) == 0 {
		fmt.Fprintln(c.Stdout, "no jobs yet")
		return nil
	}
	w := tabwriter.NewWriter(c.Stdout, 0, 0, 2, ' ', 0)
	fmt.Fprintln(w, "JOB\tCREATED\tPAGES\tSIZE\tSTATE\tTO\tDETAIL")
	for _, j := range jobs {
		fmt.Fprintf(w, "%d\t%s\t%d\t%d\t%s\t%s\t%s\n", j.ID, j.Created.Local().Format(time.DateTime),
			j.Pages, j.Size, j.State, strings.Join(j.To, ","), j.Error)
	}
	return w.Flush()
}
