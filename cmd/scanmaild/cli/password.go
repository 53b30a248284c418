package cli

import (
	"context"

	"scanmail/device/localclient"
)

// passwordCommand shows, sets or resets the admin password of the web
// pages.
var passwordCommand = secretCommand{
	name: "password", noun: "password", rule: "at least 10 characters",
	notSet:    "the first visit to the web pages sets it",
	setDone:   "admin password set; every web session ended",
	resetDone: "admin password removed and every web session ended: the next visit to the web pages sets one",
	status: func(ctx context.Context, c *localclient.Client) (any, secretState, error) {
		st, err := c.Password(ctx)
		return st, secretState{st.Set, st.Failures, st.RetryAt}, err
	},
	set: func(ctx context.Context, c *localclient.Client, old, new string) error {
		_, err := c.SetPassword(ctx, old, new)
		return err
	},
	reset: func(ctx context.Context, c *localclient.Client) error {
		_, err := c.ResetPassword(ctx)
		return err
	},
}
