package cli

import (
	"context"
	"errors"
	"fmt"
	"time"

	"scanmail/device/apitype"
	"scanmail/device/localclient"
)

func runSignIn(ctx context.Context, c *Context, args []string) error {
	fs := newFlags(c, "signin", "signin [-replace]")
	replace := fs.Bool("replace", false, "let another account than the device address become the device's account")
	if err := fs.Parse(args); err != nil {
		return err
	}
	last, err := c.Client.SignIn(ctx, apitype.SignInRequest{ReplaceAccount: *replace}, func(s apitype.SignIn) {
		if s.State == apitype.SignInWaiting {
			fmt.Fprintf(c.Stdout, "To sign in, open %s and enter the code %s\n", s.VerificationURI, s.UserCode)
			if s.VerificationURIComplete != "" {
				fmt.Fprintf(c.Stdout, "(or open %s)\n", s.VerificationURIComplete)
			}
			fmt.Fprintf(c.Stdout, "The code expires at %s. Waiting for sign-in...\n", s.ExpiresAt.Local().Format(time.TimeOnly))
		}
	})
	if err != nil {
		return err
	}
	switch last.State {
	case apitype.SignInDone:
		fmt.Fprintf(c.Stdout, "Signed in as %s. The device now sends as this address.\n", last.UPN)
		return nil
	case apitype.SignInFailed:
		if last.Replace {
			return withAction{localclient.SignInError(last), "scanmaild signin -replace, to make the new account the device's"}
		}
		return localclient.SignInError(last)
	case apitype.SignInWaiting:
		return errors.New("the daemon stopped before the sign-in finished")
	default:
		return fmt.Errorf("sign-in %s", last.State)
	}
}

func runSignOut(ctx context.Context, c *Context, args []string) error {
	fs := newFlags(c, "signout", "signout")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if fs.NArg() != 0 {
		fs.Usage()
		return errors.New("signout takes no arguments")
	}
	if _, err := c.Client.SignOut(ctx); err != nil {
		return err
	}
	fmt.Fprintln(c.Stdout, "Signed out: the device holds no account and no token; mail waits until the next sign-in.")
	return nil
}
