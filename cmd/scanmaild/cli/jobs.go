package cli

import (
	"context"
	"fmt"
	"strings"
	"text/tabwriter"
	"time"
)

func runJobs(ctx context.Context, c *Context, args []string) error {
	fs := newFlags(c, "jobs", "jobs [-n N]")
	n := fs.Int("n", 20, "how many recent jobs")
	if err := fs.Parse(args); err != nil {
		return err
	}
	jobs, err := c.Client.Jobs(ctx, *n)
	if err != nil {
		return err
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
