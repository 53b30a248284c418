package cli

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"os"
	"strings"
	"text/tabwriter"

	"scanmail/device/apitype"
)

const bookUsage = "book [search] [-n N] [--json] [WORDS] | book add|edit [ID] --name N --address A [--favourite] [--group G]... | " +
	"book delete ID | book import [--dry-run] FILE.csv | book export [--format csv|vcard]"

func runBook(ctx context.Context, c *Context, args []string) error {
	sub := "search"
	if len(args) > 0 && !strings.HasPrefix(args[0], "-") {
		switch args[0] {
		case "search", "add", "edit", "delete", "import", "export":
			sub, args = args[0], args[1:]
		}
	}
	switch sub {
	case "add", "edit":
		return runBookPut(ctx, c, sub, args)
	case "delete":
		return runBookDelete(ctx, c, args)
	case "import":
		return runBookImport(ctx, c, args)
	case "export":
		return runBookExport(ctx, c, args)
	}
	return runBookSearch(ctx, c, args)
}

func runBookSearch(ctx context.Context, c *Context, args []string) error {
	fs := newFlags(c, "book", "book [search] [-n N] [WORDS]: entries whose name or address has words beginning so")
	n := fs.Int("n", 50, "how many entries at most")
	asJSON := fs.Bool("json", false, "print JSON (the local API's fields)")
	if err := fs.Parse(args); err != nil {
		return err
	}
	l, err := c.Client.Book(ctx, strings.Join(fs.Args(), " "), *n)
	if err != nil {
		return err
	}
	if *asJSON {
		return printJSON(c, l)
	}
	if l.Matches == 0 {
		fmt.Fprintln(c.Stdout, "no entries")
		return nil
	}
	w := tabwriter.NewWriter(c.Stdout, 0, 0, 2, ' ', 0)
	fmt.Fprintln(w, "ID\tFAV\tNAME\tADDRESS\tGROUPS")
	for _, e := range l.Entries {
		fav := ""
		if e.Favourite {
			fav = "*"
		}
		fmt.Fprintf(w, "%s\t%s\t%s\t%s\t%s\n", e.ID, fav, e.Name, e.Address, strings.Join(e.Groups, ";"))
	}
	w.Flush()
	if l.Matches > len(l.Entries) {
		fmt.Fprintf(c.Stdout, "(%d of %d entries; -n shows more)\n", len(l.Entries), l.Matches)
	}
	return nil
}

// runBookPut adds an entry, or with edit replaces the entry ID with the
// one the flags give.
func runBookPut(ctx context.Context, c *Context, sub string, args []string) error {
	usage := "book add --name N --address A [--favourite] [--group G]..."
	var id string
	if sub == "edit" {
		usage = "book edit ID --name N --address A [--favourite] [--group G]... (replaces the entry)"
		if len(args) == 0 || strings.HasPrefix(args[0], "-") {
			fmt.Fprintf(c.Stderr, "usage: scanmaild %s\n", usage)
			return errors.New("want the entry's ID")
		}
		id, args = args[0], args[1:]
	}
	fs := newFlags(c, "book "+sub, usage)
	name := fs.String("name", "", "the name shown")
	address := fs.String("address", "", "the e-mail address")
	fav := fs.Bool("favourite", false, "list it first")
	var groups stringList
	fs.Var(&groups, "group", "a group the entry is in (again for more)")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if *name == "" || *address == "" || fs.NArg() > 0 {
		fs.Usage()
		return errors.New("want --name and --address, and nothing else")
	}
	e, err := c.Client.PutBookEntry(ctx, apitype.BookEntry{ID: id, Name: *name, Address: *address, Favourite: *fav, Groups: groups})
	if err != nil {
		return err
	}
	fmt.Fprintf(c.Stdout, "entry %s: %s <%s>\n", e.ID, e.Name, e.Address)
	return nil
}

func runBookDelete(ctx context.Context, c *Context, args []string) error {
	if len(args) != 1 {
		fmt.Fprintln(c.Stderr, "usage: scanmaild book delete ID")
		return flag.ErrHelp
	}
	e, err := c.Client.DeleteBookEntry(ctx, args[0])
	if err != nil {
		return err
	}
	fmt.Fprintf(c.Stdout, "entry %s deleted: %s <%s>\n", e.ID, e.Name, e.Address)
	return nil
}

func runBookImport(ctx context.Context, c *Context, args []string) error {
	fs := newFlags(c, "book import", "book import [--dry-run] FILE.csv (header: name,address,favourite,groups; groups separated by ;)")
	dry := fs.Bool("dry-run", false, "say what the import would do, change nothing")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if fs.NArg() != 1 {
		fs.Usage()
		return errors.New("want one CSV file")
	}
	// Read here, where the file is, not in the daemon.
	data, err := os.ReadFile(fs.Arg(0))
	if err != nil {
		return err
	}
	rep, err := c.Client.ImportBook(ctx, data, *dry)
	if err != nil {
		return err
	}
	if len(rep.Errors) > 0 {
		for _, e := range rep.Errors {
			fmt.Fprintf(c.Stdout, "%s:%d: %s\n", fs.Arg(0), e.Line, e.Error)
		}
		if rep.MoreErrors > 0 {
			fmt.Fprintf(c.Stdout, "%s: and %d more bad row(s)\n", fs.Arg(0), rep.MoreErrors)
		}
		return fmt.Errorf("nothing imported: %d bad row(s)\n  what to do: fix the rows named and import again", len(rep.Errors)+rep.MoreErrors)
	}
	if rep.DryRun {
		fmt.Fprintf(c.Stdout, "dry run, nothing changed: would add %d, change %d, leave %d unchanged\n", rep.Added, rep.Changed, rep.Unchanged)
		return nil
	}
	fmt.Fprintf(c.Stdout, "added %d, changed %d, unchanged %d\n", rep.Added, rep.Changed, rep.Unchanged)
	return nil
}

func runBookExport(ctx context.Context, c *Context, args []string) error {
	fs := newFlags(c, "book export", "book export [--format csv|vcard] > FILE")
	format := fs.String("format", apitype.BookCSV, "csv (imports back) or vcard (vCard 3.0)")
	if err := fs.Parse(args); err != nil {
		return err
	}
	return c.Client.ExportBook(ctx, c.Stdout, *format)
}

// stringList is a flag given once per value.
type stringList []string

func (l *stringList) String() string     { return strings.Join(*l, ",") }
func (l *stringList) Set(s string) error { *l = append(*l, s); return nil }
