package cli

import (
	"context"
	"errors"
	"fmt"
	"os"
	"strings"
	"text/tabwriter"

	"scanmail/device/apitype"
)

func runConfig(ctx context.Context, c *Context, args []string) error {
	fs := newFlags(c, "config", "config show | config set KEY VALUE")
	if err := fs.Parse(args); err != nil {
		return err
	}
	args = fs.Args()
	if len(args) == 0 || args[0] == "show" {
		cfg, err := c.Client.Config(ctx)
		if err != nil {
			return err
		}
		printConfig(c, cfg)
		return nil
	}
	if args[0] != "set" || len(args) != 3 {
		fs.Usage()
		return errors.New("want: config show, or config set KEY VALUE")
	}
	value := args[2]
	// "@file" reads the value here, where the file is, not in the daemon.
	if name, ok := strings.CutPrefix(value, "@"); ok {
		data, err := os.ReadFile(name)
		if err != nil {
			return err
		}
		value = string(data)
	}
	cfg, err := c.Client.SetConfig(ctx, args[1], value)
	if err != nil {
		return err
	}
	for _, s := range cfg.Settings {
		if s.Key == args[1] {
			fmt.Fprintf(c.Stdout, "%s = %s\n", s.Key, s.Value)
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
