package cli

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"strconv"
	"strings"
	"text/tabwriter"

	"scanmail/device/apitype"
	"scanmail/device/localclient"
)

const configUsage = "config show [--json] | config describe [--json] | config set KEY VALUE [KEY VALUE]... (VALUE @FILE reads a file, VALUE - a line of standard input) | config export | config import [--dry-run] FILE"

func runConfig(ctx context.Context, c *Context, args []string) error {
	fs := newFlags(c, "config", configUsage)
	asJSON := fs.Bool("json", false, "print JSON (the local API's fields)")
	dryRun := fs.Bool("dry-run", false, "import: say what would change, change nothing")
	if err := fs.Parse(args); err != nil {
		return err
	}
	args = fs.Args()
	if len(args) == 0 {
		args = []string{"show"}
	}
	// Flags may follow the verb too: config show --json.
	if err := fs.Parse(args[1:]); err != nil {
		return err
	}
	verb, args := args[0], fs.Args()
	switch {
	case verb == "show" && len(args) == 0:
		cfg, err := c.Client.Config(ctx)
		if err != nil {
			return err
		}
		if *asJSON {
			return printJSON(c, cfg)
		}
		printConfig(c, cfg)
		return nil
	case verb == "describe" && len(args) == 0:
		d, err := c.Client.DescribeConfig(ctx)
		if err != nil {
			return err
		}
		if *asJSON {
			return printJSON(c, d)
		}
		printDescription(c, d)
		return nil
	case verb == "set" && len(args) > 0 && len(args)%2 == 0:
		return setConfig(ctx, c, args)
	case verb == "export" && len(args) == 0:
		cfg, err := c.Client.ExportConfig(ctx)
		if err != nil {
			return err
		}
		return printJSON(c, cfg)
	case verb == "import" && len(args) == 1:
		return importConfig(ctx, c, args[0], *dryRun, *asJSON)
	}
	fs.Usage()
	return errors.New("want: config show, config describe, config set KEY VALUE [KEY VALUE]..., config export, or config import [--dry-run] FILE")
}

// setConfig sets every KEY VALUE pair of args in one transaction: all or
// none.
func setConfig(ctx context.Context, c *Context, args []string) error {
	var kvs []apitype.SettingValue
	var in *secretReader
	for i := 0; i < len(args); i += 2 {
		key, value := args[i], args[i+1]
		switch name, file := strings.CutPrefix(value, "@"); {
		case file:
			// The value is read here, where the file is, not in the daemon.
			data, err := os.ReadFile(name)
			if err != nil {
				return err
			}
			value = string(data)
		case value == "-":
			// From standard input, so that a password is never an
			// argument (ps, shell history) nor a file left behind.
			if in == nil {
				in = newSecretReader(c, "value")
				in.ended = "standard input ended before the value of %s: give one line for each value given as -"
			}
			var err error
			if value, err = readValue(in, key); err != nil {
				return err
			}
		}
		kvs = append(kvs, apitype.SettingValue{Key: key, Value: value})
	}
	cfg, err := c.Client.SetConfigs(ctx, kvs)
	if err != nil {
		if le, ok := errors.AsType[*localclient.Error](err); ok && le.Key != "" && len(kvs) > 1 {
			return fmt.Errorf("%s: %w (no setting was changed)", le.Key, err)
		}
		return err
	}
	for _, kv := range kvs {
		for _, s := range cfg.Settings {
			if s.Key == kv.Key {
				fmt.Fprintf(c.Stdout, "%s = %s\n", s.Key, s.Value)
			}
		}
	}
	if cfg.Warning != "" {
		fmt.Fprintf(c.Stdout, "warning: %s\n", cfg.Warning)
	}
	return nil
}

// readValue reads key's value from in: on a terminal without echo and
// twice, as a mistyped password would not show.
func readValue(in *secretReader, key string) (string, error) {
	value, err := in.readFor(key+": ", key)
	if err != nil || !in.tty {
		return value, err
	}
	again, err := in.readFor(key+" again: ", key)
	if err != nil {
		return "", err
	}
	if again != value {
		return "", fmt.Errorf("the two values of %s differ; nothing changed", key)
	}
	return value, nil
}

func printConfig(c *Context, cfg apitype.Config) {
	w := tabwriter.NewWriter(c.Stdout, 0, 0, 2, ' ', 0)
	for _, s := range cfg.Settings {
		fmt.Fprintf(w, "%s\t%s\t# %s\n", s.Key, s.Value, s.Help)
	}
	w.Flush()
	if cfg.Warning != "" {
		fmt.Fprintf(c.Stdout, "warning: %s\n", cfg.Warning)
	}
}

func printDescription(c *Context, d apitype.ConfigDescription) {
	w := tabwriter.NewWriter(c.Stdout, 0, 0, 2, ' ', 0)
	fmt.Fprintln(w, "KEY\tKIND\tVALUES\tDEFAULT\tPROVIDERS")
	for _, s := range d.Settings {
		values := strings.Join(s.Choices, ",")
		if s.Min != nil && s.Max != nil {
			values = strconv.Itoa(*s.Min) + ".." + strconv.Itoa(*s.Max)
		}
		if s.Unit != "" {
			values += " " + s.Unit
		}
		providers := strings.Join(s.Providers, ",")
		if providers == "" {
			providers = "all"
		}
		fmt.Fprintf(w, "%s\t%s\t%s\t%s\t%s\n", s.Key, s.Kind, values, s.Default, providers)
	}
	w.Flush()
}

// importConfig imports the export in the file name: all or nothing.
func importConfig(ctx context.Context, c *Context, name string, dryRun, asJSON bool) error {
	data, err := os.ReadFile(name)
	if err != nil {
		return err
	}
	var cfg apitype.ConfigExport
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.DisallowUnknownFields() // a misspelt field would be a setting left out
	if err := dec.Decode(&cfg); err != nil {
		return fmt.Errorf("%s is not a configuration export: %w (nothing was changed)", name, err)
	}
	rep, err := c.Client.ImportConfig(ctx, cfg, dryRun)
	if err != nil {
		if le, ok := errors.AsType[*localclient.Error](err); ok && le.Key != "" {
			return fmt.Errorf("%s: %w", le.Key, err)
		}
		return err
	}
	if asJSON {
		return printJSON(c, rep)
	}
	if dryRun {
		fmt.Fprintln(c.Stdout, "dry run: nothing was changed; the import would change:")
	}
	for _, ch := range rep.Settings {
		fmt.Fprintf(c.Stdout, "%s: %q -> %q\n", ch.Key, ch.Old, ch.New)
	}
	if len(rep.Settings) == 0 {
		fmt.Fprintln(c.Stdout, "settings: no change")
	}
	b := rep.Book
	fmt.Fprintf(c.Stdout, "address book: %d added, %d changed, %d unchanged\n", b.Added, b.Changed, b.Unchanged)
	q := rep.QuickSets
	fmt.Fprintf(c.Stdout, "quick sets: %d added, %d changed, %d unchanged\n", q.Added, q.Changed, q.Unchanged)
	return nil
}
