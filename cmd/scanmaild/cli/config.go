package cli

import (
	"context"
	"errors"
	"fmt"
	"os"
	"strconv"
	"strings"
	"text/tabwriter"

	"scanmail/device/apitype"
	"scanmail/device/localclient"
)

const configUsage = "config show [--json] | config describe [--json] | config set KEY VALUE [KEY VALUE]... (VALUE @FILE reads a file)"

func runConfig(ctx context.Context, c *Context, args []string) error {
	fs := newFlags(c, "config", configUsage)
	asJSON := fs.Bool("json", false, "print JSON (the local API's fields)")
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
	}
	fs.Usage()
	return errors.New("want: config show, config describe, or config set KEY VALUE [KEY VALUE]...")
}

// setConfig sets every KEY VALUE pair of args in one transaction: all or
// none.
func setConfig(ctx context.Context, c *Context, args []string) error {
	var kvs []apitype.SettingValue
	for i := 0; i < len(args); i += 2 {
		value := args[i+1]
		// "@file" reads the value here, where the file is, not in the daemon.
		if name, ok := strings.CutPrefix(value, "@"); ok {
			data, err := os.ReadFile(name)
			if err != nil {
				return err
			}
			value = string(data)
		}
		kvs = append(kvs, apitype.SettingValue{Key: args[i], Value: value})
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
