package cli

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"strings"

	"scanmail/device/apitype"
	"scanmail/device/localclient"
)

const scanUsage = "scan --to ADDR[,ADDR] [--to-group G]... [--to-entry ID]... [--pages N]\n" +
	"                [--mode M] [--dpi N] [--format F] [--per-page] [--subject S] [--flatbed] [--duplex]"

func runScan(ctx context.Context, c *Context, args []string) error {
	fs := newFlags(c, "scan", scanUsage)
	to := fs.String("to", "", "destination address(es), comma separated")
	var toGroups, toEntries stringList
	fs.Var(&toGroups, "to-group", "an address book group: everyone in it (again for more)")
	fs.Var(&toEntries, "to-entry", "an address book entry's ID, see scanmaild book (again for more)")
	pages := fs.Int("pages", 0, "pages the simulated scanner produces (0: the daemon's default)")
	var opts apitype.ScanOptions
	fs.StringVar(&opts.Mode, "mode", "", "colour mode for this scan: bw1, gray8, rgb24, jpeg (default: scan.mode)")
	fs.IntVar(&opts.DPI, "dpi", 0, "resolution for this scan: 75, 100, 150, 200, 300, 600 (default: scan.dpi)")
	fs.StringVar(&opts.Format, "format", "", "file format for this scan: pdf, pdf-compact, tiff, jpeg (default: scan.format)")
	fs.BoolVar(&opts.PerPage, "per-page", false, "one attachment a page (JPEG always is)")
	fs.BoolVar(&opts.Duplex, "duplex", false, "2-sided: both sides of every sheet in the feeder, front then back")
	fs.StringVar(&opts.Subject, "subject", "", "subject for this scan; {pages} and {date} are filled in (default: subject)")
	flatbed := fs.Bool("flatbed", false, "scan from the glass, a page at a time, asking after each whether another follows")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if *to == "" && len(toGroups) == 0 && len(toEntries) == 0 {
		fs.Usage()
		return errors.New("--to, --to-group or --to-entry is required")
	}
	req := apitype.ScanRequest{To: splitList(*to), Groups: toGroups, Entries: toEntries, Pages: *pages, ScanOptions: opts, Flatbed: *flatbed}
	var answers *bufio.Reader
	if c.Stdin != nil {
		answers = bufio.NewReader(c.Stdin)
	}
	job, err := c.Client.Scan(ctx, req, func(ev apitype.JobEvent) {
		if ev.Missed > 0 {
			fmt.Fprintf(c.Stdout, "(%d progress message(s) left out: this terminal was not reading)\n", ev.Missed)
		}
		switch {
		case ev.Job.MorePages:
			// The job waits for this answer; the device keeps the
			// stream's steps meanwhile.
			fmt.Fprintf(c.Stdout, "job %d: %d page(s) scanned. Another page? [y/N] ", ev.Job.ID, ev.Job.Pages)
			more := yes(answers)
			if _, err := c.Client.MorePages(ctx, ev.Job.ID, more); err != nil {
				fmt.Fprintf(c.Stderr, "job %d: %v\n", ev.Job.ID, err)
				explain(c.Stderr, err)
			}
		case ev.Note != "":
			fmt.Fprintf(c.Stdout, "job %d: %s\n", ev.Job.ID, ev.Note)
		case ev.Page > 0:
			fmt.Fprintf(c.Stdout, "scanned page %d\n", ev.Page)
		case ev.Job.State == apitype.JobScanning:
			fmt.Fprintf(c.Stdout, "job %d: scanning\n", ev.Job.ID)
		case ev.Job.State == apitype.JobSending:
			fmt.Fprintf(c.Stdout, "job %d: sending %s, %d bytes, to %s\n", ev.Job.ID, ev.Job.PagesText(), ev.Job.Size, strings.Join(ev.Job.To, ", "))
		}
	})
	if err != nil {
		return err
	}
	switch job.State {
	case apitype.JobSent:
		if len(job.Parts) == 0 {
			fmt.Fprintf(c.Stdout, "job %d: sent (Message-ID <%s>)\n", job.ID, job.MessageID)
		} else {
			fmt.Fprintf(c.Stdout, "job %d: sent in %d parts, too large for one message:\n", job.ID, len(job.Parts))
			for i, p := range job.Parts {
				fmt.Fprintf(c.Stdout, "  part %d: pages %d to %d (Message-ID <%s>)\n", i+1, p.First, p.Last, p.MessageID)
			}
		}
		if err := localclient.JobError(job); err != nil {
			fmt.Fprintf(c.Stdout, "job %d: %s\n", job.ID, err)
			explain(c.Stdout, err)
		}
		return nil
	case apitype.JobQueued:
		return fmt.Errorf("job %d is not sent yet: %w", job.ID, jobError(job))
	case apitype.JobCanceled:
		return fmt.Errorf("job %d: %s", job.ID, job.Error)
	case apitype.JobFailed:
		return fmt.Errorf("job %d failed: %w", job.ID, jobError(job))
	default:
		// The job is the device's: it goes on when a client's stream
		// ends early (a terminal stopped for long, a restart of the daemon).
		return fmt.Errorf("job %d: the progress reports stopped while it was %s; the job goes on in the device\n  what to do: run `scanmaild jobs` to see how it ends", job.ID, job.State)
	}
}

// jobError is why job is not sent, with its code for explain.
func jobError(job apitype.Job) error {
	if err := localclient.JobError(job); err != nil {
		return err
	}
	return errors.New(job.State)
}

// yes reads a line from r and reports whether it says yes; anything else,
// an empty line, the end of the input or no input says no.
func yes(r *bufio.Reader) bool {
	if r == nil {
		return false
	}
	line, _ := r.ReadString('\n')
	switch strings.ToLower(strings.TrimSpace(line)) {
	case "y", "yes":
		return true
	}
	return false
}

// splitList is a comma-separated flag's values; none when it is empty.
func splitList(s string) []string {
	if s == "" {
		return nil
	}
	return strings.Split(s, ",")
}
