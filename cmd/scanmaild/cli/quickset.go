package cli

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"strconv"
	"strings"
	"text/tabwriter"

	"scanmail/device/apitype"
)

const quickSetUsage = "quickset [list] [--json] | quickset add --name N [--to A]... [--entry ID]... [--group G]... " +
	"[--mode M] [--dpi D] [--format F] [--per-page] [--duplex] [--subject S] | quickset delete ID"

func runQuickSet(ctx context.Context, c *Context, args []string) error {
	sub := "list"
	if len(args) > 0 && !strings.HasPrefix(args[0], "-") {
		sub, args = args[0], args[1:]
	}
	switch sub {
	case "list":
		return runQuickSetList(ctx, c, args)
	case "add":
		return runQuickSetAdd(ctx, c, args)
	case "delete":
		return runQuickSetDelete(ctx, c, args)
	}
	fmt.Fprintf(c.Stderr, "usage: scanmaild %s\n", quickSetUsage)
	return flag.ErrHelp
}

func runQuickSetList(ctx context.Context, c *Context, args []string) error {
	fs := newFlags(c, "quickset", "quickset [list] [--json]")
	asJSON := fs.Bool("json", false, "print JSON (the local API's fields)")
	if err := fs.Parse(args); err != nil {
		return err
	}
	l, err := c.Client.QuickSets(ctx)
	if err != nil {
		return err
	}
	if *asJSON {
		return printJSON(c, l)
	}
	if len(l.QuickSets) == 0 {
		fmt.Fprintln(c.Stdout, "no Quick Sets")
		return nil
	}
	w := tabwriter.NewWriter(c.Stdout, 0, 0, 2, ' ', 0)
	fmt.Fprintln(w, "ID\tNAME\tTO\tOPTIONS")
	for _, q := range l.QuickSets {
		fmt.Fprintf(w, "%s\t%s\t%s\t%s\n", q.ID, q.Name, quickSetTo(q), quickSetOptions(q.Options))
	}
	return w.Flush()
}

// quickSetTo says where a Quick Set sends: addresses, entry:ID, group:G.
func quickSetTo(q apitype.QuickSet) string {
	to := append([]string{}, q.To...)
	for _, e := range q.Entries {
		to = append(to, "entry:"+e)
	}
	for _, g := range q.Groups {
		to = append(to, "group:"+g)
	}
	return strings.Join(to, ",")
}

func quickSetOptions(o apitype.ScanOptions) string {
	var out []string
	for _, s := range []string{o.Mode, o.Format} {
		if s != "" {
			out = append(out, s)
		}
	}
	if o.DPI != 0 {
		out = append(out, strconv.Itoa(o.DPI)+" dpi")
	}
	if o.PerPage {
		out = append(out, "a file a page")
	}
	if o.Duplex {
		out = append(out, "2-sided")
	}
	if o.Subject != "" {
		out = append(out, strconv.Quote(o.Subject))
	}
	if len(out) == 0 {
		return "(the settings')"
	}
	return strings.Join(out, " ")
}

func runQuickSetAdd(ctx context.Context, c *Context, args []string) error {
	fs := newFlags(c, "quickset add", "quickset add --name N [--to A]... [--entry ID]... [--group G]... [--mode M] [--dpi D] [--format F] [--per-page] [--duplex] [--subject S]")
	var q apitype.QuickSet
	var to, entries, groups stringList
	fs.StringVar(&q.Name, "name", "", "the name on the panel's button (1 to 40 characters)")
	fs.Var(&to, "to", "an address to send to (again for more)")
	fs.Var(&entries, "entry", "an address book entry's ID (again for more)")
	fs.Var(&groups, "group", "an address book group (again for more)")
	fs.StringVar(&q.Options.Mode, "mode", "", "bw1, gray8, rgb24 or jpeg (default: the scan.mode setting)")
	fs.IntVar(&q.Options.DPI, "dpi", 0, "resolution (default: the scan.dpi setting)")
	fs.StringVar(&q.Options.Format, "format", "", "pdf, pdf-compact, tiff or jpeg (default: the scan.format setting)")
	fs.BoolVar(&q.Options.PerPage, "per-page", false, "attach one file a page")
	fs.BoolVar(&q.Options.Duplex, "duplex", false, "2-sided: both sides of every sheet in the feeder, front then back")
	fs.StringVar(&q.Options.Subject, "subject", "", "the subject; {pages} and {date} are filled in (default: the subject setting)")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if q.Name == "" || fs.NArg() > 0 {
		fs.Usage()
		return errors.New("want --name and at least one of --to, --entry and --group, and nothing else")
	}
	q.To, q.Entries, q.Groups = to, entries, groups
	q, err := c.Client.PutQuickSet(ctx, q)
	if err != nil {
		return err
	}
	fmt.Fprintf(c.Stdout, "Quick Set %s: %s, to %s\n", q.ID, q.Name, quickSetTo(q))
	return nil
}

func runQuickSetDelete(ctx context.Context, c *Context, args []string) error {
	if len(args) != 1 {
		fmt.Fprintln(c.Stderr, "usage: scanmaild quickset delete ID")
		return flag.ErrHelp
	}
	q, err := c.Client.DeleteQuickSet(ctx, args[0])
	if err != nil {
		return err
	}
	fmt.Fprintf(c.Stdout, "Quick Set %s deleted: %s\n", q.ID, q.Name)
	return nil
}
