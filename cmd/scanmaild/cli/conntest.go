package cli

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"scanmail/device/apitype"
	"scanmail/device/localclient"
)

const testUsage = "test [--to ADDR]"

// runTest runs the connection test and prints each step as it ends; a
// failed step makes the command fail with the step's words and fix.
func runTest(ctx context.Context, c *Context, args []string) error {
	fs := newFlags(c, "test", testUsage)
	to := fs.String("to", "", "end by sending a test message to `ADDR` (without it, nothing is sent)")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if fs.NArg() != 0 {
		fs.Usage()
		return errors.New("test takes no arguments")
	}
	var failed *apitype.ConnTestStep
	_, err := c.Client.TestConnection(ctx, apitype.ConnTestRequest{To: *to}, func(s apitype.ConnTestStep) {
		switch s.State {
		case apitype.StepRunning:
			return
		case apitype.StepFailed:
			failed = &s
			fmt.Fprintln(c.Stdout, stepLine(s.Step, s.State, s.Error))
		default:
			fmt.Fprintln(c.Stdout, stepLine(s.Step, s.State, s.Detail))
		}
	})
	if err != nil {
		return err
	}
	if failed == nil {
		if *to != "" {
			fmt.Fprintf(c.Stdout, "Connection test passed: a test message went to %s.\n", *to)
		} else {
			fmt.Fprintln(c.Stdout, "Connection test passed.")
		}
		return nil
	}
	err = &localclient.Error{Message: "the connection test failed at " + failed.Step, Hint: failed.Hint, Code: failed.ErrorCode}
	switch failed.ErrorCode {
	case apitype.CodeProviderRefused, apitype.CodeProviderUnavailable:
		// The fix is in the hint; no job has a log to read.
		return withAction{err, "scanmaild test again once it is fixed"}
	}
	return err
}

// stepLine is a step as one line: its name, its state and what it found.
func stepLine(step, state, text string) string {
	return strings.TrimRight(fmt.Sprintf("%-9s %-7s %s", step, state, text), " ")
}
