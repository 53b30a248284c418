package cli

import (
	"context"
	"fmt"
	"strconv"
	"strings"
	"text/tabwriter"
	"time"

	"scanmail/device/apitype"
)

func runJobs(ctx context.Context, c *Context, args []string) error {
	fs := newFlags(c, "jobs", "jobs [-n N] [--json] [-log JOB] [-cancel JOB] [-resend JOB]")
	asJSON := fs.Bool("json", false, "print JSON (the local API's fields); with -log, the job with its log")
	n := fs.Int("n", 20, "how many recent jobs")
	logOf := fs.Uint64("log", 0, "print this job's SMTP log")
	cancel := fs.Uint64("cancel", 0, "cancel this job, scanning or waiting to be sent")
	resend := fs.Uint64("resend", 0, "send this failed job again, once its cause is fixed")
	if err := fs.Parse(args); err != nil {
		return err
	}
	switch {
	case *cancel != 0:
		job, err := c.Client.CancelJob(ctx, *cancel)
		if err != nil {
			return err
		}
		fmt.Fprintf(c.Stdout, "job %d canceled; its document is removed\n", job.ID)
		return nil
	case *resend != 0:
		job, err := c.Client.ResendJob(ctx, *resend)
		if err != nil {
			return err
		}
		fmt.Fprintf(c.Stdout, "job %d queued again; see `scanmaild jobs` for how it goes\n", job.ID)
		return nil
	}
	if *logOf != 0 {
		j, err := c.Client.Job(ctx, *logOf)
		if err != nil {
			return err
		}
		if *asJSON {
			return printJSON(c, j)
		}
		if len(j.SMTPLog) == 0 {
			fmt.Fprintf(c.Stdout, "job %d has no SMTP log (it did not reach the mail server)\n", j.ID)
		}
		for _, line := range j.SMTPLog {
			fmt.Fprintln(c.Stdout, line)
		}
		return nil
	}
	jobs, err := c.Client.Jobs(ctx, *n)
	if err != nil {
		return err
	}
	if *asJSON {
		return printJSON(c, jobs)
	}
	if len(jobs) == 0 {
		fmt.Fprintln(c.Stdout, "no jobs yet")
		return nil
	}
	w := tabwriter.NewWriter(c.Stdout, 0, 0, 2, ' ', 0)
	fmt.Fprintln(w, "JOB\tCREATED\tPAGES\tSIZE\tSTATE\tTRIES\tTO\tDETAIL")
	for _, j := range jobs {
		pages := strconv.Itoa(j.Pages)
		if b := j.BlankText(); b != "" {
			pages += " (" + b + ")"
		}
		fmt.Fprintf(w, "%d\t%s\t%s\t%d\t%s\t%d\t%s\t%s\n", j.ID, j.Created.Local().Format(time.DateTime),
			pages, j.Size, jobState(j), j.Attempts, strings.Join(j.To, ","), jobDetail(j))
	}
	return w.Flush()
}

// jobDetail is why the job failed, and how the scanner link's line was
// when it was not clean.
func jobDetail(j apitype.Job) string {
	var d []string
	if j.Error != "" {
		d = append(d, j.Error)
	}
	if q := j.Link; q != nil && (q.Verdict == apitype.LinkSomeNoise || q.Verdict == apitype.LinkNoisy) {
		d = append(d, "scanner link: "+q.Text())
	}
	return strings.Join(d, "; ")
}

// jobState is the job's state, with how far a job sent in parts got.
func jobState(j apitype.Job) string {
	if len(j.Parts) == 0 {
		return j.State
	}
	sent := j.PartsSent()
	if sent == len(j.Parts) {
		return fmt.Sprintf("%s (%d parts)", j.State, len(j.Parts))
	}
	return fmt.Sprintf("%s (%d of %d parts sent)", j.State, sent, len(j.Parts))
}
