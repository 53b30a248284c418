// Package cli is scanmaild's command line: the subcommands a service
// technician or a provisioning script uses against the running daemon,
// through its local API.
package cli

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"sort"
	"strings"

	"scanmail/device/localclient"
)

// Context is one run of a subcommand: where it writes and how it reaches
// the daemon.
type Context struct {
	// Stdin is where PINs and passwords are read from (a terminal
	// without echo) and where a question to the person at the terminal
	// is answered (scan --flatbed); nil answers no.
	Stdin          io.Reader
	Stdout, Stderr io.Writer
	Client         *localclient.Client
}

type command struct {
	usage string
	run   func(ctx context.Context, c *Context, args []string) error
}

func commands() map[string]command {
	return map[string]command{
		"book":     {bookUsage, runBook},
		"config":   {configUsage, runConfig},
		"pin":      {pinCommand.usage(), pinCommand.run},
		"password": {passwordCommand.usage(), passwordCommand.run},
		"jobs":     {"jobs [-n N] [--json] [-log JOB] [-cancel JOB] [-resend JOB]", runJobs},
		"quickset": {quickSetUsage, runQuickSet},
		"scan":     {scanUsage, runScan},
		"signin":   {"signin [-replace]", runSignIn},
		"signout":  {"signout", runSignOut},
		"status":   {"status [--json]", runStatus},
		"test":     {testUsage, runTest},
		"watch":    {"watch [--json]", runWatch},

		// The connector's client certificate (relaycert.go).
		"relay-cert": {relayCertUsage, runRelayCert},
	}
}

// IsCommand reports whether name is a subcommand.
func IsCommand(name string) bool {
	_, ok := commands()[name]
	return ok
}

// Usage lists the subcommands.
func Usage() string {
	var lines []string
	for _, c := range commands() {
		lines = append(lines, "  scanmaild [-socket PATH] "+c.usage)
	}
	sort.Strings(lines)
	return strings.Join(lines, "\n")
}

// Run runs the subcommand args[0] and returns the process exit status.
func Run(ctx context.Context, c *Context, args []string) int {
	cmd, ok := commands()[args[0]]
	if !ok {
		fmt.Fprintf(c.Stderr, "scanmaild: unknown command %q\n%s\n", args[0], Usage())
		return 2
	}
	err := cmd.run(ctx, c, args[1:])
	if err == nil {
		return 0
	}
	if errors.Is(err, flag.ErrHelp) {
		return 2
	}
	fmt.Fprintf(c.Stderr, "scanmaild %s: %v\n", args[0], err)
	explain(c.Stderr, err)
	return 1
}

func newFlags(c *Context, name, usage string) *flag.FlagSet {
	fs := flag.NewFlagSet(name, flag.ContinueOnError)
	fs.SetOutput(c.Stderr)
	fs.Usage = func() { fmt.Fprintf(c.Stderr, "usage: scanmaild %s\n", usage); fs.PrintDefaults() }
	return fs
}
